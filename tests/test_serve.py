"""--serve: the live preview's pages, its safety (Host, traversal, escaping), many clients, and a
real browser (Debian's chromium through selenium) following an author's edits."""

from __future__ import annotations

import http.client
import io
import os
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import small_pack, write_pack
from studypack.build import BuildOptions
from studypack.serve import serve

WAIT = 60  # seconds for a build on a busy 2-core machine


@contextmanager
def serving(tmp_path: Path, editions=("guide", "flashcards"), pack=None):
    content = tmp_path / "content"
    write_pack(content, "alpha", pack or small_pack())
    options = BuildOptions(content=content, output=tmp_path / "output", editions=editions, jobs=1)
    err, stop, ready, address = io.StringIO(), threading.Event(), threading.Event(), []
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(
        serve(options, port=0, out=io.StringIO(), err=err, stop=stop, ready=ready,
              address=address)), daemon=True)
    thread.start()
    assert ready.wait(WAIT), err.getvalue()
    try:
        yield address[0], content, err
    finally:
        stop.set()
        thread.join(15)
        assert not thread.is_alive(), "the server did not stop"
        assert codes == [0]


def get(url: str, path: str, host: str | None = None) -> tuple[int, bytes, str]:
    hostport = url.removeprefix("http://").rstrip("/")
    connection = http.client.HTTPConnection(hostport, timeout=20)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", hostport if host is None else host)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, response.getheader("Content-Type") or ""


def wait_until(condition, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_serves_the_printed_pages_and_says_where(tmp_path):
    with serving(tmp_path) as (url, content, err):
        assert f"Serving on {url}" in err.getvalue().splitlines()
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0/")
        status, body, kind = get(url, "/")
        assert status == 200 and b"/alpha/guide/" in body and b"built" in body
        status, body, _ = get(url, "/alpha/guide/")
        assert status == 200 and b"/alpha/guide/page/1.png" in body
        assert b"/pdf/alpha-guide.pdf" in body
        status, png, kind = get(url, "/alpha/guide/page/1.png")
        assert status == 200 and kind == "image/png" and png.startswith(b"\x89PNG")
        from PIL import Image

        with Image.open(io.BytesIO(png)) as image:  # an A4 page, portrait, at 110 dpi
            assert abs(image.width / image.height - 210 / 297) < 0.01
        status, pdf, kind = get(url, "/pdf/alpha-guide.pdf")
        assert status == 200 and pdf == (tmp_path / "output" / "alpha-guide.pdf").read_bytes()
        assert get(url, "/alpha/guide/page/99.png")[0] == 404


def test_flashcards_show_each_front_beside_its_back(tmp_path):
    with serving(tmp_path, editions=("flashcards",)) as (url, content, err):
        status, body, _ = get(url, "/alpha/flashcards/")
        assert status == 200
        assert b"/alpha/flashcards/card/1/1/front.png" in body
        assert b"/alpha/flashcards/card/1/1/back.png" in body
        assert b"card/1/3/front.png" in body and b"card/1/4/front.png" not in body  # 3 cards
        # The back of the first card (top left on the front) is the top right of the back page:
        # its crop holds the answer label A1, found by rendering and reading the PDF's text there.
        import pypdfium2

        from studypack.serve import card_cells

        front, back = next(card_cells("a4", (0.0, 0.0)))
        pdf = pypdfium2.PdfDocument(str(tmp_path / "output" / "alpha-flashcards.pdf"))
        mm = 72 / 25.4

        def text_in(page_index, box):
            page = pdf[page_index]
            height = page.get_height()
            left, top, width, h = box
            text = page.get_textpage().get_text_bounded(
                left * mm, height - (top + h) * mm, (left + width) * mm, height - top * mm)
            return text

        assert "Q1" in text_in(0, front) and "A1" in text_in(1, back)
        assert "A1" not in text_in(1, (front))
        pdf.close()
        for side in ("front", "back"):
            status, png, kind = get(url, f"/alpha/flashcards/card/1/1/{side}.png")
            assert status == 200 and kind == "image/png"


NOT_SERVED = [
    "/../output/alpha-guide.pdf", "/%2e%2e/content/alpha.yaml", "/pdf/..%2fcontent%2falpha.yaml",
    "/pdf/%2e%2e%2fcontent%2falpha.yaml", "/alpha/..%5c..%5cetc/page/1.png", "/content/alpha.yaml",
    "/output/", "/pdf/", "/pdf/alpha.yaml", "/pdf/.manifest.json", "//etc/passwd",
    "/alpha/nonsense/", "/nope/guide/", "/alpha/guide", "/alpha/guide/page/x.png",
    "/alpha/%2e/guide/", "/pdf/alpha-guide.pdf%00.png", "/etc/passwd",
]


def test_any_other_path_is_not_found_and_reads_nothing(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    with serving(tmp_path, editions=("guide",)) as (url, content, err):
        opened: list[str] = []
        real_read_bytes = Path.read_bytes

        def spy(self):
            opened.append(str(self))
            return real_read_bytes(self)

        for path in NOT_SERVED:
            monkeypatch.setattr(Path, "read_bytes", spy)
            status, body, _ = get(url, path)
            monkeypatch.undo()
            assert status == 404 and b"SECRET" not in body and b"Index of" not in body, path
            assert opened == [], path  # nothing was read


def test_a_foreign_host_header_is_refused(tmp_path):
    with serving(tmp_path, editions=("guide",)) as (url, content, err):
        port = url.rstrip("/").rsplit(":", 1)[1]
        for host in ("evil.example", f"evil.example:{port}", "127.0.0.1:1", ""):
            status, body, _ = get(url, "/alpha/guide/", host=host)
            assert status in (403, 421) and b"page/1.png" not in body
        assert get(url, "/", host=f"localhost:{port}")[0] == 200


def test_pack_text_is_escaped_in_the_page(tmp_path):
    pack = small_pack()
    pack["sections"][0]["questions"][0]["points"] = "<img src=x onerror=alert(1)>"
    with serving(tmp_path, editions=("guide",), pack=pack) as (url, content, err):
        status, body, _ = get(url, "/alpha/guide/")
        assert status == 200 and b"alpha.yaml:" in body
        assert b"<img src=x" not in body and b"&lt;img src=x" in body


def test_errors_replace_stale_pages_and_the_pages_come_back(tmp_path):
    with serving(tmp_path, editions=("guide",)) as (url, content, err):
        good = (content / "alpha.yaml").read_text()
        (content / "alpha.yaml").write_text(good.replace("title: Networking Basics",
                                                         "title: [unclosed"))
        wait_until(lambda: b"class=errors" in get(url, "/alpha/guide/")[1])
        body = get(url, "/alpha/guide/")[1]
        assert b"page/1.png" not in body
        assert b"1 error" in get(url, "/")[1]
        assert get(url, "/alpha/guide/page/1.png")[0] == 404  # no stale page either
        (content / "alpha.yaml").write_text(good.replace("Networking Basics", "Routing Basics"))
        wait_until(lambda: b"page/1.png" in get(url, "/alpha/guide/")[1])


def test_many_event_clients_connecting_and_dropping_leak_nothing(tmp_path):
    with serving(tmp_path, editions=("guide",)) as (url, content, err):
        hostport = url.removeprefix("http://").rstrip("/")
        host, port = hostport.rsplit(":", 1)
        threads_before = threading.active_count()
        sockets = []
        for _ in range(50):
            s = socket.create_connection((host, int(port)), timeout=10)
            s.sendall(f"GET /events HTTP/1.1\r\nHost: {hostport}\r\n\r\n".encode())
            sockets.append(s)
        for s in sockets:  # each gets its headers and the current build at once
            data = b""
            while b"data:" not in data:
                chunk = s.recv(4096)
                assert chunk, "connection closed early"
                data += chunk
            assert b"text/event-stream" in data
        for s in sockets[::2]:
            s.close()  # drop half without a word
        (content / "alpha.yaml").write_text(
            (content / "alpha.yaml").read_text().replace("Networking", "Switching"))
        for s in sockets[1::2]:  # the rest hear of the rebuild
            s.settimeout(WAIT)
            data = b""
            while b"data: 2" not in data:
                chunk = s.recv(4096)
                assert chunk
                data += chunk
            s.close()
        assert get(url, "/")[0] == 200  # still answering
        assert threading.active_count() <= threads_before + 2  # no thread per client left


# --- a real browser -------------------------------------------------------------------------------

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and DRIVER):
        pytest.skip("no browser: install Debian's chromium and chromium-driver "
                    "(apt-get install -y chromium chromium-driver) to run the browser tests")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic", "--window-size=1100,900",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        yield driver
    finally:
        driver.quit()


def test_a_browser_follows_the_authors_edits(tmp_path, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with serving(tmp_path, editions=("guide",)) as (url, content, err):
        browser.get(url + "alpha/guide/")
        wait = WebDriverWait(browser, WAIT)
        pages = browser.find_elements(By.CSS_SELECTOR, "img.page")
        assert pages
        wait.until(lambda d: d.execute_script(
            "return [...document.images].every(i => i.complete && i.naturalWidth > 0)"))
        browser.execute_script("window.scrollTo(0, 700)")
        old = browser.execute_script("return document.body.dataset.generation")
        shots = tmp_path / "shots"
        shots.mkdir()

        def reloaded():
            generation = browser.execute_script("return document.body.dataset.generation")
            return generation != old and generation

        # change the pack: the page reloads by itself, with the new PDF, at the same scroll
        good = (content / "alpha.yaml").read_text()
        (content / "alpha.yaml").write_text(good.replace("Networking Basics", "Routing Basics"))
        old = wait.until(lambda d: reloaded())
        wait.until(lambda d: d.execute_script(
            "return [...document.images].every(i => i.complete && i.naturalWidth > 0)"))
        assert abs(browser.execute_script("return window.scrollY") - 700) < 5
        from pypdf import PdfReader

        assert "Routing Basics" in PdfReader(tmp_path / "output" / "alpha-guide.pdf").pages[0].extract_text()
        browser.save_screenshot(str(shots / "changed.png"))

        # a typo: the error in place of the pages
        (content / "alpha.yaml").write_text(good.replace("title: Networking Basics",
                                                         "title: [unclosed"))
        old = wait.until(lambda d: reloaded())
        errors = browser.find_element(By.CSS_SELECTOR, ".errors").text
        assert "alpha.yaml:" in errors and not browser.find_elements(By.CSS_SELECTOR, "img.page")
        line = [t for t in errors.splitlines() if "alpha.yaml:" in t][0]
        file, row, col, _ = line.split(":", 3)
        assert row.strip().isdigit() and col.strip().isdigit()

        # fixed: the pages again
        (content / "alpha.yaml").write_text(good)
        wait.until(lambda d: reloaded())
        assert browser.find_elements(By.CSS_SELECTOR, "img.page")
        assert not browser.find_elements(By.CSS_SELECTOR, ".errors")


def test_pages_older_than_the_pack_file_say_so(tmp_path):
    with serving(tmp_path, editions=("guide",)) as (url, content, err):
        assert b"older than" not in get(url, "/alpha/guide/")[1]
        later = time.time() + 3600  # saved "after" the build: the pages shown predate it
        os.utime(content / "alpha.yaml", (later, later))
        wait_until(lambda: b"older than" in get(url, "/alpha/guide/")[1])
        assert b"page/1.png" in get(url, "/alpha/guide/")[1]  # still shown, with the notice


def test_the_command_serves_on_a_free_port_and_stops_on_ctrl_c(tmp_path):
    import re
    import signal
    import subprocess
    import sys

    from conftest import ROOT

    write_pack(tmp_path / "content", "alpha", small_pack())
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "--serve", "--port", "0", "--edition", "guide",
         "-j", "1", "-q"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    try:
        line = ""
        deadline = time.monotonic() + WAIT
        while "Serving on" not in line and time.monotonic() < deadline:
            line = process.stderr.readline()
            assert line or process.poll() is None, "the command ended early"
        match = re.fullmatch(r"Serving on (http://127\.0\.0\.1:(\d+)/)\n", line)
        assert match and match[2] != "0", line
        assert get(match[1], "/alpha/guide/")[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_rendered_pages_are_cached_per_content_hash_within_a_limit(tmp_path):
    from studypack.serve import PageImages

    content = tmp_path / "content"
    write_pack(content, "alpha", small_pack())
    from conftest import run_cli

    assert run_cli("--content", content, "--output", tmp_path / "out", "--edition", "guide",
                   "-j", "1", "-q").code == 0
    data, digest = PageImages.read(tmp_path / "out" / "alpha-guide.pdf")
    images = PageImages()
    first = images.png(data, digest, 0)
    assert images.png(data, digest, 0) is first  # the same bytes: not rendered again
    small = PageImages(limit=len(first) + 10)
    small.png(data, digest, 0)
    second = small.png(data, digest, 1)
    assert second and small.size <= len(first) + 10 + len(second)
    assert len(small.cache) == 1  # the older page was dropped


def test_requests_beyond_the_bounds_are_refused_before_routing(tmp_path, monkeypatch):
    """A request target longer than any of the preview's own (414), a request with a body (413),
    and more open event streams than the limit (503): refused, and the server goes on."""
    from studypack import limits

    monkeypatch.setattr(limits, "MAX_EVENT_CLIENTS", 2)
    with serving(tmp_path, editions=("guide",)) as (url, content, err):
        assert get(url, "/alpha/guide/" + "a" * 3000)[0] == 414
        hostport = url.removeprefix("http://").rstrip("/")
        connection = http.client.HTTPConnection(hostport, timeout=20)
        connection.request("GET", "/", body=b"x" * 10, headers={"Host": hostport})
        assert connection.getresponse().status == 413
        connection.close()
        streams = []
        for _ in range(2):
            held = http.client.HTTPConnection(hostport, timeout=20)
            held.request("GET", "/events", headers={"Host": hostport})
            response = held.getresponse()
            assert response.status == 200
            response.fp.readline()  # the first event: the stream is open
            streams.append(held)
        assert get(url, "/events")[0] == 503
        for held in streams:
            held.close()
        wait_until(lambda: get(url, "/")[0] == 200)
        assert get(url, "/alpha/guide/")[0] == 200
