"""The worker's shell: page messages in, engine outputs and delivery results out.

Runs in the page's dedicated worker, where ``web/engine.py`` (the worker's entry) connects it to
the page's messages, or in the shared engine (``nosto_tagging.worker.shared``). Every message
is a JSON text defined in ``nosto_tagging.core.protocol``. A built request is held until the
page answers ``stored`` (it keeps the body until the collector acknowledges it), then sent: by
the page where the engine ends with it (a dedicated worker), by the engine itself where it
outlives its pages (shared). A page that sends finds in ``built`` whether to send the body as
soon as it stored it (nothing goes before it), or to wait for the engine's ``attempt``.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import traceback
from collections.abc import Awaitable, Callable
from typing import Any

from nosto_tagging import __version__
from nosto_tagging.core import protocol
from nosto_tagging.core.claims import Claims, Outcome
from nosto_tagging.core.dispatcher import Dispatcher, Response, Transport, TransportError
from nosto_tagging.core.engine import (
    Built,
    Engine,
    EngineConfig,
    Log,
    ObjectData,
    Settled,
    StateChanged,
    VisitorChanged,
)
from nosto_tagging.core.request import Request
from nosto_tagging.core.response import action_response
from nosto_tagging.core.visit import VISITOR_ID, Visit


class WorkerShell:
    """Owns the engine and the dispatcher of one page; ``post`` sends one JSON text to it.

    ``claims`` is shared by the shells of one interpreter (pages sharing an engine): an event
    id is delivered by the first to claim it. ``engine_id`` names the interpreter: the page
    reads it in ``ready`` (pages sharing an engine see the same id), with ``start``: how the
    interpreter started (``"restored"`` from a snapshot or ``"plain"``). ``transport``: how the
    engine sends; None: the page sends each attempt (a dedicated worker ends with its page, a
    page's keepalive request does not). ``outlives``: the engine
    goes on delivering after its page went away (the shared engine); the page then leaves
    delivery to it instead of beaconing at unload. ``sleep``: what the retry timers sleep on
    (the test build's entry gives a clock the page advances; real time otherwise).
    ``joined``: the (shared) engine served another page before this one.
    """

    def __init__(
        self,
        post: Callable[[str], None],
        transport: Transport | None,
        claims: Claims | None = None,
        engine_id: str = "",
        start: str = "",
        outlives: bool = False,
        marks: dict[str, float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        joined: bool = False,
    ) -> None:
        self._post = post
        self.joined = joined
        self._engine: Engine | None = None
        self._page_sends = transport is None
        self._dispatcher = Dispatcher(
            transport or self._page_transport,
            self._acked,
            self._dropped,
            on_attempt=self._attempting,
        )
        self._outlives = outlives
        if sleep is not None:
            self._dispatcher.use_sleep(sleep)
        self._answer: tuple[str, asyncio.Future[dict[str, Any]]] | None = None
        self._claims = claims if claims is not None else Claims()
        self.engine_id = engine_id or secrets.token_hex(8)
        self.start = start
        self.marks = marks or {}

    @property
    def account(self) -> str | None:
        """The page's account, once its config came."""
        return self._engine.config.account if self._engine is not None else None

    def close(self) -> None:
        """The page went away: what it handed over is still delivered, and nothing is said
        to it any more (its built bodies, held until it stored them, are sent now)."""
        self._post = _nowhere
        self._claims.forget(self._outcome)
        self._dispatcher.release_all()

    async def idle(self) -> None:
        """Wait until every request handed to delivery is delivered or dropped."""
        await self._dispatcher.idle()

    def on_message(self, text: str) -> None:
        try:
            message = protocol.decode(text)
        except ValueError as error:
            self._log("error", "", f"engine: ignored a message: {error}")
            return
        kind = message["kind"]
        if kind == "config":
            self._engine = Engine(
                EngineConfig(
                    account=str(message["account"]),
                    endpoint=str(message["endpoint"]),
                    visitor=str(message.get("visitor") or ""),
                    do_not_track=message.get("doNotTrack") is True,
                    privacy_signal=message.get("privacySignal") is True,
                )
            )
            self._post(
                protocol.encode(
                    "ready",
                    version=__version__,
                    engine=self.engine_id,
                    start=self.start,
                    outlives=self._outlives,
                    marks=self.marks,
                    joined=self.joined,
                )
            )
        elif self._engine is None:
            self._log("error", "", f"engine: a {kind!r} message arrived before its config")
        elif kind == "calls":
            self._engine.observe_cookie(str(message.get("visitor") or ""))
            self._apply_all(self._engine, message["calls"])
        elif kind == "restore":
            self._restore(self._engine, message["calls"])
        elif kind == "replay":
            applied = int(message.get("applied") or 0)
            self._replay(self._engine, str(message["page"]), message["calls"], applied)
        elif kind == "resend":
            request = Request(str(message["eid"]), str(message["url"]), json.loads(message["body"]))
            if self._claims.claim(request.eid, self._outcome):
                self._dispatcher.submit(request)
        elif kind == "stored":
            self._dispatcher.release(str(message["eid"]))
        elif kind == "carried":
            eids = [str(eid) for eid in message["eids"]]
            self._dispatcher.carried(eids)
            for eid in eids:
                self._answered(eid, {"error": "sent by its page as it went away"})
        elif kind == "answer":
            self._answered(str(message["eid"]), message)
        elif kind == "lost":
            self._engine.lost_private += int(message["count"])
        elif kind == "online":
            self._dispatcher.nudge()
        elif kind == "inspect":
            # Only the debug panel asks: the decoder and the rules load then.
            from nosto_tagging.core.decoder import inspect_request

            found = inspect_request(json.loads(message["body"]))
            self._post(protocol.encode("inspected", eid=message["eid"], **found))

    def _replay(self, live: Engine, page: str, calls: list[Any], applied: int = 0) -> None:
        """Calls of a page that closed before its engine saw them: their own engine (their own
        session and visit), each call under the visitor and consent stored with it; requests
        keep their original event ids and times. Calls up to ``applied`` were applied by the
        page's own engine (their bodies are in its outbox): they make the session again and
        build nothing. A replay never makes a visitor id nor writes the cookie, and is dropped
        while this page's visitor has opted out (Do-Not-Track)."""
        if live.visit.opted_out:
            seq = max(
                (int(raw.get("seq") or 0) for raw in calls if isinstance(raw, dict)), default=0
            )
            self._post(protocol.encode("applied", page=page, seq=seq))
            return
        replay = Engine(live.config)
        replay.visit = Visit(replayed=True)
        # The count of customer-data events lost with closed tabs goes on the next request
        # built, the replay's or, if it builds none, the live page's.
        replay.lost_private, live.lost_private = live.lost_private, 0
        self._apply_all(replay, calls, page=page, emits=(Built, Log), applied=applied)
        live.lost_private += replay.lost_private

    def _restore(self, engine: Engine, calls: list[Any]) -> None:
        """Calls this page's previous engine applied before it went away (a shared engine that
        stopped, or forgot the page while it was in the back/forward cache): applied again for
        the session they made. What they built was handed over then; nothing is built now."""
        self._apply_all(engine, calls, emits=(StateChanged, ObjectData))

    def _apply_all(
        self,
        engine: Engine,
        calls: list[Any],
        page: str | None = None,
        emits: tuple[type, ...] | None = None,
        applied: int = 0,
    ) -> None:
        """Apply ``calls`` in order; ``page`` names a replayed page (each call then runs under
        its stored visitor and consent); ``emits``: the outputs passed on (all when None), none
        for calls up to ``applied``."""
        last_seq, last_page = 0, page
        for raw in calls:
            try:
                call = protocol.Call.from_wire(raw)
            except (KeyError, TypeError, ValueError) as error:
                # Named by its event id and method only: its arguments may be customer data.
                named = {k: raw.get(k) for k in ("eid", "method")} if isinstance(raw, dict) else {}
                missing = f" {error}" if isinstance(error, KeyError) else ""  # a field's name
                why = f"{type(error).__name__}{missing}"
                self._log("error", "", f"engine: unreadable call {named}: {why}")
                continue
            if page is not None:  # a replay: the visit of the moment of the call
                visitor = str(raw.get("visitor") or "")
                if VISITOR_ID.match(visitor):
                    engine.visit.visitor = visitor
                engine.visit.do_not_track = raw.get("dnt") is True
            again = 0 < int(raw.get("seq") or 0) <= applied
            for output in engine.apply(call):
                if not again and (emits is None or isinstance(output, emits)):
                    self._emit(output)
            last_seq = max(last_seq, int(raw.get("seq") or 0))
            last_page = last_page or str(raw.get("page") or "")
        if last_page:
            self._post(protocol.encode("applied", page=last_page, seq=last_seq))

    def _emit(self, output: Any) -> None:
        encode = protocol.encode
        if isinstance(output, Built):
            request = output.request
            # Where the page makes the attempts and nothing goes before this body, the page
            # sends it as soon as it stored it: its first attempt needs no message of its own.
            send = (
                self._page_sends
                and self._dispatcher.sends_next()
                and self._claims.unclaimed(request.eid)
            )
            self._post(
                encode(
                    "built",
                    eid=request.eid,
                    url=request.url,
                    body=request.body_text(),
                    inject=output.inject,
                    private=output.private,
                    order=output.order,
                    send=send,
                )
            )
            # A replay keeps its calls' event ids: where the closed page's own connection
            # built and delivers them (it went before it heard `applied`), this page is told
            # the outcome instead of sending a copy.
            if not self._claims.claim(request.eid, self._outcome):
                return
            if send:
                self._await_answer(request.eid)
                self._dispatcher.submit(request, under_way=True)
            else:
                self._dispatcher.hold(request)
        elif isinstance(output, StateChanged):
            self._post(encode("state", state=output.state))
        elif isinstance(output, ObjectData):
            self._post(encode("object", target=output.target, data=output.data))
        elif isinstance(output, VisitorChanged):
            self._post(encode("visitor", visitor=output.visitor))
        elif isinstance(output, Settled):
            self._post(encode("settled", eid=output.eid))
        elif isinstance(output, Log):
            self._log(output.level, output.method, output.message)

    def _attempting(self, request: Request, sending: bool) -> None:
        if not (sending and self._page_sends):
            self._post(protocol.encode("attempt", eid=request.eid, sending=sending))
            return
        self._await_answer(request.eid)
        body = request.body_text()
        self._post(
            protocol.encode("attempt", eid=request.eid, sending=True, url=request.url, body=body)
        )

    def _await_answer(self, eid: str) -> None:
        """The page makes the attempt for ``eid`` now: its ``answer`` is the one awaited."""
        self._answer = (eid, asyncio.get_event_loop().create_future())

    async def _page_transport(self, url: str, body: str, timeout_s: float) -> Response:
        """One attempt made by the page (``fetch`` with keepalive: it outlives the page, which
        a dedicated worker does not); the page's ``answer`` is the collector's. The dispatcher
        makes one attempt at a time: this is the one :meth:`_attempting` announced."""
        if self._answer is None:
            raise TransportError("no attempt was announced")
        answer = await self._answer[1]
        if answer.get("error") is not None or not isinstance(answer.get("status"), int):
            raise TransportError(str(answer.get("error") or "no answer"))
        retry_after = answer.get("retryAfter")
        return Response(
            answer["status"],
            str(answer.get("text") or ""),
            None if retry_after is None else str(retry_after),
            str(answer.get("type") or ""),
        )

    def _answered(self, eid: str, answer: dict[str, Any]) -> None:
        if self._answer is not None and self._answer[0] == eid and not self._answer[1].done():
            self._answer[1].set_result(answer)

    def _acked(self, eid: str, message: dict[str, Any]) -> None:
        self._claims.settle(eid, ("acked", message))

    def _dropped(self, eid: str, reason: str) -> None:
        self._claims.settle(eid, ("dropped", reason))

    def _outcome(self, eid: str, outcome: Outcome) -> None:
        """What became of a body this page handed over (its own delivery or another's)."""
        kind, payload = outcome
        if kind == "acked":
            response = action_response(payload)
            self._post(protocol.encode("acked", eid=eid, response=response, message=payload))
        else:
            self._post(protocol.encode("dropped", eid=eid, reason=payload))

    def _log(self, level: str, method: str, message: str) -> None:
        self._post(protocol.encode("log", level=level, method=method, message=message))


def _nowhere(text: str) -> None:
    """Where a closed page's messages go."""


MARK_PREFIX = "nosto-tagging:"


def start_marks(performance: Any) -> dict[str, float]:
    """When this worker reached each step of its start-up, in ms since the epoch (its
    ``performance.timeOrigin`` plus the mark's time): ``worker`` (the worker's time origin),
    each ``nosto-tagging:<step>`` User Timing mark of the interpreter module (``web/snapshot/``)
    and ``shell`` (now: the engine's entry script runs)."""
    origin = float(performance.timeOrigin)
    marks = {"worker": origin}
    for entry in performance.getEntriesByType("mark"):
        name = str(entry.name)
        if name.startswith(MARK_PREFIX):
            marks[name.removeprefix(MARK_PREFIX)] = origin + float(entry.startTime)
    marks["shell"] = origin + float(performance.now())
    return marks


def start(
    post: Callable[[str], None], sleep: Callable[[float], Awaitable[None]] | None = None
) -> Callable[[str], None]:
    """Make the dedicated engine's shell and return the handler for the page's message texts.

    ``web/engine.py`` (the worker's entry) hands it to the worker's channel. ``sleep``: the test
    build's clock (``web/engine.test.py``).
    """
    import js

    start = str(getattr(js, "nostoTaggingStart", ""))  # set by the runtime's snapshot.mjs
    marks = start_marks(js.performance)
    return receiver(WorkerShell(post, None, start=start, marks=marks, sleep=sleep), post)


def receiver(shell: WorkerShell, post: Callable[[str], None]) -> Callable[[str], None]:
    """``shell.on_message`` for one page's message texts, surviving anything a message causes.

    An internal error is named by its type and where it was raised, never by its text (which
    may quote a call's arguments: customer data)."""

    def receive(text: str) -> None:
        try:
            shell.on_message(text)
        except Exception as error:  # the worker must survive anything a message causes
            where = traceback.extract_tb(error.__traceback__)[-1]
            place = f"{where.filename.rsplit('/', 1)[-1]}:{where.lineno}"
            message = f"engine: internal error {type(error).__name__} at {place}"
            post(protocol.encode("log", level="error", method="", message=message))

    return receive
