"""Every kind of content error: its message, its line and column, and the place in the pack."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest
from conftest import ROOT, run_cli, small_pack, write_pack

from studypack import source
from studypack.load import load_pack
from studypack.model import ContentErrors, Pack
from studypack.yamlread import MAX_ALIAS_VALUES, MAX_DEPTH

GOOD = """\
title: Networking
sections:
  - title: Layers
    questions:
      - id: osi
        question: Name the layers.
        answer: Seven of them.
"""


def errors_of(tmp_path: Path, content: str | bytes) -> list[str]:
    """The messages load_pack gives for `content`, as `line:col: message (path)`."""
    path = tmp_path / "pack.yaml"
    path.write_bytes(content if isinstance(content, bytes) else textwrap.dedent(content).encode())
    with pytest.raises(ContentErrors) as caught:
        load_pack(path, "pack.yaml")
    for error in caught.value.errors:
        assert error.file == "pack.yaml"
    return [str(e).removeprefix("pack.yaml:") for e in caught.value.errors]


def test_the_good_pack_loads(tmp_path):
    path = tmp_path / "pack.yaml"
    path.write_text(GOOD)
    assert load_pack(path).question_ids == (("osi",),)


def test_yaml_syntax_error_names_the_problem_and_where_it_began(tmp_path):
    assert errors_of(tmp_path, 'title: "Networking\nsections: []\n') == [
        "1:8: YAML syntax error: the quoted text that starts at line 1, column 8 is never "
        "closed: end it with the same quote mark it starts with"]
    assert errors_of(tmp_path, "title: a\n  sub: b\n")[0] == (
        "2:6: YAML syntax error: a colon followed by a space starts a key, and a key cannot "
        "start here: quote this text (\"...\") if the colon is part of it, or start the key "
        "on a line of its own")


HINTED = """\
title: Networking
sections:
  - title: Layers
    questions:
      - question: What?
        answer: Something
       points: 3
      - question: Which handler?
        answer:
          - list:
            - Handler: text
      - question: Third
        anwser: x
        answer:
          - bullets: [a, b]
      - question: Fourth
        answer: Use the handler: it is called
"""


def test_syntax_errors_say_what_to_fix_and_hide_no_other_error(tmp_path):
    """Wrong indentation names the key; a colon in text says to quote it; after a syntax error
    confined to one line the file is read on, so every other error is reported in one run."""
    assert errors_of(tmp_path, HINTED) == [
        "7:8: YAML syntax error: wrong indentation of the key 'points': it starts at column 8, "
        "the keys above it at column 9; indent it as they are (or as the key it belongs under)",
        "11:15: expected text, found a mapping; if the text is 'Handler: text', quote it: a "
        "colon followed by a space starts a key (sections[0].questions[1].answer[0].list[0])",
        "13:9: unknown key 'anwser'; did you mean 'answer'? (sections[0].questions[2].anwser)",
        "15:13: unknown key 'bullets'; did you mean 'list'? "
        "(sections[0].questions[2].answer[0].bullets)",
        "17:32: YAML syntax error: a colon followed by a space starts a key, and a key cannot "
        "start here: quote this text (\"...\") if the colon is part of it, or start the key on "
        "a line of its own"]


def test_a_tab_in_the_indentation_is_named(tmp_path):
    text = GOOD.replace("      - id: osi", "\t- id: osi")
    assert errors_of(tmp_path, text) == [
        "5:1: YAML syntax error: found a tab; expected spaces (YAML indents with spaces only)"]


def test_misspelt_key_suggests_the_nearest_valid_one(tmp_path):
    text = GOOD.replace("        answer:", "        anwser:")
    assert errors_of(tmp_path, text) == [
        "7:9: unknown key 'anwser'; did you mean 'answer'? (sections[0].questions[0].anwser)"]


def test_unknown_key_without_a_near_one_lists_the_valid_keys(tmp_path):
    text = GOOD + "colour: blue\n"
    assert errors_of(tmp_path, text) == [
        f"8:1: unknown key 'colour'; expected one of: {', '.join(Pack.model_fields)} (colour)"]
    assert list(Pack.model_fields)[:2] == ["title", "subtitle"]


def test_wrong_type_says_what_was_expected_and_found(tmp_path):
    text = GOOD + "        lines: many\n"
    assert errors_of(tmp_path, text) == [
        "8:16: expected a whole number, found 'many' (sections[0].questions[0].lines)"]
    text = GOOD.replace("title: Networking", "title: [a, b]")
    assert errors_of(tmp_path, text) == ["1:8: expected text, found a list (title)"]


def test_wrong_type_at_the_top_of_the_file(tmp_path):
    assert errors_of(tmp_path, "- title: a\n- title: b\n") == [
        "1:1: expected a mapping with title and sections at the top, found a list"]
    assert errors_of(tmp_path, "just a sentence\n") == [
        "1:1: expected a mapping with title and sections at the top, found 'just a sentence'"]


def test_missing_required_field(tmp_path):
    text = GOOD.replace("        answer: Seven of them.\n", "")
    assert errors_of(tmp_path, text) == [
        "5:9: missing required key 'answer': found only id, question (sections[0].questions[0])"]


def test_empty_file(tmp_path):
    message = "1:1: the file is empty: expected a mapping with title and sections"
    assert errors_of(tmp_path, b"") == [message]
    assert errors_of(tmp_path, b"# just a comment\n\n   \n") == [message]


def test_file_that_is_not_utf8(tmp_path):
    # A Latin-1 "é" after a UTF-8 dash: the column counts characters, not bytes.
    content = GOOD.replace("Seven of them.", "Sept couches — café").encode()
    content = content.replace("café".encode(), "caf".encode() + b"\xe9")
    assert errors_of(tmp_path, content) == [
        "7:35: expected UTF-8 text, found the byte 0xe9: save the file as UTF-8"]
    assert errors_of(tmp_path, "title: é\n".encode("utf-16")) == [
        "1:1: expected UTF-8 text, found UTF-16 text: save the file as UTF-8"]


def test_binary_file(tmp_path):
    assert errors_of(tmp_path, bytes(range(256))) == [
        "1:1: expected YAML text, found binary data: is this the right file?"]
    assert errors_of(tmp_path, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj") == [
        "1:1: expected YAML text, found a PDF document: is this the right file?"]


def test_control_characters_are_located(tmp_path):
    assert errors_of(tmp_path, GOOD.replace("Seven", "Se\x07ven")) == [
        "7:19: expected printable text, found the control character U+0007"]
    assert errors_of(tmp_path, GOOD.replace("Seven of them.", '"Seven\\0"')) == [
        "7:17: expected printable text, found the control character U+0000 "
        "(sections[0].questions[0].answer)"]


def test_duplicate_keys_in_one_mapping(tmp_path):
    text = GOOD.replace("        answer: Seven of them.\n",
                        "        answer: Seven of them.\n        answer: Eight.\n")
    assert errors_of(tmp_path, text) == [
        "8:9: duplicate key 'answer': already given at line 7; a mapping holds each key once "
        "(sections[0].questions[0].answer)"]


def test_duplicate_question_ids_within_a_pack(tmp_path):
    text = GOOD + "      - id: osi\n        question: Again?\n        answer: Yes.\n"
    assert errors_of(tmp_path, text) == [
        "8:13: duplicate question id 'osi': already used at line 5; ids are unique within a pack "
        "(sections[0].questions[1].id)"]


def test_table_row_whose_length_differs_from_its_columns(tmp_path):
    text = GOOD.replace("        answer: Seven of them.\n", textwrap.indent(textwrap.dedent("""\
        answer:
          - table:
              columns: [Layer, Name]
              rows:
                - [1, Physical]
                - [2, Data link, extra]
        """), "        "))
    assert errors_of(tmp_path, text) == [
        "12:19: expected 2 cell(s) in this row, one per column, found 3 "
        "(sections[0].questions[0].answer[0].table.rows[1])"]


def test_pack_without_sections(tmp_path):
    assert errors_of(tmp_path, "title: Networking\nsections: []\n") == [
        "2:11: expected at least 1 section, found an empty list (sections)"]
    assert errors_of(tmp_path, "title: Networking\n") == [
        "1:1: missing required key 'sections': found only title"]


def test_pack_without_any_question(tmp_path):
    text = "title: Networking\nsections:\n  - title: Layers\n  - title: Addressing\n"
    assert errors_of(tmp_path, text) == [
        "2:1: expected at least 1 question in the pack, found none: add `questions:` to a "
        "section (sections)"]


def test_more_than_one_document_in_a_file(tmp_path):
    assert errors_of(tmp_path, GOOD + "---\ntitle: Second\n") == [
        "8:1: expected one pack per file, found a second YAML document (after `---`)"]


def test_yaml_tags_are_refused(tmp_path):
    text = GOOD.replace("title: Networking", "title: !!python/object/apply:os.system [ls]")
    assert errors_of(tmp_path, text) == [
        "1:8: expected plain data, found the YAML tag "
        "'tag:yaml.org,2002:python/object/apply:os.system' (title)"]


def test_merge_keys_are_refused(tmp_path):
    text = GOOD.replace("title: Networking", "<<: {title: Networking}")
    errors = errors_of(tmp_path, text)
    assert "1:1: expected a plain text key, found a YAML merge key (<<): write the keys out" in errors


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_with_bounded_memory(tmp_path):
    tracemalloc.start()
    try:
        errors = errors_of(tmp_path, billion_laughs())  # 9**9 = 387 million values expanded
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert errors == [
        f"7:10: expected YAML aliases to add at most {MAX_ALIAS_VALUES:,} values, found more "
        "(an alias bomb?): the file is refused (a6)"]
    assert peak < 5 * 2**20, f"reading the bomb took {peak / 2**20:.1f} MiB"


def test_a_few_aliases_are_fine(tmp_path):
    text = GOOD.replace("title: Networking", "title: &t Networking\nsubtitle: *t")
    path = tmp_path / "pack.yaml"
    path.write_text(text)
    assert load_pack(path).pack.subtitle == "Networking"


def test_recursive_alias_is_refused(tmp_path):
    assert errors_of(tmp_path, "title: &x [a, *x]\n") == [
        "1:15: expected an alias to a finished value, found *x inside the value it refers to "
        "(a recursive alias): the file is refused (title)"]


def test_deep_nesting_is_refused_before_it_costs_anything(tmp_path):
    depth = 200_000  # libyaml's own composer would crash the interpreter on this
    errors = errors_of(tmp_path, "title: " + "[" * depth + "]" * depth + "\n")
    assert errors == [f"1:{7 + MAX_DEPTH}: expected at most {MAX_DEPTH} levels of nesting, "
                      "found more: the file is refused"]


def test_all_errors_of_a_file_come_in_one_run(tmp_path):
    text = textwrap.dedent("""\
        title:
        language: english!
        sections:
          - title: Layers
            questions:
              - id: osi
                question: Name the layers.
                anwser: Seven.
              - id: osi
                question: Again?
                answer: Yes.
                points: -1
                points: 2
        """)
    assert errors_of(tmp_path, text) == [
        "1:7: expected text, found nothing (null) (title)",
        "2:11: expected a BCP 47 language tag such as 'en' or 'pt-BR', found 'english!' (language)",
        "8:9: unknown key 'anwser'; did you mean 'answer'? (sections[0].questions[0].anwser)",
        "9:13: duplicate question id 'osi': already used at line 6; ids are unique within a pack "
        "(sections[0].questions[1].id)",
        "12:17: expected a number >= 0, found '-1' (sections[0].questions[1].points)",
        "13:9: duplicate key 'points': already given at line 12; a mapping holds each key once "
        "(sections[0].questions[1].points)",
    ]


def test_content_errors_exit_1_without_a_traceback(tmp_path):
    content = tmp_path / "content"
    write_pack(content, "good", small_pack())
    (content / "bad.yaml").write_text(GOOD.replace("answer:", "anwser:"))
    run = run_cli("--check", "--content", content, "--output", tmp_path / "out")
    assert run.code == 1
    assert "Traceback" not in run.err
    bad = Path(content / "bad.yaml")
    assert run.err.splitlines() == [
        f"{os.path.relpath(bad)}:7:9: unknown key 'anwser'; did you mean 'answer'? "
        "(sections[0].questions[0].anwser)",
        "1 content error; fix it and build again",
    ]
    assert not (tmp_path / "out").exists()


def test_check_validates_every_pack_without_importing_weasyprint(tmp_path):
    content = tmp_path / "content"
    write_pack(content, "one", small_pack())
    write_pack(content, "two", small_pack(title="Second"))
    script = textwrap.dedent(f"""
        import sys
        from studypack.cli import main
        code = main(["--check", "--content", {str(content)!r}, "--output", {str(tmp_path / "out")!r}])
        assert "weasyprint" not in sys.modules, "weasyprint was imported"
        sys.exit(code)
        """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("ok: ") == 2
    assert not (tmp_path / "out").exists()


def test_file_too_large_to_be_a_pack(tmp_path, monkeypatch):
    monkeypatch.setattr(source, "MAX_FILE_BYTES", 2**20)
    assert errors_of(tmp_path, GOOD + "#" * 2**21 + "\n") == [
        "1:1: expected a pack file of at most 1 MiB, found 2 MiB: split it into several packs"]


def test_columns_count_characters_and_yaml_line_breaks(tmp_path):
    # libyaml counts U+2028 and a lone CR as line breaks; the UTF-8 check must agree with it.
    content = "title: é\u2028x\rsections: caf".encode() + b"\xe9\n"
    assert errors_of(tmp_path, content) == [
        "3:14: expected UTF-8 text, found the byte 0xe9: save the file as UTF-8"]
