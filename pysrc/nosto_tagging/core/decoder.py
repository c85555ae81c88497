"""A request body (and its answer) decoded for people: what the sandbox's viewer and the page's
debug panel (``?nostodebug=true``) show of each request, written once.

:func:`decode_request` turns a body into sections of plain JSON that both render without
knowing Nosto's wire format: ``{"title", "list": [text]}``, ``{"title", "pairs": [[k, v]]}``,
``{"title", "head": [..], "rows": [[..]], "foot": [..]}`` or ``{"title", "note": text}``
(a section may carry ``"text"`` too, a line under its title). :func:`inspect_request` adds
the warnings of Nosto's payload rules (``core/rules.py``), or the validation errors of a body
the models refuse, named by field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from nosto_tagging.core.models import EventRequest
from nosto_tagging.core.rules import check_request

EVENT_NAMES = {
    "vp": "view product",
    "vc": "view category",
    "or": "order",
    "is": "internal search",
    "cp": "add to cart",
    "bp": "bought product",
    "ec": "external campaign",
}
Section = dict[str, Any]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _money(amount: Any, currency: Any) -> str:
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        return "-"
    return f"{amount:.2f} {currency}" if currency else f"{amount:.2f}"


def describe_event(event: Any) -> str:
    """One event of ``events`` (``[type, target, ref, ref source, fragment]``) in words."""
    if not isinstance(event, list) or not event:
        return _text(event)
    kind, target, ref, source, fragment = (list(event) + [None] * 5)[:5]
    text = EVENT_NAMES.get(str(kind), str(kind)) + (f" {target}" if target else "")
    if fragment:
        text += f" (sku {fragment})"
    if ref:
        text += f" · ref {ref}" + (f" from {source}" if source else "")
    return text


def _lines(items: list[Any]) -> Section:
    """A cart's or an order's lines as a table with its total."""
    rows, total, size, currencies = [], 0.0, 0.0, set()
    for item in items:
        line = item if isinstance(item, Mapping) else {}
        quantity = line.get("quantity", 1)
        price, currency = line.get("unit_price"), line.get("price_currency_code")
        amount = _number(quantity) * _number(price)
        total += amount
        size += _number(quantity)
        currencies.add(currency)
        rows.append(
            [
                _text(line.get("name") or ""),
                _text(line.get("product_id") or "-"),
                _text(line.get("sku_id") or "-"),
                _text(quantity),
                _money(price, currency),
                _money(amount, currency),
            ]
        )
    currency = next(iter(currencies)) if len(currencies) == 1 else None
    total_text = _money(total, currency) if currency else f"{total:.2f}"
    return {
        "head": ["item", "product", "sku", "qty", "price", "line"],
        "rows": rows,
        "foot": ["", "", "", f"{size:g}", "total", total_text],
    }


def _placements(elements: list[Any], response: Mapping[str, Any] | None) -> Section:
    found = (response or {}).get("recommendations") or {}
    pairs = []
    for element in elements:
        result = found.get(element) if isinstance(found, Mapping) else None
        if isinstance(result, Mapping):
            products = result.get("products")
            count = len(products) if isinstance(products, list) else 0
            detail = f"{result.get('title') or ''} · {count} products"
        elif isinstance(result, str):
            detail = f"HTML, {len(result)} chars"
        else:
            detail = "no result" if response is not None else "requested"
        pairs.append([_text(element), detail])
    return {"title": "placements", "pairs": pairs}


def decode_request(
    body: Mapping[str, Any], response: Mapping[str, Any] | None = None
) -> list[Section]:
    """The sections of ``body`` (a request as sent to ``/ev1``), with what ``response`` (its
    answer, when there is one) says of each placement."""
    sections: list[Section] = []
    if body.get("url"):
        sections.append({"title": "url", "text": _short(_text(body["url"]), 140)})
    events = body.get("events")
    if isinstance(events, list) and events:
        sections.append({"title": "events", "list": [describe_event(e) for e in events]})
    context = []
    for key, label, join in (
        ("categories", "categories", ", "),
        ("search_terms", "search", " "),
    ):
        if isinstance(body.get(key), list):
            context.append([label, join.join(_text(v) for v in body[key])])
    for key, label in (
        ("current_variant_id", "variation"),
        ("response_mode", "response mode"),
        ("restore_link", "restore link"),
    ):
        if body.get(key):
            context.append([label, _short(_text(body[key]), 80)])
    if context:
        sections.append({"title": "context", "pairs": context})
    elements = body.get("elements")
    if isinstance(elements, list) and elements:
        sections.append(_placements(elements, response))
    if "cart" in body:
        cart = body["cart"]
        if isinstance(cart, list) and cart:
            sections.append({"title": "cart", **_lines(cart)})
        else:
            sections.append(
                {"title": "cart", "note": "cart: [] (reset: Nosto now holds an empty cart)"}
            )
    if "customer" in body:
        customer = body["customer"] if isinstance(body["customer"], Mapping) else {}
        if customer:
            pairs = [
                [key, json.dumps(value, ensure_ascii=False)] for key, value in customer.items()
            ]
            sections.append({"title": "customer", "pairs": pairs})
        else:
            sections.append({"title": "customer", "note": "customer: {} (reset: logged out)"})
    order = body.get("order")
    if isinstance(order, Mapping):
        found = order.get("info")
        info: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        who = [info.get("email"), info.get("first_name"), info.get("last_name")]
        who.append(order.get("payment_provider"))
        items = order.get("items")
        section = {
            "title": f"order {info.get('order_number') or '(no number)'}",
            "text": " · ".join(_text(part) for part in who if part),
        }
        if isinstance(items, list):
            section |= _lines(items)
        sections.append(section)
    if response is not None:
        answer = (
            f"answered pv {response.get('pv')} · cart {response.get('cs')} items, "
            f"{response.get('ct')} · visit {_short(_text(response.get('visit') or ''), 8)}"
        )
        sections.append({"title": "answer", "text": answer})
    return sections


def inspect_request(body: Any) -> dict[str, Any]:
    """``body`` decoded, with the warnings of Nosto's payload rules: ``{"sections",
    "warnings": [{code, field, message}]}``. A body the models refuse gets one warning per
    error (code ``invalid``), named by field: the rules read validated requests only."""
    if not isinstance(body, Mapping):
        problem = {"code": "invalid", "field": "body", "message": "the body is not a JSON object"}
        return {"sections": [], "warnings": [problem]}
    try:
        event = EventRequest.model_validate(dict(body))
    except ValidationError as error:
        warnings = [
            {
                "code": "invalid",
                "field": ".".join(str(part) for part in problem["loc"]) or "body",
                "message": problem["msg"],
            }
            for problem in error.errors(include_url=False, include_input=False)
        ]
    else:
        warnings = [finding.as_json() for finding in check_request(event)]
    return {"sections": decode_request(body), "warnings": warnings}
