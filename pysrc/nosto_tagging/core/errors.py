"""Errors of the engine: one base class, and invalid input that names each field.

A message names the method, the field and the rule; it shows the value given only when that
value cannot be a customer's personal data (the console of a shop is read by its staff, its
tools and its error trackers): never for a method whose arguments are customer data, never a
personal field (email, names, phone, reference, ...), an email-shaped text or a URL with a
query or fragment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from nosto_tagging.core.protocol import Unrepresentable

PERSONAL_FIELDS: Final = frozenset(
    {"email", "first_name", "last_name", "firstName", "lastName", "phone",
     "customer_reference", "customerReference", "post_code", "postCode", "hcid", "address"}
)  # fmt: skip
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+")


class NostoTaggingError(Exception):
    """Base class of every error this package raises on purpose."""


def may_show(value: object, field: str, *, personal: bool) -> bool:
    """Whether ``value`` (given for ``field``) can appear in a message without exposing anyone.

    Numbers, booleans, ``null`` and the loader's placeholders (``<cycle>``) always can; text
    only outside customer data, when its field is not a personal one, it is not email-shaped
    and it is no URL with a query or fragment.
    """
    if value is None or isinstance(value, bool | int | float | Unrepresentable):
        return True
    if personal or not isinstance(value, str):
        return False
    last = re.split(r"[.\[\]]+", field.strip(".[]"))[-1] if field else ""
    if last in PERSONAL_FIELDS or _EMAIL.search(value):
        return False
    return not ("://" in value and ("?" in value or "#" in value))


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: dotted path (``items[0].quantity``), the value given, and why."""

    field: str
    value: object
    reason: str
    missing: bool = False

    def describe(self, *, personal: bool = False) -> str:
        where = self.field or "(the argument)"
        if self.missing:
            return f"{where} is required"
        if may_show(self.value, self.field, personal=personal):
            return f"{where}: {self.value!r} {self.reason}"
        return f"{where} (value not shown: it may be customer data) {self.reason}"

    def __str__(self) -> str:
        return self.describe()


class InvalidInput(NostoTaggingError):
    """A nostojs call was given input that cannot be meant; the session was left unchanged."""

    def __init__(self, method: str, problems: list[FieldProblem]) -> None:
        self.method = method
        self.problems = problems
        super().__init__(self.describe())

    def describe(self, *, personal: bool = False) -> str:
        """The message; ``personal``: the method's arguments are customer data."""
        listed = "; ".join(problem.describe(personal=personal) for problem in self.problems)
        return f"{self.method}: {listed} (the call was ignored; nothing was changed)"
