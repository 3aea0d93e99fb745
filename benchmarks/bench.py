"""The build benchmark: `python benchmarks/bench.py` times generated packs and real builds.

Each measurement runs in a fresh process, as an author's build would, and prints Markdown tables
(kept in docs/performance.md). Builds are timed in wall and CPU seconds; the stages of one
document (loading, Jinja2, WeasyPrint's import, layout, PDF writing) in CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from studypack.incremental import MANIFEST_NAME  # noqa: E402
from studypack.layoutstore import FOLDER as LAYOUT_FOLDER  # noqa: E402
from studypack.options import EDITIONS  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED_CONTENT = ROOT / "content"
SEED_PACK = "aws-lambda"
WORDS = ("function request queue event memory timeout handler latency retry cache region "
         "deploy version alias trigger stream batch record table index partition throughput "
         "scaling concurrency permission role policy secret token network endpoint gateway "
         "payload response error log metric trace cost storage bucket object replica").split()


# --- Generated packs -----------------------------------------------------------------------

def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def generated_pack(questions: int, seed: int = 6) -> dict:
    """A pack of `questions` questions in sections of 20: answers of about 80 words, three key
    points each, and a table in every tenth question."""
    rng = random.Random(seed)
    sections = []
    for first in range(0, questions, 20):
        items = []
        for n in range(first, min(first + 20, questions)):
            answer: list[dict] = [{"text": " ".join(sentence(rng, 16) for _ in range(5))}]
            if n % 10 == 9:
                answer.append({"table": {
                    "caption": f"Comparison {n + 1}", "columns": ["Aspect", "Option A", "Option B"],
                    "rows": [[rng.choice(WORDS).title(), sentence(rng, 4), sentence(rng, 5)]
                             for _ in range(4)]}})
            items.append({"id": f"q{n + 1}", "question": sentence(rng, 10)[:-1] + "?",
                          "answer": answer, "key_points": [sentence(rng, 5) for _ in range(3)],
                          "points": 1 + n % 3})
        sections.append({"title": f"Part {first // 20 + 1}", "questions": items})
    return {"title": f"Benchmark pack of {questions} questions", "subtitle": "Generated text",
            "source": "studypack.bench", "sections": sections}


def write_generated(folder: Path, questions: int, name: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or f'bench-{questions}'}.yaml"
    path.write_text(yaml.safe_dump(generated_pack(questions), sort_keys=False), encoding="utf-8")
    return path


# --- Child processes -----------------------------------------------------------------------

def child_edition(pack: str, edition: str, output: str) -> None:
    """In a fresh process: one edition of one pack, each stage timed, as JSON on stdout."""
    clock = time.process_time  # CPU seconds: other processes on the machine do not count
    started = clock()
    from studypack.paths import display_path
    from studypack.load import load_pack
    from studypack.pdf import html_to_pdf, import_weasyprint, write_atomic
    from studypack.render import RenderOptions, make_environment, render_html

    imported = clock()
    loaded = load_pack(Path(pack), display_path(Path(pack)))
    loaded_at = clock()
    html = render_html(make_environment(), loaded, loaded.parts(), edition, RenderOptions())
    rendered = clock()
    import_weasyprint()
    weasy = clock()
    pdf = html_to_pdf(html, Path(pack).parent)
    target = Path(output) / f"{loaded.pack_id}-{edition}.pdf"
    write_atomic(target, pdf.data)
    print(json.dumps({
        "imports": imported - started, "load": loaded_at - imported, "render": rendered - loaded_at,
        "weasyprint_import": weasy - rendered, "layout": pdf.layout_seconds,
        "write": pdf.write_seconds, "pages": pdf.pages, "bytes": len(pdf.data),
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def child_build(content: str, output: str, jobs: int, force: bool) -> None:
    """In a fresh process: a real build, with what each job and worker spent, as JSON."""
    started = time.perf_counter()
    from studypack.build import BuildOptions, build

    with open(os.devnull, "w") as quiet:
        result = build(BuildOptions(content=Path(content), output=Path(output), jobs=jobs,
                                    force=force, editions=EDITIONS), out=quiet, err=quiet)
    weasyprint = sum(s.import_seconds + w.layout_seconds + w.write_seconds for w, s in result.runs)
    print(json.dumps({
        "seconds": time.perf_counter() - started, "written": len(result.written),
        "failures": len(result.failures), "weasyprint_cpu": weasyprint,
        "pages": sum(w.pages for w, _ in result.runs),
        "peak_mib": max((s.peak_rss_kib for _, s in result.runs), default=0) / 1024,
    }))


def in_child(call: str, *args) -> tuple[dict, float, float]:
    """(the child's JSON, wall seconds, CPU seconds of it and its workers)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); "
                               f"from bench import {call}; {call}(*{args!r})"],
        capture_output=True, text=True, cwd=ROOT, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"benchmark step {call}{args} failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(done.stdout.splitlines()[-1]), wall, cpu


def python_start() -> float:
    """CPU seconds of `python -c pass` here (best of 5): the interpreter and its site-packages'
    start-up files, which any Python program pays before its first line."""
    runs = []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return min(runs)


def timed_cli(*args: str) -> tuple[float, float]:
    """Wall and CPU seconds of `python build.py ARGS`, the command an author runs."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"build.py {' '.join(args)} failed:\n{done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


# --- The report ----------------------------------------------------------------------------

def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
            f"WeasyPrint {version('weasyprint')}, {platform.system()} {platform.release()}; "
            f"load average {load:.2f} at the start")


def best_of(repeat: int, step):
    """The fastest of `repeat` runs of step() -> (figures, wall, cpu): the least disturbed one."""
    return min((step() for _ in range(repeat)), key=lambda run: run[1])


LONG = 2000  # packs this long are built in at most two rounds: a minute or more a document


def edition_rows(sizes: list[int], editions: tuple[str, ...], work: Path, repeat: int) -> list[str]:
    """One row per pack size and edition: the fastest of its runs. The runs go in rounds over
    every size, so that a slower spell of the machine slows the short and the long pack alike,
    and their pages per second stay comparable."""
    rows = ["| Pack | Edition | Wall s | CPU s | Pages | Pages/s | Peak MiB | Imports s | "
            "Load s | Jinja2 s | WeasyPrint import s | Layout s | PDF write s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    packs = {size: write_generated(work / f"size-{size}", size) for size in sizes}
    best: dict[tuple[int, str], tuple[dict, float, float]] = {}
    for round_ in range(repeat):
        for size in sizes:
            if size >= LONG and round_ >= 2:
                continue
            for edition in editions:
                run = in_child("child_edition", str(packs[size]), edition, str(work / "out"))
                if (size, edition) not in best or run[1] < best[size, edition][1]:
                    best[size, edition] = run
                print(f"round {round_ + 1}: {size} questions, {edition}: {run[1]:.2f} s",
                      file=sys.stderr, flush=True)
    for size in sizes:
        for edition in editions:
            f, wall, cpu = best[size, edition]
            rate = f["pages"] / (f["layout"] + f["write"])
            rows.append(
                f"| {size} questions | {edition} | {wall:.2f} | {cpu:.2f} | {f['pages']} | "
                f"{rate:.1f} | {f['peak_mib']:.0f} | {f['imports']:.3f} | {f['load']:.3f} | "
                f"{f['render']:.3f} | {f['weasyprint_import']:.3f} | {f['layout']:.3f} | "
                f"{f['write']:.3f} |")
    return rows


# The targets are for the three editions made from templates.
THREE = tuple(arg for edition in EDITIONS for arg in ("--edition", edition))


def edition_share_rows(work: Path, repeat: int, jobs: int) -> list[str]:
    """The default build (every edition) against the three core editions, and the flashcards
    alone against the guide alone: the targets of issue 12."""
    def cold(*args: str) -> tuple[float, float]:
        out = work / "share"
        return min(((shutil.rmtree(out, ignore_errors=True),
                     *timed_cli("--content", str(SEED_CONTENT), "--output", str(out), *args,
                                SEED_PACK))[1:] for _ in range(repeat)), key=lambda r: r[0])

    rows = []
    three = cold("--jobs", str(jobs), *THREE)
    every = cold("--jobs", str(jobs))
    rows.append(f"| Seed pack, every edition, cold, `--jobs {jobs}` | {every[0]:.2f} | "
                f"{every[1]:.2f} | {every[0] / three[0]:.2f} x the three core editions "
                f"({three[0]:.2f} s); target: at most 1.4 x |")
    guide = cold("--jobs", "1", "--edition", "guide")
    cards = cold("--jobs", "1", "--edition", "flashcards")
    rows.append(f"| Seed pack, flashcards alone, cold, `--jobs 1` | {cards[0]:.2f} | "
                f"{cards[1]:.2f} | {cards[0] / guide[0]:.2f} x the guide alone "
                f"({guide[0]:.2f} s); target: at most 1 x |")
    after = warm_cards(work, repeat)
    rows.append(f"| Seed pack, flashcards alone after a guide build, `--jobs 1` | {after[0]:.2f} | "
                f"{after[1]:.2f} | {after[0] / guide[0]:.2f} x the guide alone; the guide's page "
                "map from the layout store |")
    # What the flashcards would cost if the work they add were free: the bounds of target (b).
    fitted = known_layouts(work, repeat, keep_page_map=False)
    rows.append(f"| Seed pack, flashcards alone, cards' fitting known, `--jobs 1` | {fitted[0]:.2f} | "
                f"{fitted[1]:.2f} | {fitted[0] / guide[0]:.2f} x the guide alone: the least a "
                "one-process build costs that lays out the guide for its page numbers |")
    sheets = known_layouts(work, repeat, keep_page_map=True)
    rows.append(f"| Seed pack, flashcards alone, fitting and guide pages known, `--jobs 1` | "
                f"{sheets[0]:.2f} | {sheets[1]:.2f} | {sheets[0] / guide[0]:.2f} x the guide "
                "alone: the sheets' own layout and writing, with nothing else to do |")
    core = edited_rebuild(work, repeat, "--jobs", str(jobs), *THREE)
    edited = edited_rebuild(work, repeat, "--jobs", str(jobs))
    rows.append(f"| Seed pack, every edition after an edit of one question, `--jobs {jobs}` | "
                f"{edited[0]:.2f} | {edited[1]:.2f} | {edited[0] / core[0]:.2f} x the three core "
                f"editions after the same edit ({core[0]:.2f} s); only the edited card's texts "
                "measured again |")
    cards_edited = edited_rebuild(work, repeat, "--jobs", "1", "--edition", "flashcards")
    rows.append(f"| Seed pack, flashcards alone after an edit of one question, `--jobs 1` | "
                f"{cards_edited[0]:.2f} | {cards_edited[1]:.2f} | "
                f"{cards_edited[0] / guide[0]:.2f} x the guide alone (cold) |")
    for row in rows:
        print(row, file=sys.stderr, flush=True)
    return rows


def warm_cards(work: Path, repeat: int) -> tuple[float, float]:
    """The flashcards alone, in an output folder where the guide was just built (best of runs)."""
    out = work / "warm-cards"
    runs = []
    for _ in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        seed = ("--content", str(SEED_CONTENT), "--output", str(out), "--jobs", "1")
        timed_cli(*seed, "--edition", "guide", SEED_PACK)
        runs.append(timed_cli(*seed, "--edition", "flashcards", SEED_PACK))
    return min(runs, key=lambda r: r[0])


def known_layouts(work: Path, repeat: int, keep_page_map: bool) -> tuple[float, float]:
    """The flashcards alone, rebuilt where the layout store holds their measured heights (and,
    with `keep_page_map`, the guide's page map): the PDF and the build state are removed, so the
    sheets are laid out and written again, but nothing is measured (best of runs)."""
    out = work / "known-layouts"
    seed = ("--content", str(SEED_CONTENT), "--output", str(out), "--jobs", "1",
            "--edition", "flashcards", SEED_PACK)
    shutil.rmtree(out, ignore_errors=True)
    timed_cli(*seed)
    runs = []
    for _ in range(repeat):
        for path in out.glob("*.pdf"):
            path.unlink()
        (out / MANIFEST_NAME).unlink(missing_ok=True)
        if not keep_page_map:
            for path in (out / LAYOUT_FOLDER).glob("pages-*.json"):
                path.unlink()
        runs.append(timed_cli(*seed))
    return min(runs, key=lambda r: r[0])


def edited_rebuild(work: Path, repeat: int, *options: str) -> tuple[float, float]:
    """A build of a copy of the seed pack with `options`, again after one question's text
    changed (the second build timed)."""
    content, out = work / "edited", work / "edited-out"
    pack = yaml.safe_load((SEED_CONTENT / f"{SEED_PACK}.yaml").read_text(encoding="utf-8"))
    runs = []
    for n in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(SEED_CONTENT, content, dirs_exist_ok=True)
        args = ("--content", str(content), "--output", str(out), *options, SEED_PACK)
        timed_cli(*args)
        question = pack["sections"][-1]["questions"][-1]
        question["question"] = question["question"].rstrip("?") + f" (edit {n})?"
        (content / f"{SEED_PACK}.yaml").write_text(yaml.safe_dump(pack, sort_keys=False),
                                                   encoding="utf-8")
        runs.append(timed_cli(*args))
    return min(runs, key=lambda r: r[0])


def build_rows(work: Path, repeat: int, pair_size: int) -> list[str]:
    rows = ["| Build | Wall s | CPU s | Notes |", "|---|---|---|---|"]
    jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    def seed_cold(n: int):
        out = work / "seed"
        return lambda: (shutil.rmtree(out, ignore_errors=True),
                        *timed_cli("--content", str(SEED_CONTENT), "--output", str(out),
                                   "--jobs", str(n), *THREE, SEED_PACK))[1:]

    for n in sorted({jobs, 1}, reverse=True):
        wall, cpu = min((seed_cold(n)() for _ in range(repeat)), key=lambda r: r[0])
        rows.append(f"| Seed pack, 3 editions, cold, `--jobs {n}` | {wall:.2f} | {cpu:.2f} | "
                    "target: at most 1.2 s |")
        print(rows[-1], file=sys.stderr, flush=True)
    rows.extend(edition_share_rows(work, repeat, jobs))
    noop = min((timed_cli("--content", str(SEED_CONTENT), "--output", str(work / "seed"),
                          *THREE, SEED_PACK) for _ in range(max(repeat, 3))), key=lambda r: r[0])
    rows.append(f"| Seed pack, no-op rebuild | {noop[0]:.3f} | {noop[1]:.3f} | "
                "target: at most 0.15 s |")
    print(rows[-1], file=sys.stderr, flush=True)

    content = work / "seed-content"
    shutil.copytree(SEED_CONTENT, content, dirs_exist_ok=True)
    start = python_start()
    for n in sorted({1, jobs}):
        figures, wall, cpu = best_of(repeat, lambda: in_child(
            "child_build", str(content), str(work / "seed-own"), n, True))
        own = cpu - figures["weasyprint_cpu"]
        rows.append(f"| Seed pack, cold, `--jobs {n}`: builder's own work (CPU) | {own:.2f} | "
                    f"{cpu:.2f} | {100 * own / wall:.1f}% of the wall time ({wall:.2f} s), "
                    f"{100 * own / cpu:.1f}% of the CPU time; without Python's own start "
                    f"({start:.3f} s): {100 * (own - start) / wall:.1f}% of the wall; "
                    "target: under 10% of the wall |")
        print(rows[-1], file=sys.stderr, flush=True)

    pair = work / "pair"
    for name in ("first", "second"):
        write_generated(pair, pair_size, f"{name}-{pair_size}")
    walls = {}
    for n in (1, 2):
        walls[n], cpu = min((timed_cli("--content", str(pair), "--output", str(work / "pair-out"),
                                       "--jobs", str(n), "--force", *THREE)
                             for _ in range(repeat)),
                            key=lambda r: r[0])
        rows.append(f"| Two {pair_size}-question packs (6 documents), cold, `--jobs {n}` | "
                    f"{walls[n]:.2f} | {cpu:.2f} | "
                    + ("" if n == 1 else f"{walls[2] / walls[1]:.2f} x `--jobs 1`; target: "
                       "at most 0.6 x") + " |")
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


def class_set_rows(work: Path, repeat: int, variants: int) -> list[str]:
    """A class set of the seed pack (worksheets and keys of `variants` variants, merged) against
    one variant's worksheet-plus-key build: the time per variant must not exceed the latter."""
    rows = ["| Build | Wall s | CPU s | Per variant: wall s | CPU s | Notes |",
            "|---|---|---|---|---|---|"]
    pair = ("--edition", "worksheet", "--edition", "answer-key")

    def timed(*args: str) -> tuple[float, float]:
        out = work / "class-set"
        shutil.rmtree(out, ignore_errors=True)
        return min((timed_cli("--content", str(SEED_CONTENT), "--output", str(out), *pair,
                              *args, SEED_PACK) for _ in range(repeat)), key=lambda r: r[0])

    one_wall, one_cpu = timed("--seed", "1")
    rows.append(f"| Seed pack, worksheet + key of one variant (`--seed 1`) | {one_wall:.2f} | "
                f"{one_cpu:.2f} | {one_wall:.2f} | {one_cpu:.2f} | the yardstick |")
    print(rows[-1], file=sys.stderr, flush=True)
    wall, cpu = timed("--class-set", str(variants))
    rows.append(f"| Seed pack, `--class-set {variants}` (2 merged PDFs) | {wall:.2f} | {cpu:.2f} | "
                f"{wall / variants:.2f} | {cpu / variants:.2f} | {wall / variants / one_wall:.2f} x "
                f"one variant's build (CPU {cpu / variants / one_cpu:.2f} x); target: at most 1 x |")
    print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python benchmarks/bench.py", description=__doc__)
    parser.add_argument("--sizes", default="20,200,2000",
                        help="question counts of the generated packs (default: 20,200,2000)")
    parser.add_argument("--editions", default=",".join(EDITIONS),
                        help="editions to time per pack (default: all three)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each small measurement; the fastest is kept (default: 3)")
    parser.add_argument("--pair-size", type=int, default=200,
                        help="questions in each of the two packs of the --jobs comparison")
    parser.add_argument("--skip-builds", action="store_true",
                        help="time the generated packs only, not the seed pack and --jobs builds")
    parser.add_argument("--class-set", type=int, default=30, metavar="N",
                        help="variants of the seed pack's class set (default: 30; 0 skips it)")
    parser.add_argument("--class-set-only", action="store_true",
                        help="time the class set (and its yardstick) only")
    args = parser.parse_args(argv)
    if args.class_set_only:
        print(f"Machine: {machine()}\n", flush=True)
        with tempfile.TemporaryDirectory(prefix="studypack-bench-") as folder:
            print("\n".join(class_set_rows(Path(folder), args.repeat, args.class_set)), flush=True)
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    editions = tuple(e for e in args.editions.split(",") if e)
    print(f"Machine: {machine()}\n", flush=True)
    with tempfile.TemporaryDirectory(prefix="studypack-bench-") as folder:
        work = Path(folder)
        lines = edition_rows(sizes, editions, work, args.repeat)
        print("\n".join(lines), flush=True)
        if not args.skip_builds:
            print("\n" + "\n".join(build_rows(work, args.repeat, args.pair_size)), flush=True)
            if args.class_set > 0:
                print("\n" + "\n".join(class_set_rows(work, args.repeat, args.class_set)),
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
