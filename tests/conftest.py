"""Shared fixtures: small packs written from dicts, builds run in-process, PDFs read back."""

from __future__ import annotations

import io
import logging
import multiprocessing
import multiprocessing.util
import os
import shutil
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from studypack.cli import main

# In-process builds run their documents one after another unless a test asks for --jobs: a pool
# per test would cost more than the documents, and monkeypatched functions live in this process.
os.environ.setdefault("STUDYPACK_JOBS", "1")

ROOT = Path(__file__).resolve().parent.parent
SEED_PACK = ROOT / "content" / "aws-lambda.yaml"


def small_pack(**overrides) -> dict:
    """A minimal valid pack with two sections and three questions of different shapes."""
    pack = {
        "title": "Networking Basics",
        "subtitle": "A tiny test pack",
        "source": "Written for the tests",
        "sections": [
            {"title": "Layers", "id": "layers", "intro": "Context before the questions.",
             "questions": [
                 {"id": "osi", "question": "Name the layers of the OSI model.",
                  "answer": [{"list": ["Physical", "Data link", "Network", "Transport",
                                       "Session", "Presentation", "Application"]}],
                  "key_points": ["Seven layers", "Correct order"], "points": 2},
                 {"id": "tcp-udp", "question": "Compare TCP and UDP.",
                  "answer": [{"text": "They differ in reliability."},
                             {"table": {"caption": "TCP vs UDP", "columns": ["Feature", "TCP", "UDP"],
                                        "rows": [["Delivery", "Reliable", "Best effort"],
                                                 ["Ordering", "Ordered", "Unordered"]]}}]},
             ]},
            {"title": "Addressing",
             "questions": [
                 {"question": "What does DNS do?",
                  "answer": "DNS translates human readable names into IP addresses quickly.",
                  "key_points": ["Names to addresses"]},
             ]},
        ],
    }
    pack.update(overrides)
    return pack


def write_pack(folder: Path, name: str, data: dict | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str | Path) -> Run:
    """main(argv) in-process, with its stdout and stderr captured."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in args])
    return Run(code, out.getvalue(), err.getvalue())


def output_files(folder: Path) -> list[str]:
    """The names of the files a build left in `folder`, but for its own records: the manifest
    of input hashes and the layout store."""
    from studypack.incremental import MANIFEST_NAME
    from studypack.layoutstore import FOLDER

    return sorted(p.name for p in folder.iterdir() if p.name not in (MANIFEST_NAME, FOLDER))


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def normalize(text: str) -> str:
    return " ".join(text.split())


# The suite runs in a temporary folder of its own (one per run: runs at the same time do not
# share it), so that what a build, a worker or an outside checker leaves behind is seen: anything
# but pytest's own folders still there at the end fails the run (issue 12: no temporary folder
# left by a build, a worker or the test suite). A run that passes removes its folder.
# Made by pytest_configure, which only pytest's own process runs (worker processes that import
# this module to unpickle a test's function make none).
SUITE_TMP: Path | None = None


def _left_in_suite_tmp() -> list[str]:
    return sorted(name for name in os.listdir(SUITE_TMP) if not name.startswith("pytest-of-"))


def pytest_configure(config):
    global SUITE_TMP
    # This process's multiprocessing folder (pymp-*), removed only when the process ends, is
    # made first, where it always was.
    multiprocessing.util.get_temp_dir()
    SUITE_TMP = Path(tempfile.mkdtemp(prefix="studypack-tests-"))
    os.environ["TMPDIR"] = tempfile.tempdir = str(SUITE_TMP)


def pytest_sessionfinish(session, exitstatus):
    if SUITE_TMP is None:
        return
    left = _left_in_suite_tmp()
    if left and exitstatus == 0:
        session.exitstatus = 1
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter:
            reporter.ensure_newline()
            reporter.write_line(f"FAILED: the tests left {', '.join(left)} in {SUITE_TMP}",
                                red=True)
    elif exitstatus == 0:
        shutil.rmtree(SUITE_TMP, ignore_errors=True)


def pytest_addoption(parser):
    parser.addoption("--update-references", action="store_true",
                     help="rewrite the reference images in tests/reference/ from this build")


@pytest.fixture
def weasyprint_warnings(caplog):
    """Fails the test if WeasyPrint logs any warning (as WeasyPrint's own tests do)."""
    caplog.set_level(logging.WARNING, logger="weasyprint")
    yield caplog
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")
                and r.levelno >= logging.WARNING]
    assert not warnings, warnings


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory) -> Path:
    """The three editions of the seed pack, built once for the session."""
    out = tmp_path_factory.mktemp("seed-output")
    result = run_cli("--content", SEED_PACK.parent, "--output", out, "--edition", "guide",
                     "--edition", "worksheet", "--edition", "answer-key", "aws-lambda")
    assert result.code == 0, result.err
    return out
