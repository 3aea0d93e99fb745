"""The deck imported by the real Anki library (the one inside the desktop app), as a learner does:
a rebuilt deck with an edited answer updates its note, even with SOURCE_DATE_EPOCH fixed.

The library is installed into a virtual environment of its own (tests/requirements-anki.txt);
where it cannot be installed, these tests are skipped and say why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli, small_pack, write_pack

IMPORT = r"""
import json, sys
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
col = Collection(sys.argv[1])
try:
    log = col.import_anki_package(ImportAnkiPackageRequest(
        package_path=sys.argv[2],
        options=ImportAnkiPackageOptions(merge_notetypes=True, with_scheduling=False)))
    notes = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        notes[note.guid] = list(note.fields)
    print(json.dumps({"new": len(log.log.new), "updated": len(log.log.updated),
                      "duplicate": len(log.log.duplicate), "notes": notes}))
finally:
    col.close()
"""


@pytest.fixture(scope="module")
def anki_python(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("anki") / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True,
                          text=True)
    python = venv / "bin" / "python"
    if made.returncode != 0:
        pytest.skip(f"no virtual environment for the Anki library: {made.stderr.strip()[-300:]}")
    pip = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                          "--disable-pip-version-check", "-r",
                          str(ROOT / "tests" / "requirements-anki.txt")],
                         capture_output=True, text=True, timeout=600)
    if pip.returncode != 0:
        pytest.skip(f"the Anki library could not be installed: {pip.stderr.strip()[-300:]}")
    return python


def import_deck(python: Path, collection: Path, deck: Path) -> dict:
    done = subprocess.run([str(python), "-c", IMPORT, str(collection), str(deck)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_an_edited_answer_updates_its_note_with_a_fixed_epoch(anki_python, tmp_path,
                                                              monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pack = small_pack()
    pack["sections"][0]["questions"][0]["key_points"] = ["names the seven layers"]
    content, out = tmp_path / "content", tmp_path / "out"
    write_pack(content, "net", pack)
    assert run_cli("--content", content, "--output", out, "--edition", "anki").code == 0
    collection = tmp_path / "learner.anki2"
    first = import_deck(anki_python, collection, out / "net.apkg")
    assert (first["new"], first["updated"]) == (len(first["notes"]), 0)
    assert any("Key points" in fields[1] and "names the seven layers" in fields[1]
               for fields in first["notes"].values())

    pack["sections"][1]["questions"][0]["answer"] = "Edited: DNS maps names to addresses."
    write_pack(content, "net", pack)
    assert run_cli("--content", content, "--output", out, "--edition", "anki").code == 0
    second = import_deck(anki_python, collection, out / "net.apkg")
    assert second["updated"] == 1, second
    assert second["new"] == 0 and len(second["notes"]) == len(first["notes"])
    assert sum("Edited: DNS maps names" in fields[1] for fields in second["notes"].values()) == 1

    # an unchanged rebuild updates nothing (and is the same file)
    before = (out / "net.apkg").read_bytes()
    assert run_cli("--content", content, "--output", out, "--edition", "anki", "--force").code == 0
    assert (out / "net.apkg").read_bytes() == before
    third = import_deck(anki_python, collection, out / "net.apkg")
    assert (third["new"], third["updated"]) == (0, 0)
