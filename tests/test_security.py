"""Content is data, never code: hostile packs build as text, fetch nothing, read no outside file."""

from __future__ import annotations

import logging
import os
import re
import socket
import struct
import threading
import time
import zlib
from pathlib import Path

import pytest
import tinyhtml5
from pypdf import PdfReader
from pypdf.generic import IndirectObject, StreamObject

from studypack.load import load_pack
from studypack.pdf import RefusedResource, html_to_pdf, import_weasyprint, make_fetcher
from studypack.render import RenderOptions, make_environment, markdown_inline, render_html
from conftest import pdf_text, run_cli, small_pack, write_pack

EDITIONS = ("guide", "worksheet", "answer-key")
SECRET = "STUDYPACK-SECRET-7d41c9"
SAFE_LINK = ("http://", "https://", "mailto:")
GOOD_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">'
            '<defs><linearGradient id="g"><stop offset="0" stop-color="#000"/></linearGradient></defs>'
            '<rect width="120" height="40" fill="url(#g)"/><use href="#g"/></svg>')


class Listener:
    """A TCP listener on loopback that records every connection; it stops itself after `limit` s."""

    def __init__(self, limit: float = 180.0):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.received: list[bytes] = []
        self._stop = threading.Event()
        self._deadline = time.monotonic() + limit
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with self.sock:
            while not self._stop.is_set() and time.monotonic() < self._deadline:
                try:
                    conn, _ = self.sock.accept()
                except TimeoutError:
                    continue
                with conn:
                    conn.settimeout(1)
                    try:
                        self.received.append(conn.recv(4096) or b"(connected)")
                        conn.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    except OSError:
                        self.received.append(b"(connected)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)


def _wait_for(listener: Listener, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(listener.received) < count and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    # The listener must be able to see a connection, or "it saw none" would prove nothing.
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as probe:
        probe.sendall(b"GET /probe HTTP/1.0\r\n\r\n")
        probe.recv(100)
    _wait_for(server, 1)
    assert server.received == [b"GET /probe HTTP/1.0\r\n\r\n"]
    server.received.clear()
    yield server
    server.close()
    assert server.received == [], "something connected to the listener"


def tiny_png(width: int, height: int, color: bytes = b"\x00\x00\xff") -> bytes:
    """An RGB PNG made by hand, so that the header can claim any size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + color * width for _ in range(min(height, 64)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def plant_secrets(root: Path) -> dict[str, Path]:
    """Files outside the content folder that no build may read: text and an image."""
    root.mkdir(parents=True, exist_ok=True)
    secret_txt = root / "secret.txt"
    secret_txt.write_text(f"{SECRET}\n", encoding="utf-8")
    secret_png = root / "secret.png"
    secret_png.write_bytes(tiny_png(37, 23, b"\xff\x00\x00"))
    secret_svg = root / "secret.svg"
    secret_svg.write_text(f'<svg xmlns="http://www.w3.org/2000/svg"><text id="a">{SECRET}</text></svg>')
    return {"txt": secret_txt, "png": secret_png, "svg": secret_svg}


def hostile_pack(url: str, secrets: dict[str, Path]) -> dict:
    """Markup, template syntax, CSS and links in every place a pack can hold text."""
    txt, png = secrets["txt"], secrets["png"]
    return {
        "title": "<script>alert('t')</script> {{ 7*7 }}",
        "subtitle": f"<img src={url}/subtitle.png> {{% for x in range(3) %}}loop{{% endfor %}}",
        "description": (f"<style>@import url({url}/d.css); body {{ color: red }}</style>\n\n"
                        f"<link rel=stylesheet href={url}/l.css>\n\n"
                        f"<link rel=attachment href={txt.as_uri()}>"),
        "source": (f"<iframe src={txt.as_uri()}></iframe> [rel](../secret.txt) "
                   f"[abs]({txt}) [file]({txt.as_uri()}) [web]({url}/web)"),
        "sections": [{
            "title": f"<object data={txt.as_uri()}>Sect</object>",
            "intro": [
                {"text": (f"<a href=javascript:alert(2)>js</a> [vb](vbscript:msgbox) "
                          f"[data](data:text/html,hi) [half](http:../secret.txt) "
                          f"<file://{txt}> ![md image](pics/ok.png) [ok]({url}/ok) "
                          "<mailto:coach@example.org>")},
                {"chart": {"caption": f"<svg onload=alert(1)> <image href={url}/cap.png>",
                           "unit": "</text><image href='x'/>",
                           "data": {f"</text><image href='{url}/label.png'/>": 3,
                                    "{{ 7*7 }}": 4}}},
            ],
            "questions": [{
                "id": "q1",
                "question": f"<embed src={txt.as_uri()}> {{{{ config }}}} Q?",
                "tags": ["<script>tag</script>", "{{ 7*7 }}"],
                "answer": [
                    {"text": f'<div style="background: url({url}/bg.png)">styled</div>'},
                    {"list": ["<li>item</li>", f"url({png.as_uri()}) @import '{url}/i.css';"]},
                    {"table": {"caption": "<caption>cap</caption>",
                               "columns": ["<th>col</th>", "{% raw %}B"],
                               "rows": [["<td>cell</td>", f"<img src={url}/cell.png onerror=x>"]]}},
                    {"code": {"language": "\"><script>x</script>",
                              "text": "</code></pre><script>alert('code')</script>"}},
                    {"image": {"src": "pics/ok.png", "alt": "\"><script>alert('alt')</script>",
                               "caption": f"<img src={png.as_uri()}> caption"}},
                    {"image": {"src": "diagram.svg", "alt": "a diagram",
                               "caption": "<b>svg</b> caption"}},
                ],
                "key_points": ["<b>kp</b> {{ 7*7 }}", f"<base href={url}/>"],
            }],
        }],
    }


# The texts a reader must see, exactly as written (whitespace aside: lines may wrap anywhere).
SHOWN_EVERYWHERE = ["<script>alert('t')</script> {{ 7*7 }}", "<object data=", "Sect</object>",
                    "<embed src=", "{{ config }} Q?"]
SHOWN_IN_GUIDE = [
    "{% for x in range(3) %}loop{% endfor %}", "<style>@import url(", "<link rel=attachment href=",
    "<iframe src=", "[rel](../secret.txt)", "<a href=javascript:alert(2)>js</a>",
    "[vb](vbscript:msgbox)", "[data](data:text/html,hi)", "[half](http:../secret.txt)",
    "<svg onload=alert(1)>", "</text><image href=", "<div style=\"background: url(",
    "<li>item</li>", "<caption>cap</caption>", "<th>col</th>", "{% raw %}B", "<td>cell</td>",
    "</code></pre><script>alert('code')</script>", "<b>svg</b> caption", "<img src=file://",
]
SHOWN_IN_KEY = ["<b>svg</b> caption", "<b>kp</b> {{ 7*7 }}", "<base href=", "<li>item</li>", "<td>cell</td>"]


def squeeze(text: str) -> str:
    return "".join(text.split())


def pdf_objects(path: Path):
    """Every object stored in the PDF, whether a page uses it or not."""
    reader = PdfReader(path)
    numbers = {(num, gen) for gen, table in reader.xref.items() for num in table}
    numbers |= {(num, 0) for num in reader.xref_objStm}
    for num, gen in sorted(numbers):
        yield reader.get_object(IndirectObject(num, gen, reader))


def pdf_payload(path: Path) -> bytes:
    """Every object of the PDF, streams decompressed: what a reader of the file can get at."""
    return b"\n".join(obj.get_data() if isinstance(obj, StreamObject) else repr(obj).encode()
                      for obj in pdf_objects(path))


def link_targets(path: Path) -> list[str]:
    """The URI of every link annotation, and the type of every other action, in the PDF."""
    targets = []
    for page in PdfReader(path).pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Widget":  # the key's score fields: no action at all
                assert "/A" not in annot and "/AA" not in annot, annot
                continue
            action = annot.get("/A")
            if action is None:
                assert "/Dest" in annot, annot
                continue
            action = action.get_object()
            targets.append(str(action["/URI"]) if action["/S"] == "/URI" else str(action["/S"]))
    return targets


def outline_titles(reader: PdfReader) -> list[str]:
    titles, pending = [], list(reader.outline)
    while pending:
        entry = pending.pop(0)
        if isinstance(entry, list):
            pending[:0] = entry
        else:
            titles.append(entry.title)
    return titles


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, listener):
    """The three editions of the hostile pack, built while the listener watches."""
    root = tmp_path_factory.mktemp("hostile")
    secrets = plant_secrets(root / "outside")
    content = root / "content"
    (content / "pics").mkdir(parents=True)
    (content / "pics" / "ok.png").write_bytes(tiny_png(10, 10))
    (content / "diagram.svg").write_text(GOOD_SVG)
    pack = write_pack(content, "hostile", hostile_pack(listener.url, secrets))
    warnings = _Recorder(logging.WARNING)
    logging.getLogger("weasyprint").addHandler(warnings)
    try:
        result = run_cli("-q", "--content", content, "--output", root / "out")
    finally:
        logging.getLogger("weasyprint").removeHandler(warnings)
    assert result.code == 0, result.err
    assert result.err == ""
    return {"pack": pack, "out": root / "out", "listener": listener, "warnings": warnings.records}


class _Recorder(logging.Handler):
    def __init__(self, level: int):
        super().__init__(level)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


def test_the_renderer_skipped_nothing_and_warned_of_nothing(hostile):
    assert hostile["warnings"] == []


def test_hostile_pack_builds_and_shows_markup_as_text(hostile):
    for edition in EDITIONS:
        text = squeeze(pdf_text(hostile["out"] / f"hostile-{edition}.pdf"))
        expected = SHOWN_EVERYWHERE + {"guide": SHOWN_IN_GUIDE, "answer-key": SHOWN_IN_KEY}.get(
            edition, [])
        missing = [needle for needle in expected if squeeze(needle) not in text]
        assert not missing, f"{edition}: not shown as text: {missing}"
        assert "looplooploop" not in text, f"{edition}: template syntax in content was run"


def test_metadata_and_bookmarks_carry_the_literal_text(hostile):
    for edition in EDITIONS:
        reader = PdfReader(hostile["out"] / f"hostile-{edition}.pdf")
        assert reader.metadata.title.startswith("<script>alert('t')</script> {{ 7*7 }} · ")
        assert "<iframe src=file://" in reader.metadata.author
        titles = outline_titles(reader)
        assert any(t.startswith("<object data=file://") and t.endswith("Sect</object>")
                   for t in titles), titles
        assert any(t.startswith("1. <embed src=") for t in titles), titles


def test_the_html_holds_no_element_or_attribute_from_content(hostile):
    loaded = load_pack(hostile["pack"])
    env = make_environment()
    for edition in EDITIONS:
        html = render_html(env, loaded, loaded.parts(), edition, RenderOptions())
        tree = tinyhtml5.parse(html)
        tags = {element.tag.rpartition("}")[2] for element in tree.iter()}
        forbidden = {"script", "iframe", "object", "embed", "base", "image", "b", "frame", "form",
                     "frameset"} | ({"input"} if edition != "answer-key" else set())
        assert not tags & forbidden, tags
        fields = [e.get("name") for e in tree.iter() if e.tag.endswith("}input")]
        if edition == "answer-key":  # the template's own score fields (docs/coaching.md), no more
            ids = [qid for qids in loaded.question_ids for qid in qids]
            assert fields == ["candidate"] + [f"score.{qid}" for qid in ids], fields
        links = [(e.get("rel"), e.get("href")) for e in tree.iter() if e.tag.endswith("}link")]
        assert links == [("stylesheet", "print.css"), ("stylesheet", "breaks.css")], links
        assert len([e for e in tree.iter() if e.tag.endswith("}style")]) == 1
        for element in tree.iter():
            for name, value in element.attrib.items():
                assert not name.startswith("on"), (element.tag, name)
                if name == "style":  # only the templates' own
                    assert re.fullmatch(r"bookmark-level: none|height: \d+mm", value), value
                if name == "href":
                    assert value.startswith(("#", "print.css", "breaks.css") + SAFE_LINK), value
                if name == "src":
                    assert value.startswith((hostile["pack"].parent.as_uri() + "/")), value
        if edition != "worksheet":  # the worksheet shows no answer
            assert f'src="{(hostile["pack"].parent / "pics" / "ok.png").as_uri()}"' in html


def test_links_in_the_pdf_go_only_to_the_web_or_mail(hostile):
    url = hostile["listener"].url
    for edition in EDITIONS:
        targets = link_targets(hostile["out"] / f"hostile-{edition}.pdf")
        assert all(t.startswith(SAFE_LINK) for t in targets), targets
        if edition == "guide":
            assert {f"{url}/web", f"{url}/ok",
                    "mailto:coach@example.org"} <= set(targets), targets


def test_building_the_hostile_pack_made_no_connection(hostile):
    assert hostile["listener"].received == []


def test_no_outside_file_reaches_the_pdfs(hostile):
    for edition in EDITIONS:
        path = hostile["out"] / f"hostile-{edition}.pdf"
        payload = pdf_payload(path)
        assert SECRET.encode() not in payload
        assert SECRET not in pdf_text(path)
        assert b"/EmbeddedFiles" not in payload and b"/FileAttachment" not in payload
        assert b"/JavaScript" not in payload and b"/Launch" not in payload
        sizes = {(int(obj["/Width"]), int(obj["/Height"])) for obj in _images(path)}
        if edition == "worksheet":  # images of answers are hidden there
            assert sizes <= {(10, 10)}, sizes
        else:
            assert sizes == {(10, 10)}, sizes  # the pack's own image, not the 37 x 23 secret


def _images(path: Path):
    return [obj for obj in pdf_objects(path)
            if isinstance(obj, StreamObject) and obj.get("/Subtype") == "/Image"]


# --- Image references: every forbidden kind is a located content error ------------------------

def forbidden_images(content: Path, secrets: dict[str, Path], url: str) -> list[tuple[str, str]]:
    """(src, expected message start) for each forbidden kind, with the files it needs."""
    (content / "pics").mkdir(parents=True, exist_ok=True)
    os.symlink(secrets["png"], content / "leak.png")
    os.symlink("/etc/passwd", content / "passwd.png")
    (content / "pics" / "escape.png").symlink_to(Path("..") / ".." / "outside" / "secret.png")
    (content / "loop-a.png").symlink_to("loop-b.png")
    (content / "loop-b.png").symlink_to("loop-a.png")
    os.mkfifo(content / "pipe.png")
    (content / "words.png").write_text("just words")
    (content / "script.png").write_text("%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 9 9\nshowpage\n")
    (content / "disguised.png").write_text(GOOD_SVG)
    (content / "large.png").write_bytes(tiny_png(8000, 6000))
    (content / "huge.png").write_bytes(tiny_png(20_000, 20_000))
    with (content / "heavy.png").open("wb") as handle:
        handle.write(tiny_png(10, 10))
        handle.truncate(21 * 2**20)
    svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{}</svg>'
    evil_svgs = {
        "web.svg": svg.format(f'<image xlink:href="{url}/svg.png" width="9" height="9"/>'),
        "local.svg": svg.format(f'<image href="{secrets["png"].as_uri()}"/>'),
        "up.svg": svg.format('<use href="../outside/secret.svg#a"/>'),
        "font.svg": svg.format(f"<style>@font-face {{ font-family: x; src: url({url}/f.ttf) }}</style>"),
        "escaped.svg": svg.format(f'<style>@\\69mport "{url}/e.css";</style>'),
        "styled.svg": svg.format(f'<rect style="fill: \\75rl({url}/fill)"/>'),
        "based.svg": svg.replace("<svg ", f'<svg xml:base="{url}/" ').format('<use href="#a"/>'),
        "xxe.svg": (f'<!DOCTYPE svg [<!ENTITY s SYSTEM "{secrets["txt"].as_uri()}">]>'
                    + svg.format("<text>&s;</text>")),
        "sheet.svg": f'<?xml-stylesheet href="{url}/s.css"?>' + svg.format(""),
        "page.svg": "<html><body>not an svg</body></html>",
    }
    for name, text in evil_svgs.items():
        (content / name).write_text(text)
    outside = "leads outside the content folder"
    refers = "must not refer to anything outside itself"
    return [
        (f"{url}/web.png", "is a URL"),
        ("https://example.org/a.png", "is a URL"),
        ("ftp://example.org/a.png", "is a URL"),
        (secrets["png"].as_uri(), "is a URL"),
        ("data:image/png;base64,iVBORw0KGgo=", "is a URL"),
        (f"//127.0.0.1:{url.rpartition(':')[2]}/x.png", "is a URL"),
        (str(secrets["png"]), "is an absolute path"),
        ("../outside/secret.png", outside),
        ("pics/../../outside/secret.png", outside),
        ("leak.png", outside),
        ("passwd.png", outside),
        ("pics/escape.png", outside),
        ("pics\\ok.png", "uses backslashes"),
        ("missing.png", "does not exist in the content folder"),
        ("loop-a.png", "is a symlink that leads nowhere"),
        ("pipe.png", "is not a regular file"),
        ("notes.txt", "is not an image"),
        ("words.png", "is not a PNG, JPEG, GIF or WebP image"),
        ("script.png", "is not a PNG, JPEG, GIF or WebP image"),  # EPS would run Ghostscript
        ("disguised.png", "is not a PNG, JPEG, GIF or WebP image (it looks like an SVG"),
        ("large.png", "is 8000 x 6000 pixels; an image may have at most 40 million pixels"),
        ("huge.png", "has far too many pixels (at most 40 million)"),
        ("heavy.png", "is 21.0 MiB; an image may be at most 20 MiB"),
        ("web.svg", "embeds another image with <image>"),
        ("local.svg", "embeds another image with <image>"),
        ("up.svg", f"refers to '../outside/secret.svg#a'; an SVG image {refers}"),
        ("font.svg", "has an @font-face rule"),
        ("escaped.svg", "has an @import rule"),
        ("styled.svg", f"refers to url({url}/fill)"),
        ("based.svg", "sets xml:base"),
        ("xxe.svg", "has a DOCTYPE"),
        ("sheet.svg", "has a <?xml-stylesheet?> instruction"),
        ("page.svg", "is not an SVG image: its root element is <html>"),
    ]


def test_forbidden_image_references_are_located_content_errors(tmp_path, listener):
    secrets = plant_secrets(tmp_path / "outside")
    content = tmp_path / "content"
    cases = forbidden_images(content, secrets, listener.url)
    lines = ["title: Images", "sections:", "  - title: S", "    questions:",
             "      - question: Q?", "        answer:"]
    expected = []
    for src, message in cases:
        lines += ["          - image:", f"              src: '{src}'", "              alt: a"]
        expected.append((len(lines) - 1, src, message))
    pack = write_pack(content, "images", "\n".join(lines) + "\n")

    result = run_cli("--content", content, "--output", tmp_path / "out")

    assert result.code == 1
    assert "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if line.startswith(str(pack)) or
              line.startswith(os.path.relpath(pack))]
    assert len(errors) == len(cases), result.err
    for error, (line, src, message) in zip(errors, expected):
        shown = src.replace("\\", "\\\\")
        assert f"images.yaml:{line}:20: image src '{shown}' {message}" in error, error
    assert not (tmp_path / "out").exists()
    assert listener.received == []


def test_a_good_svg_and_png_pass_the_checks(tmp_path):
    content = tmp_path / "content"
    (content / "pics").mkdir(parents=True)
    (content / "pics" / "ok.png").write_bytes(tiny_png(10, 10))
    (content / "diagram.svg").write_text(GOOD_SVG)
    (content / "alias.png").symlink_to(Path("pics") / "ok.png")  # a symlink that stays inside
    blocks = [{"image": {"src": src, "alt": "a"}} for src in ("pics/ok.png", "diagram.svg",
                                                              "alias.png", "./pics/../alias.png")]
    pack = small_pack()
    pack["sections"][0]["intro"] = blocks
    write_pack(content, "good", pack)
    result = run_cli("--content", content, "--output", tmp_path / "out", "--edition", "guide")
    assert result.code == 0, result.err


# --- The fetcher: what slips past the load checks still fetches nothing -----------------------

def test_fetcher_refuses_everything_but_files_inside_its_roots(tmp_path, listener):
    from weasyprint.urls import FatalURLFetchingError

    secrets = plant_secrets(tmp_path / "outside")
    content = tmp_path / "content"
    content.mkdir()
    (content / "ok.png").write_bytes(tiny_png(10, 10))
    (content / "leak.png").symlink_to(secrets["png"])
    fetcher = make_fetcher(import_weasyprint(), [content])
    refused = [f"{listener.url}/x.png", "https://127.0.0.1:1/x.png", "ftp://127.0.0.1/x",
               "data:image/png;base64,iVBORw0KGgo=", secrets["png"].as_uri(),
               (content / "leak.png").as_uri(), content.as_uri() + "/../outside/secret.txt",
               "file://otherhost" + str(content / "ok.png"), "file:///dev/zero", "file:///etc/passwd",
               content.as_uri(), (content / "ok.png").as_uri() + "%00.txt"]
    for url in refused:
        with pytest.raises(FatalURLFetchingError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == len(refused)
    response = fetcher.fetch((content / "ok.png").as_uri())
    assert response.read().startswith(b"\x89PNG")
    response.close()
    assert listener.received == []


def test_raw_html_past_the_templates_still_reads_and_fetches_nothing(tmp_path, listener):
    """Defence in depth: HTML no template writes, referring out every way HTML can."""
    secrets = plant_secrets(tmp_path / "outside")
    content = tmp_path / "content"
    content.mkdir()
    url, txt, png = listener.url, secrets["txt"].as_uri(), secrets["png"].as_uri()
    (content / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="50" height="50">'
        f'<image href="{url}/svg.png" width="9" height="9"/>'
        f'<image href="{png}" x="10" width="9" height="9"/>'
        f'<image href="../outside/secret.png" x="20" width="9" height="9"/></svg>')
    attempts = [
        f'<img src="{url}/img.png">', f'<img src="{png}">', '<img src="data:image/png;base64,AA==">',
        f'<img src="{(content / "evil.svg").as_uri()}">',
        f'<link rel="attachment" href="{txt}">', f'<link rel="stylesheet" href="{url}/s.css">',
        f'<style>@import url("{url}/i.css"); p {{ background: url("{png}") }}</style>',
        f'<div style="background-image: url({url}/bg.png)">bg</div>',
        f'<object data="{txt}"></object>', f'<embed src="{png}">', f'<iframe src="{txt}"></iframe>',
        f'<style>@font-face {{ font-family: X; src: url({url}/f.ttf) }} p {{ font-family: X }}</style>',
        f'<svg xmlns="http://www.w3.org/2000/svg"><image href="{png}" width="9" height="9"/></svg>',
    ]
    for attempt in attempts:
        html = f"<html><body><p>Attempt</p>{attempt}</body></html>"
        try:
            pdf = html_to_pdf(html, content)
        except RefusedResource as exc:
            assert exc.refused, attempt
        else:  # WeasyPrint did not ask for it at all (an iframe is not rendered)
            assert SECRET.encode() not in pdf.data
            assert attempt.startswith("<iframe"), f"nothing refused for {attempt}"
    _wait_for(listener, 1)
    assert listener.received == []


def test_a_refusal_while_rendering_is_an_error_not_a_silent_drop(tmp_path, monkeypatch, listener):
    """If a load check ever missed a reference, the build fails for that pack, naming it."""
    import studypack.load

    content = tmp_path / "content"
    content.mkdir()
    (content / "evil.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">'
        f'<image href="{listener.url}/late.png" width="9" height="9"/></svg>')
    pack = small_pack()
    pack["sections"][0]["intro"] = [{"image": {"src": "evil.svg", "alt": "a"}}]
    write_pack(content, "late", pack)
    monkeypatch.setattr(studypack.load, "image_problem", lambda src, root: None)

    result = run_cli("--content", content, "--output", tmp_path / "out", "--edition", "guide")

    assert result.code == 1
    assert "late.yaml:1:1: the guide was not written: studypack fetches no http URL: " \
           f"{listener.url}/late.png" in result.err
    assert not (tmp_path / "out" / "late-guide.pdf").exists()
    assert listener.received == []


@pytest.mark.parametrize("href", [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "javascript&#58;alert(1)", "vbscript:x",
    "file:///etc/passwd", "data:text/html,x", "../secret", "/etc/passwd", "//evil.example/x",
    "#q-1", "ftp://example.org/x", "http:../secret", "HTTP:\\\\evil", "tel:123",
])
def test_markdown_makes_no_link_but_to_the_web_or_mail(href):
    assert "href" not in markdown_inline(f"[x]({href}) <{href}>")
    assert "href" not in markdown_inline(f"[x][r]\n\n[r]: {href}")


@pytest.mark.parametrize("href", ["http://example.org/a", "HTTPS://example.org", "mailto:a@b.example"])
def test_markdown_keeps_web_and_mail_links(href):
    assert f'href="{href}"' in markdown_inline(f"[x]({href})")


# --- YAML and the pack file itself ----------------------------------------------------------

@pytest.mark.parametrize("tagged", [
    "!!python/object/apply:os.system ['touch {marker}']",
    "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
    "!!python/name:os.system",
    "!include {marker}",
    "!!binary aGVsbG8=",
])
def test_yaml_tags_that_build_objects_are_refused(tmp_path, tagged):
    marker = tmp_path / "ran"
    text = ("title: Tags\nsections:\n  - title: S\n    questions:\n      - question: Q?\n"
            f"        answer: {tagged.format(marker=marker)}\n")
    write_pack(tmp_path / "content", "tags", text)
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out")
    assert result.code == 1
    assert "tags.yaml:6:17: expected plain data, found the YAML tag" in result.err
    assert not marker.exists()
    assert not (tmp_path / "out").exists()


def test_a_pack_file_linking_out_of_its_folder_is_refused(tmp_path):
    outside = write_pack(tmp_path / "elsewhere", "real", small_pack())
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "linked.yaml").symlink_to(outside)
    result = run_cli("--content", tmp_path / "content", "--output", tmp_path / "out")
    assert result.code == 1
    assert "linked.yaml:1:1: the pack file is a symlink leading out of its folder" in result.err
