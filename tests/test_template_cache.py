"""Compiled templates are kept between builds (like __pycache__), never stale, never a failure."""

from __future__ import annotations


from studypack.render import compiled_templates_cache, make_environment


def test_compiled_templates_are_reused_and_an_edited_template_is_compiled_again(tmp_path,
                                                                              monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("STUDYPACK_NO_CACHE", raising=False)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ word }} one</p>")
    assert make_environment(templates).get_template("page.html").render(word="a") == "<p>a one</p>"
    cached = list((tmp_path / "cache" / "studypack").glob("*/__jinja2_*.cache"))
    assert len(cached) == 1
    # a new process (a new environment) reads the compiled template back
    assert make_environment(templates).get_template("page.html").render(word="b") == "<p>b one</p>"
    (templates / "page.html").write_text("<p>{{ word }} two</p>")
    assert make_environment(templates).get_template("page.html").render(word="c") == "<p>c two</p>"


def test_a_damaged_or_unwritable_cache_only_means_compiling_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("STUDYPACK_NO_CACHE", raising=False)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ word }}</p>")
    make_environment(templates).get_template("page.html")
    (entry,) = (tmp_path / "cache" / "studypack").glob("*/__jinja2_*.cache")
    entry.write_bytes(entry.read_bytes()[:40] + b"\x00garbage")
    assert make_environment(templates).get_template("page.html").render(word="x") == "<p>x</p>"
    # An entry that can be neither read nor written, for root too (permissions do not stop
    # root): a folder where the file would go.
    entry.unlink()
    entry.mkdir()
    assert make_environment(templates).get_template("page.html").render(word="y") == "<p>y</p>"
    assert entry.is_dir() and not list(entry.iterdir())
    (tmp_path / "blocked").write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    assert compiled_templates_cache() is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("STUDYPACK_NO_CACHE", "1")
    assert compiled_templates_cache() is None
