"""The benchmark's generated packs are valid packs of the promised shape (nothing is timed here)."""

from __future__ import annotations

from studypack.bench import write_generated
from studypack.load import load_pack


def test_generated_packs_load_and_have_the_promised_shape(tmp_path):
    loaded = load_pack(write_generated(tmp_path, 40))
    questions = [q for section in loaded.pack.sections for q in section.questions]
    assert len(questions) == 40
    assert [n for n, q in enumerate(questions, 1) if any(b.kind == "table" for b in q.answer)] == [
        10, 20, 30, 40]
    words = [len(q.answer[0].text.split()) for q in questions]
    assert all(75 <= count <= 85 for count in words), words
