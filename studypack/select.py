"""Sections, tags, count and seed choose the questions of one variant and their order."""

from __future__ import annotations

import hashlib
import random
import re

from .model import Item, LoadedPack, Part
from .multiple_choice import shuffled
from .options import Selection
from .render import plain_text

SEED_PATTERN = re.compile(r"^[a-z0-9]{1,24}$")


class SelectionError(Exception):
    """The selection names something the pack does not have, or asks for too much (exit 2)."""


def normalize_seed(seed: str) -> str:
    """Seeds are letters and digits, compared without case (file names on some disks ignore it)."""
    value = seed.strip().lower()
    if not SEED_PATTERN.match(value):
        raise SelectionError(f"--seed {seed!r}: use 1 to 24 letters or digits, e.g. --seed 7")
    return value


def _section_index(loaded: LoadedPack, name: str) -> int:
    wanted = name.strip().lower()
    for index, (section, sid) in enumerate(zip(loaded.pack.sections, loaded.section_ids)):
        if wanted in (sid.lower(), plain_text(section.title).strip().lower()):
            return index
    known = ", ".join(loaded.section_ids)
    raise SelectionError(f"--section {name!r}: pack {loaded.pack_id!r} has no such section "
                         f"(sections: {known})")


def pack_tags(loaded: LoadedPack) -> list[str]:
    """Every tag used in the pack, lower-cased, in order of first use."""
    tags = (tag.lower() for s in loaded.pack.sections for q in s.questions for tag in q.tags)
    return list(dict.fromkeys(tags))


def _check_tags(loaded: LoadedPack, tags: tuple[str, ...]) -> set[str]:
    known = pack_tags(loaded)
    for tag in tags:
        if tag.strip().lower() not in known:
            listed = ", ".join(sorted(known)) or "none"
            raise SelectionError(f"--tag {tag!r}: no question of pack {loaded.pack_id!r} has it "
                                 f"(tags: {listed})")
    return {tag.strip().lower() for tag in tags}


def variant_code(loaded: LoadedPack, selection: Selection) -> str | None:
    """A short, stable code naming the selection, or None for the whole pack in pack order.

    `seed-7`, `count-10` and `sel-1a2b3c4d` (sections and tags, hashed because names can be long)
    `focus-weak-ana` (the candidate's weakest first) comes before `sel-`; all are joined in that
    order, e.g. `seed-7-count-10-sel-1a2b3c4d`. Section names are resolved to
    ids and tags lower-cased first, so two spellings of one selection share a code."""
    if selection.is_plain:
        return None
    parts = []
    if selection.seed is not None:
        parts.append(f"seed-{normalize_seed(selection.seed)}")
    if selection.count is not None:
        parts.append(f"count-{selection.count}")
    if selection.focus is not None:
        from .focus import candidate_slug

        parts.append(f"focus-{selection.focus.kind}-{candidate_slug(selection.focus.candidate)}")
    if selection.sections or selection.tags:
        sections = sorted({loaded.section_ids[_section_index(loaded, s)] for s in selection.sections})
        tags = sorted(_check_tags(loaded, selection.tags))
        canonical = f"sections={','.join(sections)};tags={','.join(tags)}"
        parts.append("sel-" + hashlib.sha256(canonical.encode()).hexdigest()[:8])
    return "-".join(parts)


def select(loaded: LoadedPack, selection: Selection) -> list[Part]:
    """The parts of one variant: chosen questions, shuffled within sections (and their choices
    too), numbered 1..n."""
    if selection.is_plain:
        return loaded.parts()
    seed = normalize_seed(selection.seed) if selection.seed is not None else None
    wanted_sections = {_section_index(loaded, s) for s in selection.sections}
    wanted_tags = _check_tags(loaded, selection.tags)

    chosen: list[list[tuple[str, object]]] = []  # per section: (question id, question)
    for index, (section, qids) in enumerate(zip(loaded.pack.sections, loaded.question_ids)):
        picked = [
            (qid, q) for qid, q in zip(qids, section.questions)
            if (not wanted_sections or index in wanted_sections)
            and (not wanted_tags or wanted_tags & {t.lower() for t in q.tags})
        ]
        if seed is not None:
            # random.Random seeded with a string hashes it with SHA-512: the same in every process.
            random.Random(f"{seed}/{loaded.section_ids[index]}").shuffle(picked)
            # Each question's choices too, from a generator of its own: adding a question to a
            # pack leaves the other questions' choices where they were.
            picked = [(qid, shuffled(q, random.Random(f"{seed}/choices/{qid}")))
                      for qid, q in picked]
        chosen.append(picked)
    places = _focus_places(loaded, selection, seed)
    if places:
        chosen = [sorted(picked, key=lambda pair: places[pair[0]]) for picked in chosen]

    available = sum(len(picked) for picked in chosen)
    if available == 0:
        raise SelectionError(f"the selection holds no question of pack {loaded.pack_id!r}")
    if selection.count is not None:
        if selection.count < 1:
            raise SelectionError(f"--count {selection.count}: give a number of questions from 1")
        if selection.count > available:
            raise SelectionError(f"--count {selection.count}: the selection holds only {available} "
                                 f"question{'s' if available != 1 else ''} of pack "
                                 f"{loaded.pack_id!r}")
        keep = _kept(chosen, selection.count, seed, places)
        chosen = [[pair for pair in picked if pair[0] in keep] for picked in chosen]

    order = list(zip(loaded.pack.sections, loaded.section_ids, chosen))
    if places:  # the section holding the weakest question first
        order.sort(key=lambda entry: min((places[qid] for qid, _ in entry[2]), default=0))
    parts, number = [], 0
    for section, sid, picked in order:
        if not picked:
            continue
        items = []
        for qid, question in picked:
            number += 1
            items.append(Item(number, qid, question, sid))
        parts.append(Part(sid, section, tuple(items)))
    return parts


def _focus_places(loaded: LoadedPack, selection: Selection, seed: str | None) -> dict[str, int]:
    """--focus: question id -> place in the candidate's order (weakest first); empty without."""
    if selection.focus is None:
        return {}
    from .focus import UnknownCandidate, weak_first

    try:
        return weak_first(loaded, selection.focus, seed)
    except UnknownCandidate as exc:
        raise SelectionError(str(exc)) from None


def _kept(chosen: list[list[tuple[str, object]]], count: int, seed: str | None,
          places: dict[str, int]) -> set[str]:
    """Which question ids --count keeps: the first ones in order, a seeded sample, or with
    --focus the first in the candidate's order."""
    ids = [qid for picked in chosen for qid, _ in picked]
    if places:
        return set(sorted(ids, key=places.__getitem__)[:count])
    if seed is None:
        return set(ids[:count])
    return set(random.Random(f"{seed}/count").sample(ids, count))
