"""The benchmarks run (each at its smallest size: nothing is timed here), and the generated packs
are valid packs of the promised shape."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

from bench import write_generated  # noqa: E402
from studypack.load import load_pack  # noqa: E402

SCRIPTS = {
    "bench.py": ["--sizes", "3", "--repeat", "1", "--editions", "guide", "--pair-size", "2"],
    "editions_bench.py": ["content/aws-lambda.yaml", "1"],
    "loader.py": [],
    "tags_and_booklet.py": ["content/aws-lambda.yaml", "1"],
}


def test_generated_packs_load_and_have_the_promised_shape(tmp_path):
    loaded = load_pack(write_generated(tmp_path, 40))
    questions = [q for section in loaded.pack.sections for q in section.questions]
    assert len(questions) == 40
    assert [n for n, q in enumerate(questions, 1) if any(b.kind == "table" for b in q.answer)] == [
        10, 20, 30, 40]
    words = [len(q.answer[0].text.split()) for q in questions]
    assert all(75 <= count <= 85 for count in words), words


def test_every_benchmark_script_is_tested_here():
    assert sorted(p.name for p in (ROOT / "benchmarks").glob("*.py")) == sorted(SCRIPTS)


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_each_benchmark_runs_at_its_smallest_size(script, tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *SCRIPTS[script]],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "|" in done.stdout or " s" in done.stdout, done.stdout


def test_the_benchmarks_are_not_part_of_the_installed_package():
    """Editing a benchmark must not make the authors' PDFs stale: the builder's own source (its
    package) is an input of every PDF."""
    assert not list((ROOT / "studypack").glob("bench*.py"))
