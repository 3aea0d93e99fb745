"""Time each step of the flashcards, the answer key and the deck on one pack:
`python benchmarks/editions_bench.py [pack.yaml] [runs]`.

Prints the median of `runs` runs (default 3), each in a new render session as a build would
make, for: measuring the flashcards' texts (the batch layouts), the guide's layout for the
"continued in the study guide" notes (when a card needs one), the final flashcards PDF, the
worksheet's layout the answer key reads its page numbers from, the answer key PDF, and the Anki
deck. WeasyPrint is imported and warmed up once before timing.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from studypack import cardfit, editions, flashcards  # noqa: E402
from studypack.anki import deck_bytes  # noqa: E402
from studypack.load import load_pack  # noqa: E402
from studypack.render import RenderOptions  # noqa: E402
from studypack.session import RenderSession  # noqa: E402


class TimedSession(RenderSession):
    """A session that times the guide layouts the flashcards ask it for."""

    def __init__(self) -> None:
        super().__init__()
        self.page_seconds = 0.0

    def question_pages(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return super().question_pages(*args, **kwargs)
        finally:
            self.page_seconds += time.perf_counter() - started


def one_run(loaded, parts, options: RenderOptions, root: Path) -> tuple[dict[str, float], int]:
    timings: dict[str, float] = {}
    with TimedSession() as session:
        started = time.perf_counter()
        cards = cardfit.fit_cards(session, loaded, parts, options, root)
        fit = time.perf_counter() - started
        timings["flashcards: fit (measuring layouts)"] = fit - session.page_seconds
        timings["flashcards: guide layout for page notes"] = session.page_seconds
        started = time.perf_counter()
        html = flashcards.sheets_html(session, loaded, parts, options, cards)
        pages = session.html_to_pdf(html, root).pages
        timings["flashcards: final PDF"] = time.perf_counter() - started
    with RenderSession() as session:
        started = time.perf_counter()
        session.question_pages(loaded, parts, "worksheet", options, root)
        timings["answer key: worksheet layout for pages"] = time.perf_counter() - started
    with RenderSession() as session:
        started = time.perf_counter()
        editions.produce(session, loaded, parts, "answer-key", options, root)
        timings["answer key: whole edition, alone"] = time.perf_counter() - started
        started = time.perf_counter()
        deck_bytes(session.env, loaded, parts)
        timings["anki deck"] = time.perf_counter() - started
    return timings, pages


def main(argv: list[str]) -> None:
    path = Path(argv[0] if argv else "content/aws-lambda.yaml")
    runs = int(argv[1]) if len(argv) > 1 else 3
    loaded = load_pack(path, str(path))
    parts, options, root = loaded.parts(), RenderOptions(), path.parent
    with RenderSession() as session:  # warm up: WeasyPrint's import and first layout
        session.html_to_pdf("<p>warm up</p>", root)
    results = [one_run(loaded, parts, options, root) for _ in range(runs)]
    questions = sum(len(p.items) for p in parts)
    print(f"{path} ({questions} questions, {results[0][1]} flashcard pages), median of {runs}:")
    for name in results[0][0]:
        print(f"  {name:42s} {statistics.median(r[0][name] for r in results):6.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
