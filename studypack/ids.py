"""The ids of a pack's sections and questions, where the pack gives none."""

from __future__ import annotations

from .model import Pack, slugify


def unique(candidates: list[str], taken: set[str]) -> list[str]:
    out = []
    for base in candidates:
        name, n = base, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1
        taken.add(name)
        out.append(name)
    return out


def resolve_ids(pack: Pack) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Each section's and question's id: its own, else one made from its title or wording,
    made unique with -2, -3 ... (the ids the pack gives are kept as they are)."""
    section_ids = unique(
        [s.id or slugify(s.title) for s in pack.sections],
        set(),
    )
    explicit = {q.id for s in pack.sections for q in s.questions if q.id}
    taken = set(explicit)
    question_ids = []
    for s in pack.sections:
        ids = []
        for q in s.questions:
            ids.append(q.id if q.id else unique([slugify(q.question)], taken)[0])
        question_ids.append(tuple(ids))
    return tuple(section_ids), tuple(question_ids)
