"""Reading a tagging element's fields and validating them field by field: what is invalid is
reported (naming the element and the field, never the value found) and left out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from nosto_tagging.core.models import PAGE_TYPES
from nosto_tagging.core.tagging_nodes import Node, TaggingProblem

M = TypeVar("M", bound=BaseModel)

REASONS: Final = {
    "missing": "is missing",
    "float_parsing": "is not a number (write it with a dot as the decimal separator: 12.50)",
    "float_type": "is not a number (write it with a dot as the decimal separator: 12.50)",
    "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "int_type": "is not a whole number",
    "bool_parsing": "is not true or false",
    "string_too_short": "is empty",
    "string_too_long": "is too long",
}


def _reason(error: Any) -> str:
    """Why a field is invalid, in words that never repeat the value found."""
    name = str(error["loc"][0]) if error["loc"] else ""
    kind = error["type"]
    if name.endswith("currency_code") and kind != "missing":
        return "is not a three-letter ISO 4217 currency code (like EUR)"
    if name == "email" and kind == "string_pattern_mismatch":
        return "is not an email address"
    if kind in REASONS:
        return REASONS[kind]
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Input ")
    return message[:1].lower() + message[1:]


def _path(location: tuple[Any, ...], names: dict[str, str]) -> str:
    """A field's path in the tagging's own class names: ``category[2]``, ``price``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            shown = names.get(str(part), str(part))
            path = f"{path}.{shown}" if path else shown
    return path


def validate(
    model: type[M],
    data: dict[str, Any],
    element: str,
    problems: list[TaggingProblem],
    *,
    dropped: str,
    names: dict[str, str] | None = None,
    strict: bool = False,
) -> M | None:
    """``model`` from ``data``; invalid optional fields are reported and left out, an invalid
    or missing required field (any field if ``strict``) reports and returns ``None``
    (``dropped`` says what is lost)."""
    names = names or {}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = error.errors(include_url=False, include_input=False)
    required = {name for name, info in model.model_fields.items() if info.is_required()}
    bad = {str(item["loc"][0]) for item in errors if item["loc"]}
    fatal = strict or bool(bad & required)
    for item in errors:
        top = str(item["loc"][0]) if item["loc"] else ""
        consequence = dropped if fatal and (strict or top in required) else "the field was left out"
        problems.append(
            TaggingProblem(element, _path(item["loc"], names), _reason(item), consequence)
        )
    if fatal:
        return None
    try:
        return model.model_validate({k: v for k, v in data.items() if k not in bad})
    except ValidationError:  # pragma: no cover - leaving out optional fields cannot fail
        return None


def child_fields(
    node: Node,
    single: dict[str, str],
    multiple: dict[str, str] | None = None,
    wrapped: dict[str, tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The text fields of ``node``'s children by class: ``single`` class -> field (first
    wins), ``multiple`` class -> list field, ``wrapped`` wrapper class -> (item class, list
    field) for lists the PHP SDK nests (``categories > category``), ``custom_fields`` ->
    ``{class: text}``."""
    data: dict[str, Any] = {}
    for child in node.children:
        for name in child.classes:
            if name in single and single[name] not in data:
                data[single[name]] = child.text
            elif multiple and name in multiple:
                data.setdefault(multiple[name], []).append(child.text)
            elif wrapped and name in wrapped:
                item, key = wrapped[name]
                items = data.setdefault(key, [])
                items += (entry.text for entry in child.children if entry.has(item))
            elif name == "custom_fields":
                custom = data.setdefault("custom_fields", {})
                for entry in child.children:
                    if entry.classes and entry.classes[0] not in custom:
                        custom[entry.classes[0]] = entry.text
    return data


def children_named(node: Node, name: str, *, through: str | None = None) -> Iterator[Node]:
    """Children of ``node`` with class ``name``, also inside a ``through`` wrapper."""
    for child in node.children:
        if child.has(name):
            yield child
        elif through is not None and child.has(through):
            yield from (grandchild for grandchild in child.children if grandchild.has(name))


def without_blanks(data: dict[str, Any]) -> dict[str, Any]:
    """An empty text means the template had nothing to print: the same as no element."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = [item for item in value if item != ""]
        if value not in ("", [], {}):
            kept[key] = value
    return kept


def checked_page_type(
    text: str, element: str, problems: list[TaggingProblem], consequence: str
) -> str | None:
    """``text`` if it is one of Nosto's page types, else ``None``, reported."""
    if text in PAGE_TYPES:
        return text
    problems.append(
        TaggingProblem(
            element, "", "is not a page type (" + ", ".join(PAGE_TYPES) + ")", consequence
        )
    )
    return None
