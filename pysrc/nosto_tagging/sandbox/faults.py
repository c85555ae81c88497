"""Fault controls: make ``/ev1`` fail like a broken Nosto for the next N requests.

``POST /api/faults`` adds one fault (JSON body), ``GET /api/faults`` lists them, ``DELETE
/api/faults`` clears them all and releases hanging requests. Kinds, exactly one per fault:

- ``{"status": 503, "retry_after": 2}``: answer that status (``Retry-After`` if given);
- ``{"hang": 5}``: answer nothing for 5 s (``"hang": true``: until cleared), then 504;
- ``{"garbage": "html" | "truncated_json" | "wrong_content_type" | "empty"}``: a 200 whose body
  is not Nosto's JSON;
- ``{"delay": 7}``: take the request as usual, but only after 7 s (or when cleared);
- ``{"unasked": ["front-2"]}``: take the request as usual, and answer with campaign HTML for
  these placements too, which the request did not ask for.

Optional: ``count`` (default 1; ``null``: until cleared), ``account`` and ``visitor`` (only
requests with that ``m`` / ``c``). The oldest matching fault is used first. Requests failed by
``status``, ``hang`` or ``garbage`` are not stored: a failing Nosto would not have them either;
``delay`` and ``unasked`` ones are (the stored answer is the usual one). Every fault served counts
as ``faulted``. ``POST`` and ``DELETE`` need the headers ``writes.py`` asks of every
state-changing ``/api/`` call.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from dataclasses import dataclass, field
from html import escape
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.requests import Request
from starlette.responses import Response

from nosto_tagging.sandbox.responses import JSON

MAX_HANG_S = 600
GARBAGE_BODIES: dict[str, tuple[str, bytes]] = {
    "html": ("text/html; charset=utf-8", b"<!doctype html><h1>502 Bad Gateway</h1>"),
    "truncated_json": ("application/json", b'{"visit":"0f3a","customer":"0f3a","pv":'),
    "wrong_content_type": ("text/html; charset=utf-8", b'{"visit":"0","pv":1,"errors":[]}'),
    "empty": ("application/json", b""),
}
GarbageKind = Literal["html", "truncated_json", "wrong_content_type", "empty"]
KINDS = ("status", "hang", "garbage", "delay", "unasked")
FAILING_KINDS = ("status", "hang", "garbage")  # the request is answered by the fault alone


class FaultSpec(BaseModel):
    """What ``POST /api/faults`` takes."""

    model_config = ConfigDict(extra="forbid")

    status: Annotated[int, Field(ge=200, le=599)] | None = None
    retry_after: Annotated[int, Field(ge=0, le=86_400)] | None = None
    hang: Annotated[float, Field(gt=0, le=MAX_HANG_S)] | Literal[True] | None = None
    garbage: GarbageKind | None = None
    delay: Annotated[float, Field(gt=0, le=MAX_HANG_S)] | None = None
    unasked: (
        Annotated[
            list[Annotated[str, Field(min_length=1, max_length=100)]],
            Field(min_length=1, max_length=20),
        ]
        | None
    ) = None
    count: Annotated[int, Field(ge=1, le=1_000_000)] | None = 1
    account: str | None = None
    visitor: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> FaultSpec:
        kinds = [k for k in KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(
                "give exactly one of status, hang, garbage, delay or unasked, e.g. "
                '{"status": 503, "retry_after": 2, "count": 3}'
            )
        if self.retry_after is not None and self.status is None:
            raise ValueError("retry_after goes with status, e.g. {'status': 429, 'retry_after': 1}")
        return self


@dataclass
class Fault:
    """One active fault and how often it was served."""

    id: int
    spec: FaultSpec
    remaining: int | None
    served: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def kind(self) -> str:
        return next(kind for kind in KINDS if getattr(self.spec, kind) is not None)

    @property
    def fails(self) -> bool:
        """Whether the fault answers the request itself (else it is taken as usual)."""
        return self.kind in FAILING_KINDS

    async def wait(self) -> None:
        """A ``delay`` fault's wait, cut short when faults are cleared."""
        if self.spec.delay is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.released.wait(), self.spec.delay)

    def answer(self, response_text: str) -> str:
        """The usual answer ``response_text``, with an ``unasked`` fault's campaigns added."""
        if not self.spec.unasked:
            return response_text
        response = json.loads(response_text)
        recommendations = response.setdefault("recommendations", {})
        for div_id in self.spec.unasked:
            recommendations[div_id] = (
                f'<div class="nosto-unasked" data-fault="{self.id}">campaign for '
                f"{escape(div_id)}, which the request did not ask for</div>"
            )
        return json.dumps(response, separators=(",", ":"))

    def matches(self, account: str, visitor: str) -> bool:
        spec = self.spec
        return (spec.account is None or spec.account == account) and (
            spec.visitor is None or spec.visitor == visitor
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            **self.spec.model_dump(exclude_none=True, exclude={"count"}),
            "count": self.spec.count,
            "remaining": self.remaining,
            "served": self.served,
        }


class Faults:
    """The active faults (used from the event loop only)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._holding: list[Fault] = []  # hang and delay faults served: clearing releases them
        self._ids = itertools.count(1)

    def add(self, spec: FaultSpec) -> Fault:
        fault = Fault(next(self._ids), spec, remaining=spec.count)
        self._faults.append(fault)
        return fault

    def take(self, account: str, visitor: str) -> Fault | None:
        """The fault the next request of ``account``/``visitor`` gets, counted as served."""
        for fault in self._faults:
            if fault.matches(account, visitor):
                fault.served += 1
                if fault.kind in ("hang", "delay") and fault not in self._holding:
                    self._holding.append(fault)
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> int:
        """Remove every fault and release hanging requests; how many there were."""
        cleared = len(self._faults)
        for fault in self._faults + self._holding:
            fault.released.set()
        self._faults, self._holding = [], []
        return cleared

    def as_json(self) -> list[dict[str, Any]]:
        return [fault.as_json() for fault in self._faults]


async def faulty_response(fault: Fault, headers: dict[str, str]) -> Response:
    """The answer a faulted ``/ev1`` request gets."""
    spec = fault.spec
    if spec.status is not None:
        extra = {} if spec.retry_after is None else {"Retry-After": str(spec.retry_after)}
        return JSON(
            {"errors": [f"fault {fault.id}: the sandbox was told to answer {spec.status}"]},
            status_code=spec.status,
            headers=headers | extra,
        )
    if spec.hang is not None:
        timeout = MAX_HANG_S if spec.hang is True else float(spec.hang)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(fault.released.wait(), timeout)
        return JSON(
            {"errors": [f"fault {fault.id}: the sandbox hung this request; it was not stored"]},
            status_code=504,
            headers=headers,
        )
    content_type, body = GARBAGE_BODIES[spec.garbage or "html"]
    return Response(body, status_code=200, headers=headers | {"Content-Type": content_type})


async def faults_endpoint(request: Request) -> Response:
    """``GET|POST|DELETE /api/faults``: list, add or clear faults."""
    faults: Faults = request.state.faults
    if request.method == "DELETE":
        return JSON({"cleared": faults.clear(), "faults": []})
    if request.method == "POST":
        try:
            spec = FaultSpec.model_validate_json(await request.body() or b"null")
        except ValidationError as error:
            problems = [
                f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
                for e in error.errors(include_url=False)
            ]
            return JSON(
                {
                    "errors": problems,
                    "example": {"status": 503, "retry_after": 2, "count": 1},
                },
                status_code=400,
            )
        fault = faults.add(spec)
        return JSON({"fault": fault.as_json(), "faults": faults.as_json()}, status_code=201)
    return JSON({"faults": faults.as_json()}, headers={"Cache-Control": "no-store"})
