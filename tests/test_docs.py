"""The README's example is real: it loads as the README says."""

from __future__ import annotations

import re

from studypack.load import load_pack
from conftest import ROOT

def _yaml_blocks(path):
    return re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def test_readme_example_pack_loads(tmp_path):
    blocks = [b for b in _yaml_blocks(ROOT / "README.md") if b.startswith("title:")]
    assert blocks
    path = tmp_path / "net.yaml"
    path.write_text(blocks[0], encoding="utf-8")
    loaded = load_pack(path)
    assert loaded.pack.title == "Networking Basics"
