"""Actions: what a ``view*`` call creates and ``update()``/``load()`` performs.

An action copies the session when it is created; its own setters (issue-by-issue) change only
that copy. The page type follows from the view method (``nosto.d.ts``: "You do not need to
specify the page-type explicitly").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from nosto_tagging.errors import FieldProblem, InvalidInput
from nosto_tagging.models import PageType
from nosto_tagging.protocol import Unrepresentable
from nosto_tagging.session import SessionState, is_absent

# view method -> page type; viewProduct also records a "vp" event.
VIEW_PAGE_TYPES: Final[dict[str, PageType]] = {
    "viewFrontPage": "front",
    "viewCart": "cart",
    "viewProduct": "product",
    "viewOther": "other",
}
LOAD_FLAGS: Final = ("skipPageViews", "trackEvents", "skipEvents", "reloadCart")


@dataclass
class Action:
    """One page view (or recommendation request) waiting to be performed."""

    page_type: PageType
    state: SessionState
    events: list[list[Any]] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)


def product_id_of(method: str, product: Any) -> str:
    """``viewProduct("123")`` or ``viewProduct({product_id: "123", ...})`` -> ``"123"``."""
    candidate = product.get("product_id") if isinstance(product, dict) else product
    if isinstance(candidate, int) and not isinstance(candidate, bool):
        candidate = str(candidate)
    if not isinstance(candidate, str) or not candidate.strip():
        field_name = "product.product_id" if isinstance(product, dict) else "product"
        shown = repr(candidate) if isinstance(candidate, Unrepresentable) else candidate
        if is_absent(candidate):
            raise InvalidInput(method, [FieldProblem(field_name, None, "", missing=True)])
        raise InvalidInput(
            method, [FieldProblem(field_name, shown, "is not a product id (a non-empty string)")]
        )
    return candidate.strip()


def create_action(method: str, args: tuple[Any, ...], state: SessionState) -> Action:
    """Make the action of a session ``view*`` call, with its page type and events."""
    page_type = VIEW_PAGE_TYPES[method]
    action = Action(page_type=page_type, state=state)
    if method == "viewProduct":
        product = args[0] if args else None
        action.events.append(["vp", product_id_of(method, product)])
    return action


def load_flags(method: str, flags: Any) -> dict[str, bool]:
    """The ``RecommendationRequestFlags`` of ``load(flags)``, checked."""
    if is_absent(flags):
        return {}
    if not isinstance(flags, dict):
        raise InvalidInput(method, [FieldProblem("flags", flags, "is not an object")])
    problems = [
        FieldProblem(f"flags.{name}", value, f"is not a known flag ({', '.join(LOAD_FLAGS)})")
        for name, value in flags.items()
        if name not in LOAD_FLAGS
    ]
    problems += [
        FieldProblem(f"flags.{name}", value, "is not a boolean")
        for name, value in flags.items()
        if name in LOAD_FLAGS and not is_absent(value) and not isinstance(value, bool)
    ]
    if problems:
        raise InvalidInput(method, problems)
    return {name: value for name, value in flags.items() if isinstance(value, bool)}
