"""``/api/*`` reads: what the sandbox collected, as JSON, for QA tests and people debugging a page.

``/api/requests`` (stored requests), ``/api/visitors/{c}`` (derived state), ``/api/stats``
(counts). The live stream is ``stream.py``; fault controls are ``faults.py``.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from nosto_tagging.sandbox.db import MAX_LIST, Database, Filters
from nosto_tagging.sandbox.recorder import Recorder
from nosto_tagging.sandbox.responses import JSON

DEFAULT_LIST = 1_000


class BadParameter(Exception):
    """A query parameter that cannot be used, with an example of one that can."""


def _id_param(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise BadParameter(
            f"{name}={value!r} is not a request id; pass the last id you saw, e.g. {name}=42"
        )
    return int(value)


def _count_param(name: str, value: str | None, default: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIST:
        raise BadParameter(f"{name}={value!r} is not a count from 1 to {MAX_LIST}")
    return int(value)


def request_filters(request: Request) -> Filters:
    """The filters of ``/api/requests``, or :class:`BadParameter`."""
    params = request.query_params
    tail = params.get("tail")
    return Filters(
        account=params.get("account"),
        visitor=params.get("visitor"),
        page_type=params.get("page_type"),
        since=_id_param("since", params.get("since")),
        limit=_count_param("tail", tail, DEFAULT_LIST)
        if tail is not None
        else _count_param("limit", params.get("limit"), DEFAULT_LIST),
        tail=tail is not None,
    )


async def list_requests(request: Request) -> Response:
    """``GET /api/requests[?account=&visitor=&page_type=&since=<id>&limit=|tail=]``.

    Stored requests, oldest first: at most ``limit`` (default 1,000) after ``since``, or the
    newest ``tail`` ones.
    """
    try:
        filters = request_filters(request)
    except BadParameter as error:
        return JSON({"errors": [str(error)]}, status_code=400)
    database: Database = request.state.database
    stored = await run_in_threadpool(database.list_requests, filters)
    return JSON([entry.as_json() for entry in stored])


async def show_visitor(request: Request) -> Response:
    """``GET /api/visitors/{c}[?account=]``: cart, customer, page views and orders of ``c``."""
    visitor = request.path_params["visitor"]
    account = request.query_params.get("account")
    database: Database = request.state.database
    states = await run_in_threadpool(database.visitor_states, visitor, account)
    if not states:
        where = f" in account {account!r}" if account else ""
        return JSON(
            {
                "errors": [
                    f"no request from visitor {visitor!r}{where} was stored; the visitor id is "
                    "the page's 2c.cId cookie, sent as ?c= (see /api/requests)"
                ]
            },
            status_code=404,
        )
    if len(states) > 1:
        accounts = ", ".join(state.account for state in states)
        return JSON(
            {
                "errors": [
                    f"visitor {visitor!r} sent requests to several accounts ({accounts}); "
                    "add ?account=<one of them>"
                ]
            },
            status_code=400,
        )
    return JSON(states[0].as_json())


async def show_stats(request: Request) -> Response:
    """``GET /api/stats``: accepted, duplicate, rejected (by reason) and faulted requests."""
    database: Database = request.state.database
    recorder: Recorder = request.state.recorder
    await recorder.sync()  # counts of requests answered a moment ago are committed
    counts = await run_in_threadpool(database.counts)
    rejected = {
        name.split(":", 1)[1]: count
        for name, count in sorted(counts.items())
        if name.startswith("rejected:")
    }
    return JSON(
        {
            "accepted": counts.get("accepted", 0),
            "duplicates": counts.get("duplicates", 0),
            "rejected": sum(rejected.values()),
            "rejected_by_reason": rejected,
            "faulted": counts.get("faulted", 0),
            "visitors": counts.get("visitors", 0),
        }
    )
