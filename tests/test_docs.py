"""The documented examples are real: each loads and builds as the docs say."""

from __future__ import annotations

import re

import yaml

from studypack.load import load_pack
from conftest import ROOT, run_cli, write_pack

PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8"
    "ffff3f0005fe02fea7d6a4bb0000000049454e44ae426082"
)


def _yaml_blocks(path):
    return re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def test_format_reference_example_of_every_block_builds(tmp_path):
    (example,) = _yaml_blocks(ROOT / "docs" / "format.md")
    answer = yaml.safe_load(example)["answer"]
    assert {next(iter(block)) for block in answer} == {"text", "list", "table", "code", "chart",
                                                        "image"}
    content = tmp_path / "content"
    (content / "diagrams").mkdir(parents=True)
    (content / "diagrams" / "flow.png").write_bytes(PNG_1X1)
    pack = {"title": "Docs example", "sections": [
        {"title": "All blocks", "questions": [{"question": "Show every block.", "answer": answer}]}]}
    write_pack(content, "example", pack)
    assert load_pack(content / "example.yaml").pack.sections[0].questions[0].answer
    result = run_cli("--content", content, "--output", tmp_path / "out")
    assert result.code == 0, result.err


def test_readme_example_pack_loads(tmp_path):
    blocks = [b for b in _yaml_blocks(ROOT / "README.md") if b.startswith("title:")]
    assert blocks
    path = tmp_path / "net.yaml"
    path.write_text(blocks[0], encoding="utf-8")
    loaded = load_pack(path)
    assert loaded.pack.title == "Networking Basics"
