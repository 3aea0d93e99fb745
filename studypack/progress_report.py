"""--progress: one candidate's scores over time as a PDF: per section per session, trend, weakest."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from .model import LoadedPack
from .render import plain_text
from .scores import Session, latest_scores

WEAKEST = 10
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")  # sections stay apart in black and white
MARKERS = ("circle", "square", "diamond")


@dataclass(frozen=True)
class Line:
    label: str
    points: tuple[tuple[float, float, float], ...]  # (x, y, share) of the sessions with a score
    dash: str
    marker: str
    overall: bool = False


@dataclass(frozen=True)
class LineChart:
    """A line chart of shares (0-100 %) over sessions, in SVG user units."""

    width: float
    height: float
    left: float
    top: float
    plot_width: float
    plot_height: float
    lines: tuple[Line, ...]
    x_labels: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    description: str


def share(scores) -> float | None:
    most = sum(s.maximum for s in scores)
    return sum(s.points for s in scores) / most if most else None


def percent(value: float) -> str:
    return f"{round(value * 100):d}%"


def section_shares(loaded: LoadedPack, history: list[Session]) -> list[tuple[str, list]]:
    """(section title, [share or None per session]) for each section, then the overall line."""
    rows = []
    for section, qids in zip(loaded.pack.sections, loaded.question_ids):
        wanted = set(qids)
        shares = [share([s for s in session.scores if s.question in wanted])
                  for session in history]
        if any(v is not None for v in shares):  # a section never scored is left out
            rows.append((plain_text(section.title), shares))
    rows.append(("Overall", [share(session.scores) for session in history]))
    return rows


def line_chart(rows: list[tuple[str, list]], history: list[Session]) -> LineChart:
    width, left, top, right, bottom = 600.0, 44.0, 10.0, 36.0, 34.0
    plot_width, plot_height = width - left - right, 220.0
    count = len(history)
    step = plot_width / (count - 1) if count > 1 else 0.0

    def x(i: int) -> float:
        return left + (i * step if count > 1 else plot_width / 2)

    lines = []
    for index, (label, shares) in enumerate(rows):
        overall = index == len(rows) - 1
        points = tuple((x(i), top + plot_height * (1 - v), v)
                       for i, v in enumerate(shares) if v is not None)
        if points:
            lines.append(Line(label, points, "" if overall else DASHES[index % len(DASHES)],
                              MARKERS[index % len(MARKERS)], overall))
    labels = tuple((x(i), f"{s.recorded_at[:10]}") for i, s in enumerate(history))
    ticks = tuple((top + plot_height * (1 - v / 100), f"{v}%") for v in (0, 25, 50, 75, 100))
    description = "; ".join(
        f"{label}: " + ", ".join(f"{s.recorded_at[:10]} {percent(v)}"
                                 for s, v in zip(history, shares) if v is not None)
        for label, shares in rows if any(v is not None for v in shares))
    return LineChart(width, top + plot_height + bottom, left, top, plot_width, plot_height,
                     tuple(lines), labels, ticks, description)


def weakest(loaded: LoadedPack, history: list[Session]) -> list[SimpleNamespace]:
    """The questions with the lowest latest share, up to WEAKEST, lowest first, then pack order."""
    latest = latest_scores(history)
    rows = []
    for section, qids in zip(loaded.pack.sections, loaded.question_ids):
        for qid, question in zip(qids, section.questions):
            if qid in latest:
                score, day = latest[qid]
                rows.append(SimpleNamespace(id=qid, question=question.question, score=score,
                                            date=day, share=share([score]) or 0.0))
    rows.sort(key=lambda row: row.share)  # stable: pack order among equals
    return [row for row in rows if row.share < 1][:WEAKEST]


def trend_text(rows: list[tuple[str, list]]) -> str:
    overall = [v for v in rows[-1][1] if v is not None]
    if not overall:
        return "No score recorded yet."
    if len(overall) == 1:
        return f"One session so far: {percent(overall[0])} of the points scored."
    change = round((overall[-1] - overall[0]) * 100)
    way = "up" if change > 0 else "down" if change < 0 else "unchanged"
    return (f"Overall {percent(overall[0])} in the first session, {percent(overall[-1])} in the "
            f"latest ({len(overall)} sessions): {way}"
            + (f" {abs(change)} percentage points." if change else "."))


def progress_html(env, loaded: LoadedPack, candidate: str, history: list[Session], when,
                  paper: str = "A4") -> str:
    rows = section_shares(loaded, history)
    weak = weakest(loaded, history)
    bars = SimpleNamespace(chart=SimpleNamespace(
        data={f"{row.id}": round(row.share * 100, 1) for row in weak}, unit="%", full_scale=100,
        caption="Latest score of the weakest questions, as a share of their points"))
    return env.get_template("progress.html").render(
        pack=loaded.pack, pack_id=loaded.pack_id, items=[], edition="progress",
        edition_title="Progress", variant=None, paper=paper, date=when,
        date_text=f"{when.day} {when:%B %Y}", candidate=candidate, sessions=history,
        rows=rows, chart=line_chart(rows, history), trend=trend_text(rows), weakest=weak,
        weak_bars=bars if weak else None, percent=percent)


def write_progress(loaded: LoadedPack, candidate: str, history: list[Session], target: Path,
                   content_root: Path, paper: str = "a4") -> int:
    """Write the progress PDF atomically; its page count."""
    from . import pdf
    from .options import PAPERS, build_date
    from .render import make_environment

    html = progress_html(make_environment(), loaded, candidate, history, build_date(),
                         PAPERS[paper])
    made = pdf.html_to_pdf(html, content_root)
    pdf.write_atomic(target, made.data)
    return made.pages
