"""Time each step of the new editions on one pack: `python3 benchmarks/editions_bench.py [pack.yaml] [runs]`.

Prints the median of `runs` runs (default 3) for: fitting the flashcards (the batch layouts that
measure card texts), the guide layout used for "continued on page" notes, the final flashcards
PDF, the worksheet layout the answer key reads its page numbers from, the answer key PDF, and the
Anki deck. WeasyPrint is imported and warmed up once before timing.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from studypack import editions, flashcards  # noqa: E402
from studypack.anki import deck_bytes  # noqa: E402
from studypack.load import load_pack  # noqa: E402
from studypack.pdf import html_to_pdf  # noqa: E402
from studypack.render import RenderOptions, make_environment, render_html  # noqa: E402


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "content/aws-lambda.yaml")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    loaded = load_pack(path, str(path))
    parts, options, root = loaded.parts(), RenderOptions(), path.parent
    real_layout = editions.layout
    real_layout("<p>warm up</p>", root)
    timings: dict[str, list[float]] = {}
    layouts: list[float] = []

    def timed_layout(html, content_root):
        started = time.perf_counter()
        document = real_layout(html, content_root)
        layouts.append(time.perf_counter() - started)
        return document

    for _ in range(runs):
        layouts.clear()
        editions.layout = timed_layout
        started = time.perf_counter()
        cards = flashcards.fit_cards(loaded, parts, options, root)
        fit = time.perf_counter() - started
        editions.layout = real_layout
        # layouts[:-1] measure texts; the last one, if the guide was needed, gives its pages
        guide = layouts[-1] if any(c.back.note for c in cards) else 0.0
        timings.setdefault("flashcards: fit (measuring layouts)", []).append(fit - guide)
        timings.setdefault("flashcards: guide layout for page notes", []).append(guide)
        started = time.perf_counter()
        html = render_html(make_environment(), loaded, parts, "flashcards", options, measure=[],
                           sheets=flashcards.sheets(cards, "a4", (0.0, 0.0)),
                           body_width=flashcards.BODY_W)
        pdf = html_to_pdf(html, root)
        timings.setdefault("flashcards: final PDF", []).append(time.perf_counter() - started)
        started = time.perf_counter()
        editions.question_pages(loaded, parts, "worksheet", options, root)
        timings.setdefault("answer key: worksheet layout for pages", []).append(
            time.perf_counter() - started)
        started = time.perf_counter()
        editions.produce(loaded, parts, "answer-key", options, root)
        timings.setdefault("answer key: whole edition", []).append(time.perf_counter() - started)
        started = time.perf_counter()
        deck_bytes(loaded, parts)
        timings.setdefault("anki deck", []).append(time.perf_counter() - started)
    questions = sum(len(p.items) for p in parts)
    print(f"{path} ({questions} questions, {pdf.pages} flashcard pages), "
          f"median of {runs}:")
    for name, values in timings.items():
        print(f"  {name:42s} {statistics.median(values):6.2f} s")


if __name__ == "__main__":
    main()
