"""Errors of the engine: one base class, and invalid input that names each field and value."""

from __future__ import annotations

from dataclasses import dataclass


class NostoTaggingError(Exception):
    """Base class of every error this package raises on purpose."""


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: dotted path (``items[0].quantity``), the value given, and why."""

    field: str
    value: object
    reason: str
    missing: bool = False

    def __str__(self) -> str:
        where = self.field or "(the argument)"
        if self.missing:
            return f"{where} is required"
        return f"{where}: {self.value!r} {self.reason}"


class InvalidInput(NostoTaggingError):
    """A nostojs call was given input that cannot be meant; the session was left unchanged."""

    def __init__(self, method: str, problems: list[FieldProblem]) -> None:
        self.method = method
        self.problems = problems
        listed = "; ".join(str(problem) for problem in problems)
        super().__init__(f"{method}: {listed} (the call was ignored; nothing was changed)")
