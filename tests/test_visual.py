"""The first pages of each edition look as they did: rendered to PNG, compared with references.

Regenerate the references after an intended change of layout (and look at them):
    python3 -m pytest tests/test_visual.py --update-references
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from conftest import SEED_PACK
from pdfcheck import build_quietly, render_pages
from studypack.render import EDITIONS

REFERENCES = Path(__file__).resolve().parent / "reference"
# Two pages of each edition; the guide's third page has the chart.
FIRST_PAGES = {edition: 3 if edition == "guide" else 2 for edition in EDITIONS}
SCALE = 0.5  # 36 dpi: small files, still shows every line and box
# Mean absolute difference per pixel (0-255 greys). Measured on the seed pack: the same PDF
# renders identically (0.0); another date on the cover 0.06; the worksheet's "Name 4:" hint
# 0.5 pt larger 0.29-0.45; question headings 1 pt larger 1.2-8.8; the left margin 1 mm wider
# 0.44-7.3. The limit lets through rasterising noise and catches a moved line or box.
TOLERANCE = 0.35
BUILD_DATE = "1767225600"  # 1 January 2026: the cover shows the build date


@pytest.fixture(scope="module")
def seed_pdfs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("visual")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", BUILD_DATE)
        build_quietly("--content", SEED_PACK.parent, "--output", out, "aws-lambda")
    return out


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return ImageStat.Stat(ImageChops.difference(a, b)).mean[0]


@pytest.mark.parametrize("edition", FIRST_PAGES)
def test_first_pages_match_references(seed_pdfs, edition, request, tmp_path):
    update = request.config.getoption("--update-references")
    pages = render_pages(seed_pdfs / f"aws-lambda-{edition}.pdf", FIRST_PAGES[edition], SCALE)
    assert len(pages) == FIRST_PAGES[edition]
    failures = []
    for number, page in enumerate(pages, start=1):
        reference = REFERENCES / f"{edition}-page{number}.png"
        if update:
            REFERENCES.mkdir(exist_ok=True)
            page.save(reference, optimize=True)
            continue
        assert reference.exists(), (
            f"no reference image {reference.name}: run "
            "'python3 -m pytest tests/test_visual.py --update-references'")
        expected = Image.open(reference).convert("L")
        if expected.size != page.size:
            failures.append(f"{reference.name}: size {page.size}, reference {expected.size}")
            continue
        difference = mean_difference(page, expected)
        if difference > TOLERANCE:
            actual = tmp_path / f"actual-{reference.name}"
            page.save(actual)
            ImageChops.invert(ImageChops.difference(page, expected)).save(
                tmp_path / f"diff-{reference.name}")
            failures.append(f"{reference.name}: mean difference {difference:.2f} > {TOLERANCE} "
                            f"(see {actual} and diff-{reference.name} beside it)")
    assert not failures, "\n".join(failures)


def test_reference_images_stay_small():
    references = sorted(REFERENCES.glob("*.png"))
    assert len(references) == sum(FIRST_PAGES.values())
    assert sum(p.stat().st_size for p in references) < 400_000
