"""How long loading takes, and what refusing hostile files costs: `python benchmarks/loader.py`."""

from __future__ import annotations

import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from studypack.load import load_pack  # noqa: E402
from studypack.model import ContentErrors  # noqa: E402

SEED = Path(__file__).resolve().parent.parent / "content" / "aws-lambda.yaml"


def seed_times(copies: int) -> str:
    """The seed pack with its sections repeated: 20 questions per copy, ids left to the loader."""
    head, _, sections = SEED.read_text(encoding="utf-8").partition("sections:\n")
    sections = re.sub(r"^      - id: .*\n        question:", "      - question:", sections,
                      flags=re.M)
    return head + "sections:\n" + sections * copies


def billion_laughs() -> str:
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def measure(path: Path) -> tuple[float, float, str]:
    """Best wall time of three loads, peak traced memory of one, and the outcome."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        try:
            load_pack(path)
            outcome = "loaded"
        except ContentErrors as exc:
            outcome = f"refused: {exc.errors[0].message[:60]}"
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    try:
        load_pack(path)
    except ContentErrors:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak, outcome


def main() -> None:
    cases = {
        "seed pack (20 questions)": seed_times(1),
        "200 questions": seed_times(10),
        "2,000 questions": seed_times(100),
        "billion laughs (9**9 values)": billion_laughs(),
        "brackets nested 100,000 deep": "title: " + "[" * 100_000 + "]" * 100_000 + "\n",
    }
    print("| file | size | load | peak memory | outcome |\n|---|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as folder:
        for name, text in cases.items():
            path = Path(folder) / "pack.yaml"
            path.write_text(text, encoding="utf-8")
            seconds, peak, outcome = measure(path)
            print(f"| {name} | {len(text.encode()) / 1024:,.0f} KiB | {seconds * 1000:,.1f} ms "
                  f"| {peak / 2**20:,.1f} MiB | {outcome} |")


if __name__ == "__main__":
    main()
