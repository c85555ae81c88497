"""Attribution: events recorded without a page view, sent together by ``done()``.

``session.recordAttribution(type, target, ref, refSrc)`` or
``api.recordAttribution({type, target, ref?, refSrc?, targetFragment?, refType?})`` start a
chain; ``.recordAttribution(event)`` adds to it; ``.done()`` sends one request whose ``events``
are the tuples ``[type, target, ref, refSrc, targetFragment, refType]`` (trailing empty slots
dropped), with no page type and ``skipPageViews=true``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from nosto_tagging.core import arguments
from nosto_tagging.core.errors import FieldProblem, InvalidInput
from nosto_tagging.core.models import Customer
from nosto_tagging.core.protocol import Call
from nosto_tagging.core.request import call_context
from nosto_tagging.core.session import is_absent

# nosto.d.ts EventType and EventRefType
EVENT_TYPES: Final = (
    "vp", "lp", "dp", "rp", "bp", "vc", "or", "is", "cp", "ec", "es", "gc", "src", "cpr",
    "pl", "cc", "con",
)  # fmt: skip
REF_TYPES: Final = ("email", "imgrec", "rec", "api", "oc", "cmp", "os")
SLOTS: Final = ("target", "ref", "refSrc", "targetFragment")


@dataclass
class Attribution:
    events: list[list[Any]] = field(default_factory=list)


def parse_event(method: str, event: Any) -> list[Any]:
    """``{type, target, ref?, refSrc?, targetFragment?, refType?}`` -> an event tuple."""
    if not isinstance(event, dict):
        raise InvalidInput(method, [FieldProblem("event", event, "is not an object")])
    tuple_: list[Any] = [arguments.one_of(method, "event.type", event.get("type"), EVENT_TYPES)]
    for slot in SLOTS:
        value = event.get(slot)
        tuple_.append(None if is_absent(value) else arguments.text(method, f"event.{slot}", value))
    ref_type = event.get("refType")
    tuple_.append(
        None
        if is_absent(ref_type)
        else arguments.one_of(method, "event.refType", ref_type, REF_TYPES)
    )
    if tuple_[1] is None:
        raise InvalidInput(method, [FieldProblem("event.target", None, "", missing=True)])
    while tuple_[-1] is None:
        tuple_.pop()
    return tuple_


def attribution_body(
    attribution: Attribution, call: Call, customer: Customer | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"events": attribution.events, **call_context(call)}
    if customer is not None and customer.customer_reference:
        body["customer"] = {"customer_reference": customer.customer_reference}
    return body
