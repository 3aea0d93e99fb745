"""Bounds on what one pack, image or document may cost to build, each with the reason for it.

Every bound is generous for real material (the 2,000-question benchmark pack, 2.4 MiB, is well
inside each) and keeps the worst input a build accepts to minutes and a few GiB, not hours and
the machine's memory. docs/security.md lists them.
"""

from __future__ import annotations

import os
import re

# --- The pack file (studypack/yamlread.py) ---------------------------------------------------
# Aliases may add at most this many values to what the file spells out (a larger sum is an alias
# bomb); and no value sits deeper than MAX_DEPTH collections. A pack needs about a dozen levels.
MAX_ALIAS_VALUES = 100_000
MAX_DEPTH = 64
# A 2,000-question pack is about 2.4 MiB, and lays out in about 550 guide pages and 1.3 GiB.
MAX_FILE_BYTES = 16 * 2**20
# Characters of text the pack holds once its aliases are expanded: a few long aliased strings
# would otherwise turn a small file into gigabytes of text to lay out.
MAX_TEXT_CHARS = 6_000_000

# --- The document (studypack/load.py): counted over the whole pack --------------------------
MAX_SECTIONS = 1_000  # the benchmark pack has 100
MAX_QUESTIONS = 5_000  # every question is about a third of a page in the guide
MAX_LIST_ITEMS = 20_000  # list items and key points: each is a box of its own in every edition
MAX_LIST_ITEMS_EACH = 1_000  # in one list (about 20 ms of layout an item, over every edition)
MAX_TABLE_CELLS = 50_000  # headings and cells of every table
MAX_TABLE_CELLS_EACH = 5_000  # in one table
# One text (a paragraph, list item, cell or code listing): longer is not a paragraph but a book.
MAX_BLOCK_CHARS = 100_000
# Markup (code spans, emphasis, links) with no space between: WeasyPrint 70 looks back over every
# box of such a run for each line it breaks, so a run of N pieces costs N^2 (4,000 pieces: 45 s).
MAX_INLINE_RUN = 200

# --- Images (studypack/assets.py) --------------------------------------------------------------
MAX_IMAGE_BYTES = 20 * 2**20
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_FRAMES = 100  # an animation's frames are each read (only the first is printed)
MAX_SVG_ELEMENTS = 50_000  # after every <use> is expanded: each is drawn, as often as it is used
MAX_SVG_DEPTH = 100  # nested elements (and <use> chains)
MAX_SVG_SIDE = 20_000  # width or height, in CSS pixels (about 5 m): a page is about 800

# --- A worker process (studypack/parallel.py) ----------------------------------------------
# The ceiling on the memory (RLIMIT_DATA) of one process that renders documents: the 2,000-
# question answer key peaks at 1.3 GiB. A worker that outgrows it fails that document, cleanly.
DEFAULT_MEMORY_LIMIT = 4 * 2**30
MEMORY_LIMIT_VARIABLE = "STUDYPACK_MEMORY_LIMIT"

_SPLIT = "split the pack into several packs of a few sections each"
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*$", re.IGNORECASE)


def over(what: str, found: int, limit: int, *, split: str = _SPLIT) -> str:
    """The message for a count over its limit, naming the limit and how to get under it."""
    return f"expected at most {limit:,} {what}, found {found:,}: {split}"


def parse_size(text: str) -> int | None:
    """Bytes from `4G`, `512M`, `2.5GiB`, `1000000`; 0 for `0`, `none` or `off` (no ceiling);
    None when the text is not a size."""
    if text.strip().lower() in ("none", "off", "0"):
        return 0
    match = _SIZE.match(text)
    if not match:
        return None
    scale = 1024 ** " KMGT".index(match.group(2).upper() or " ")
    return int(float(match.group(1)) * scale)


def default_memory_limit() -> int:
    """STUDYPACK_MEMORY_LIMIT when set (a size, or 0 for none), else DEFAULT_MEMORY_LIMIT."""
    setting = os.environ.get(MEMORY_LIMIT_VARIABLE, "")
    size = parse_size(setting) if setting else None
    return DEFAULT_MEMORY_LIMIT if size is None else size


def size_text(size: int) -> str:
    """`4 GiB`, `300 MiB`."""
    if size >= 2**30 and size % 2**30 == 0:
        return f"{size // 2**30} GiB"
    return f"{size / 2**20:.0f} MiB"


# --- What --import reads from an Anki package (studypack/importers/apkg.py) ---------------------
# A .apkg is a zip: its members and their declared uncompressed size are counted before any is
# read (a zip bomb declares little and inflates to much: members are read with the cap, too), and
# a query of its SQLite collection is stopped after this long.
MAX_APKG_MEMBERS = 20_000
MAX_APKG_BYTES = 512 * 2**20
MAX_APKG_QUERY_SECONDS = 60

# --- The preview server's requests (studypack/serve.py) -----------------------------------------
# Its own URLs are short (pack id, edition, page number): a longer request target is refused
# (414) before routing; requests carry no body (413 for one that says it does); each open page
# holds one event stream, and beyond this many at once a new one is refused (503) rather than
# tying up the server. uvicorn's HTTP parser bounds the header size itself (h11: 16 KiB).
MAX_REQUEST_TARGET = 2048
MAX_EVENT_CLIENTS = 64
