"""One Jinja2 environment and one template per edition: a pack's parts become HTML."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2
import jinja2.bccache
from markdown_it import MarkdownIt
from markupsafe import Markup

from . import breaks, markdown_images, multiple_choice
from .assets import TEMPLATES
from .model import Block, LoadedPack, Part
from .options import EDITION_TITLES, EDITIONS, PAPERS, build_date  # noqa: F401 (re-exported)

_SAFE_SCHEMES = ("http://", "https://", "mailto:")


def _markdown() -> MarkdownIt:
    """CommonMark with raw HTML shown as text, images from the pack, links only to the web or mail."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    markdown_images.install(md)  # images only from the pack's folder, checked when loading
    md.validateLink = lambda url: url.strip().lower().startswith(_SAFE_SCHEMES)
    # A heading inside a block would break the document's heading order (and add a bookmark):
    # the templates own h1 (sections) and h2 (questions), so a markdown heading is a bold line.
    md.add_render_rule("heading_open", lambda *_: '<p class="md-heading"><strong>')
    md.add_render_rule("heading_close", lambda *_: "</strong></p>\n")
    return md


_MD = MARKDOWN = _markdown()  # MARKDOWN: for the loader's checks (cost.py)


def markdown_block(text: str | None, image_url=None) -> Markup:
    """`text` as HTML; `image_url` turns an image's path in the pack's folder into its URL."""
    return Markup(_MD.render(text or "", {"image_url": image_url}))


def markdown_inline(text: str | None, image_url=None) -> Markup:
    return Markup(_MD.renderInline(text or "", {"image_url": image_url}))


def markdown_images_in(text: str) -> list[tuple[str, str]]:
    """(path, alt text) of each image in a markdown text."""
    return markdown_images.images_in(_MD, text)


@jinja2.pass_context
def _md_filter(context, text: str | None) -> Markup:
    return markdown_block(text, context.get("image_url"))


@jinja2.pass_context
def _mdi_filter(context, text: str | None) -> Markup:
    return markdown_inline(text, context.get("image_url"))


def plain_text(text: str | None) -> str:
    """Markdown reduced to its words, for bookmarks, metadata and short labels."""
    html = _MD.renderInline(text or "")
    stripped = re.sub(r"<[^>]+>", "", html)
    return (stripped.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&#39;", "'").replace("&amp;", "&"))


# --- Charts ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    """Geometry of a horizontal bar chart, in SVG user units (1 unit = 1 px at 96 dpi)."""

    bars: tuple[Bar, ...]
    width: float
    height: float
    label_width: float
    bar_height: float
    plot_width: float
    description: str = ""
    ticks: tuple[tuple[float, str], ...] = field(default_factory=tuple)


def format_value(value: float, unit: str) -> str:
    number = f"{value:,.10g}"
    if not unit:
        return number
    if unit in ("%", "‰") or len(unit) == 1 and not unit.isalpha():
        return f"{number}{unit}"
    return f"{number} {unit}"


def bar_chart(block: Block) -> BarChart:
    chart = block.chart
    label_width = min(240.0, 16 + 7.6 * max(len(label) for label in chart.data))
    width, bar_height, gap = 600.0, 22.0, 10.0
    plot_width = width - label_width - 80
    top = getattr(chart, "full_scale", None) or max(chart.data.values()) or 1.0  # shares: 100
    bars = tuple(
        Bar(label, format_value(value, chart.unit), i * (bar_height + gap),
            plot_width * value / top)
        for i, (label, value) in enumerate(chart.data.items())
    )
    description = "; ".join(f"{b.label}: {b.value_text}" for b in bars)
    return BarChart(bars, width, len(bars) * (bar_height + gap) - gap + 4, label_width,
                    bar_height, plot_width, description)


# --- The environment and its context -----------------------------------------------------------

@dataclass(frozen=True)
class RenderOptions:
    paper: str = "a4"
    build_date: date | None = None
    variant: str | None = None
    back_offset_mm: tuple[float, float] = (0.0, 0.0)
    candidate: str | None = None  # the roster name a class-set variant is made for (data, escaped)


_FILTER_CALLS = "f2"  # f2: md and mdi take the context (its image_url)


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja2's cache of compiled templates, which never fails a build: a folder that cannot be
    written or a damaged file only means compiling again (about 60 ms for three editions)."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # unreadable, or not what Jinja2 wrote (pickle and marshal errors)
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def compiled_templates_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between builds, as Python keeps __pycache__: in
    $XDG_CACHE_HOME/studypack (else ~/.cache/studypack). Jinja2 checks each entry against its
    template's source and the Python version, so an edited template is compiled again. None
    where that folder cannot be made, or when STUDYPACK_NO_CACHE is set."""
    if os.environ.get("STUDYPACK_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    # Compiled code bakes in how each filter is called (with the context or not): a new calling
    # convention is a new folder, or an unchanged template would call a filter the old way.
    folder = Path(base) / "studypack" / f"jinja2-{jinja2.__version__}-{_FILTER_CALLS}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return _CompiledTemplates(str(folder))


def make_environment(templates: Path = TEMPLATES) -> jinja2.Environment:
    """The one Jinja2 environment: autoescaped, strict, with the markdown filters."""
    from .writing_space import (RULE_GAP_MM, row_headers,  # they use plain_text, from here
                                writing_space)

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=compiled_templates_cache(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        md=_md_filter,
        mdi=_mdi_filter,
        plain=plain_text,
    )
    env.globals.update(writing_space=writing_space, row_headers=row_headers, bar_chart=bar_chart,
                       rule_gap_mm=f"{RULE_GAP_MM:g}",
                       edition_titles=EDITION_TITLES, **multiple_choice.TEMPLATE_GLOBALS,
                       **breaks.TEMPLATE_GLOBALS)
    return env


def render_html(env: jinja2.Environment, loaded: LoadedPack, parts: list[Part], edition: str,
                options: RenderOptions, **extra) -> str:
    """The HTML of one edition of one pack; `extra` adds what one edition alone needs."""
    when = options.build_date or build_date()
    items = [item for part in parts for item in part.items]
    template = env.get_template(f"{edition}.html")
    return template.render(
        pack=loaded.pack,
        pack_id=loaded.pack_id,
        parts=parts,
        items=items,
        edition=edition,
        edition_title=EDITION_TITLES[edition],
        paper=PAPERS[options.paper],
        date=when,
        date_text=f"{when.day} {when:%B %Y}",
        variant=options.variant,
        candidate=options.candidate,
        total_points=sum(item.question.points for item in items),
        image_url=lambda src: (Path(loaded.path).parent / src).resolve().as_uri(),
        **extra,
    )
