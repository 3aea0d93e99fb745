"""What an SVG image costs to draw: its elements once every <use> is expanded, its depth, its size.

A <use> draws again everything under the element it points at, so a few hundred bytes of nested
<use> can stand for 10^8 shapes. The elements and their references are recorded while the SVG is
parsed (assets.svg_problem), then counted with each <use> standing for what it draws.
"""

from __future__ import annotations

import re

from .limits import MAX_SVG_DEPTH, MAX_SVG_ELEMENTS, MAX_SVG_SIDE

_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in|)\s*$")
_PX = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}


class SvgShape:
    """The element tree of one SVG as it is parsed: parents, ids and <use> targets."""

    def __init__(self) -> None:
        self.parents: list[int] = []
        self.uses: dict[int, str] = {}  # element -> id its <use> draws
        self.ids: dict[str, int] = {}
        self.open: list[int] = []

    def start(self, local: str, attributes: dict[str, str]) -> str | None:
        """Record an element; why the SVG is refused already, or None."""
        index = len(self.parents)
        self.parents.append(self.open[-1] if self.open else -1)
        self.open.append(index)
        if len(self.parents) > MAX_SVG_ELEMENTS:
            return f"has more than {MAX_SVG_ELEMENTS:,} elements; simplify the drawing"
        if len(self.open) > MAX_SVG_DEPTH:
            return f"nests elements more than {MAX_SVG_DEPTH} deep; simplify the drawing"
        for attribute, value in attributes.items():
            name = attribute.rpartition(" ")[2]
            if name == "id":
                self.ids.setdefault(value, index)
            elif name == "href" and local == "use" and value.strip().startswith("#"):
                self.uses[index] = value.strip()[1:]
        if index == 0:
            return _size_problem(attributes)
        return None

    def end(self) -> None:
        self.open.pop()

    def expanded_problem(self) -> str | None:
        """Why the drawing, with every <use> expanded, is too big or too deep (or loops)."""
        if not self.uses:
            return None
        count = len(self.parents)
        children: list[list[int]] = [[] for _ in range(count)]
        for index, parent in enumerate(self.parents):
            if parent >= 0:
                children[parent].append(index)
        size = [0] * count  # elements drawn for each element, its <use> expanded
        depth = [0] * count
        state = [0] * count  # 0 new, 1 being counted, 2 counted
        for root in range(count):
            if state[root]:
                continue
            pending = [root]
            while pending:
                node = pending[-1]
                target = self.ids.get(self.uses.get(node, ""), -1)
                below = children[node] + ([target] if target >= 0 else [])
                if state[node] == 0:
                    state[node] = 1
                    for child in below:
                        if state[child] == 1:
                            return "has a <use> that draws an element it is inside of (a loop)"
                        if state[child] == 0:
                            pending.append(child)
                    continue
                pending.pop()
                if state[node] == 2:
                    continue
                state[node] = 2
                size[node] = min(1 + sum(size[c] for c in below), MAX_SVG_ELEMENTS + 1)
                depth[node] = 1 + max((depth[c] for c in below), default=0)
        if size[0] > MAX_SVG_ELEMENTS:
            return (f"draws more than {MAX_SVG_ELEMENTS:,} elements once its <use> references "
                    "are expanded; simplify the drawing")
        if depth[0] > MAX_SVG_DEPTH:
            return (f"nests elements more than {MAX_SVG_DEPTH} deep once its <use> references "
                    "are expanded; simplify the drawing")
        return None


def _size_problem(attributes: dict[str, str]) -> str | None:
    for attribute, value in attributes.items():
        name = attribute.rpartition(" ")[2]
        if name not in ("width", "height"):
            continue
        match = _LENGTH.match(value)
        if match and float(match.group(1)) * _PX[match.group(2)] > MAX_SVG_SIDE:
            return (f"is {value.strip()} {'wide' if name == 'width' else 'high'}; an SVG image may "
                    f"be at most {MAX_SVG_SIDE:,} pixels ({MAX_SVG_SIDE * 2.54 / 9600:.1f} m) "
                    "each way")
    return None
