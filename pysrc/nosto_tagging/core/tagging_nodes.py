"""The page's tagging elements as the loader reads them: the class lists, the bounds, and the
:class:`Node` trees the loader's plain data becomes (the format is in ``core/tagging.py``'s
docstring), with a :class:`TaggingProblem` for each thing left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

MAX_NODES: Final = 2000
MAX_DEPTH: Final = 8
MAX_TEXT: Final = 5000

# A page "carries Nosto tagging" (and is auto-loaded) when it has one of these. Placements
# alone do not count: Session API pages render them too.
TAGGING_CLASSES: Final = (
    "nosto_page_type",
    "nosto_product",
    "nosto_cart",
    "nosto_customer",
    "nosto_purchase_order",
    "nosto_category",
    "nosto_search_term",
    "nosto_variation",
    "nosto_tag",
)
# Everything the loader reads: the above, brand and category-id tagging, and placements.
ROOT_CLASSES: Final = (*TAGGING_CLASSES, "nosto_brand", "nosto_category_id", "nosto_element")


@dataclass(frozen=True)
class TaggingProblem:
    """One malformed piece of tagging: where (``nosto_cart[0] line_item[1]``), which field,
    why, and what was left out because of it. Never holds the value found."""

    element: str
    field: str
    reason: str
    consequence: str

    def __str__(self) -> str:
        where = f"{self.element} {self.field}" if self.field else self.element
        return f"page tagging: {where} {self.reason}; {self.consequence}"


@dataclass(frozen=True)
class Node:
    """One tagging element as the loader read it (see ``core/tagging.py``'s docstring)."""

    classes: tuple[str, ...]
    id: str | None = None
    text: str = ""
    children: tuple[Node, ...] = ()

    def has(self, name: str) -> bool:
        return name in self.classes


class _Reader:
    """Turns the loader's plain data into :class:`Node` trees within the bounds."""

    def __init__(self, problems: list[TaggingProblem]) -> None:
        self.problems = problems
        self.count = 0
        self.cut: set[str] = set()

    def _once(self, kind: str, reason: str, consequence: str) -> None:
        if kind not in self.cut:
            self.cut.add(kind)
            self.problems.append(TaggingProblem("page tagging data", "", reason, consequence))

    def node(self, raw: Any, depth: int) -> Node | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("cls"), str):
            self._once(
                "shape", "holds a node that is not {cls, text?, children?}", "it was ignored"
            )
            return None
        if self.count >= MAX_NODES:
            self._once("nodes", f"has more than {MAX_NODES} elements", "the rest were ignored")
            return None
        self.count += 1
        text = raw.get("text")
        text = text.strip() if isinstance(text, str) else ""
        if len(text) > MAX_TEXT:
            self._once("text", f"has a text over {MAX_TEXT} characters", "it was cut")
            text = text[:MAX_TEXT]
        children: list[Node] = []
        raw_children = raw.get("children")
        if isinstance(raw_children, list) and raw_children:
            if depth >= MAX_DEPTH:
                self._once("depth", f"nests deeper than {MAX_DEPTH}", "deeper levels were ignored")
            else:
                for raw_child in raw_children:
                    child = self.node(raw_child, depth + 1)
                    if child is not None:
                        children.append(child)
        element_id = raw.get("id")
        return Node(
            classes=tuple(raw["cls"].split()),
            id=element_id.strip() or None if isinstance(element_id, str) else None,
            text=text,
            children=tuple(children),
        )


def read_nodes(data: Any, problems: list[TaggingProblem]) -> list[Node]:
    """The root nodes of the loader's plain data; bad shapes and overflows become problems."""
    reader = _Reader(problems)
    if not isinstance(data, list):
        reader._once("shape", "is not a list of elements", "the page's tagging was ignored")
        return []
    return [node for raw in data if (node := reader.node(raw, 1)) is not None]


def carries_tagging(data: Any) -> bool:
    """The auto-load rule: the plain data holds at least one element of :data:`TAGGING_CLASSES`."""
    if not isinstance(data, list):
        return False
    return any(
        isinstance(raw, dict)
        and isinstance(raw.get("cls"), str)
        and any(name in TAGGING_CLASSES for name in raw["cls"].split())
        for raw in data
    )
