"""docs/authoring.md's examples are real: each YAML example loads, and together they build."""

from __future__ import annotations

import re
import shutil

import yaml

from conftest import ROOT, run_cli, write_pack
from studypack.load import load_pack

DOC = ROOT / "docs" / "authoring.md"


def yaml_examples() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_picture_the_doc_shows_exists():
    assert "](worksheet-page.png)" in DOC.read_text(encoding="utf-8")
    assert (ROOT / "docs" / "worksheet-page.png").stat().st_size > 1000


def test_every_block_example_builds(tmp_path):
    examples = [yaml.safe_load(text) for text in yaml_examples()]
    questions = [e[0] for e in examples if isinstance(e, list) and "question" in e[0]]
    blocks = [e[0] for e in examples if isinstance(e, list) and "question" not in e[0]]
    assert {next(iter(block)) for block in blocks} == {"text", "list", "table", "code", "chart",
                                                        "image"}
    content = tmp_path / "content"
    (content / "images").mkdir(parents=True)
    shutil.copy(ROOT / "templates" / "starter" / "example.png",
                content / "images" / "lambda-lifecycle.png")
    pack = {"title": "Docs", "sections": [{"title": "Examples", "questions": questions + [
        {"question": "Every block", "answer": blocks}]}]}
    write_pack(content, "docs", pack)
    # the question example, the multiple-choice example, and one holding every block
    assert len(load_pack(content / "docs.yaml").pack.sections[0].questions) == 3
    result = run_cli("--content", content, "--output", tmp_path / "out", "--edition", "guide",
                     "-q")
    assert result.code == 0, result.err
