"""Checks for plain nostojs arguments (strings, string lists, string maps, booleans).

Each failure raises ``InvalidInput`` naming the method and the argument, like the models do
for objects. Values the loader could not copy arrive as ``Unrepresentable`` and fail here too.
"""

from __future__ import annotations

import math
from typing import Any, Final

from nosto_tagging.core.errors import FieldProblem, InvalidInput
from nosto_tagging.core.protocol import UNDEFINED

MAX_TEXT: Final = 2000
MAX_ITEMS: Final = 1000


def _problem(name: str, value: Any, reason: str) -> FieldProblem:
    if value is None or value is UNDEFINED:
        return FieldProblem(name, None, "", missing=True)
    return FieldProblem(name, value, reason)


def text(method: str, name: str, value: Any) -> str:
    """A non-empty string; numbers are taken as their text (templates print ids as numbers)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        value = str(int(value)) if float(value).is_integer() else str(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(method, [_problem(name, value, "is not a non-empty string")])
    if len(value) > MAX_TEXT:
        raise InvalidInput(method, [FieldProblem(name, value[:40] + "...", "is too long")])
    return value.strip()


def texts(method: str, name: str, values: Any) -> list[str]:
    """A list of non-empty strings (``viewCategory(...)``, ``setTags([...])``)."""
    if not isinstance(values, list | tuple):
        raise InvalidInput(method, [_problem(name, values, "is not a list of strings")])
    if len(values) > MAX_ITEMS:
        raise InvalidInput(method, [FieldProblem(name, len(values), "items are too many")])
    problems: list[FieldProblem] = []
    result: list[str] = []
    for index, value in enumerate(values):
        try:
            result.append(text(method, f"{name}[{index}]", value))
        except InvalidInput as error:
            problems += error.problems
    if problems:
        raise InvalidInput(method, problems)
    return result


def text_map(method: str, name: str, value: Any) -> dict[str, list[str]]:
    """``Record<string, string[]>`` (custom fields, affinities); a lone string is a list of one."""
    if not isinstance(value, dict):
        raise InvalidInput(method, [_problem(name, value, "is not an object of string lists")])
    result: dict[str, list[str]] = {}
    problems: list[FieldProblem] = []
    for key, items in value.items():
        try:
            result[str(key)] = texts(
                method, f"{name}.{key}", [items] if isinstance(items, str) else items
            )
        except InvalidInput as error:
            problems += error.problems
    if problems:
        raise InvalidInput(method, problems)
    return result


def flag(method: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(method, [_problem(name, value, "is not true or false")])
    return value


def one_of(method: str, name: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        shown = ", ".join(allowed[:6]) + (", ..." if len(allowed) > 6 else "")
        raise InvalidInput(method, [_problem(name, value, f"is not one of {shown}")])
    return str(value)
