"""`pip install .` gives a working `studypack` command that finds its templates and fonts.

Slow for a test (a virtual environment and a wheel build, about 10 s), but it runs everywhere,
offline and inside a virtual environment: the new environment borrows the packages of the
interpreter running the tests (a .pth file naming its site-packages: --system-site-packages
would see the base interpreter's instead, when the tests run in a venv), and pip builds the
wheel with that interpreter's setuptools (pinned in requirements-dev.txt) from no index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import ROOT, normalize, pdf_text
from studypack import __version__

SOURCES = ("pyproject.toml", "requirements.txt", "studypack", "templates")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A virtual environment with studypack installed from a copy of this checkout."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, source / name)
    venv = root / "venv"
    # without its own pip and setuptools, which would hide the pinned ones
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = sysconfig.get_paths()
    (Path(site) / "borrowed-by-studypack-tests.pth").write_text(
        "\n".join(dict.fromkeys((ours["purelib"], ours["platlib"]))) + "\n")
    pip = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", str(source)],
        capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    shutil.rmtree(source)  # the installed command must not lean on the copy it came from
    return venv


def command(venv: Path, *args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(venv / "bin" / "studypack"), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_installed_command_reports_its_version(installed, tmp_path):
    result = command(installed, "--version", cwd=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, f"studypack {__version__}")
    help_text = command(installed, "--help", cwd=tmp_path).stdout
    assert help_text.startswith("usage: studypack ")


def test_installed_command_builds_a_pack_with_its_own_templates(installed, tmp_path):
    where = command(installed, "--schema", cwd=tmp_path)
    assert where.returncode == 0 and '"title": "studypack pack"' in where.stdout
    probe = subprocess.run(
        [str(installed / "bin" / "python"), "-c",
         "import studypack.assets as a; print(a.TEMPLATES)"],
        cwd=tmp_path, capture_output=True, text=True, check=True)
    templates = Path(probe.stdout.strip())
    assert templates.is_relative_to(installed)

    def files(folder: Path) -> set[str]:
        return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts}

    assert files(templates) == files(ROOT / "templates")  # every template, stylesheet and font

    assert command(installed, "--new", "demo", cwd=tmp_path).returncode == 0
    # outside a checkout the editor's schema line points at a schema written beside the pack
    pack_text = (tmp_path / "content" / "demo.yaml").read_text()
    line = next(li for li in pack_text.splitlines() if "$schema=" in li)
    schema = tmp_path / "content" / line.split("$schema=")[1].strip()
    assert schema.is_file() and '"title": "studypack pack"' in schema.read_text()
    import jsonschema
    import yaml

    jsonschema.validate(yaml.safe_load(pack_text), json.loads(schema.read_text()))
    built = command(installed, "--edition", "worksheet", "-q", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert built.stdout.splitlines() == [os.path.join("output", "demo-worksheet.pdf")]
    text = normalize(pdf_text(tmp_path / "output" / "demo-worksheet.pdf"))
    assert "Compare the three printed editions of a pack" in text
