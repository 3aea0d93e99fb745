"""What PDF/UA tagging and booklet imposition cost: the seed pack's editions, timed in-process.

Run from the repository root:  python3 benchmarks/tags_and_booklet.py [content/PACK.yaml] [rounds]
"""

from __future__ import annotations

import statistics
from functools import partial
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from studypack.assets import TEMPLATES  # noqa: E402
from studypack.booklet import impose  # noqa: E402
from studypack.load import load_pack  # noqa: E402
from studypack.pdf import import_weasyprint, make_fetcher  # noqa: E402
from studypack.render import EDITIONS, RenderOptions, make_environment, render_html  # noqa: E402

ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 3


def timed(function):
    started = time.perf_counter()
    value = function()
    return time.perf_counter() - started, value


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "content/aws-lambda.yaml")
    weasyprint = import_weasyprint()
    pack = load_pack(path, str(path))
    fetcher = make_fetcher(weasyprint, [TEMPLATES, path.parent])
    print(f"{'edition':<11} {'pages':>5} {'plain s':>8} {'ua-1 s':>8} {'plain KB':>9} "
          f"{'ua-1 KB':>8} {'impose s':>9} {'booklet KB':>11}")
    for edition in EDITIONS:
        html = render_html(make_environment(), pack, pack.parts(), edition, RenderOptions())
        times: dict[str | None, list[float]] = {None: [], "pdf/ua-1": []}
        sizes: dict[str | None, int] = {}
        for _ in range(ROUNDS):
            for variant in times:
                document = weasyprint.HTML(string=html, base_url=TEMPLATES.as_uri() + "/",
                                           url_fetcher=fetcher).render()
                seconds, data = timed(partial(document.write_pdf, pdf_variant=variant))
                times[variant].append(seconds)
                sizes[variant] = len(data)
                pages = len(document.pages)
                del document
        imposing = [timed(lambda: impose(data)) for _ in range(ROUNDS)]
        print(f"{edition:<11} {pages:>5} {statistics.median(times[None]):>8.3f} "
              f"{statistics.median(times['pdf/ua-1']):>8.3f} {sizes[None] / 1024:>9.0f} "
              f"{sizes['pdf/ua-1'] / 1024:>8.0f} "
              f"{statistics.median(s for s, _ in imposing):>9.3f} "
              f"{len(imposing[0][1]) / 1024:>11.0f}")


if __name__ == "__main__":
    main()
