"""The engine: applies journaled nostojs calls, in call order, to the session and its actions.

This is the one table from Nosto's camelCase API to the Python core. It is pure: what the
browser adapter must do (send a request, tell the page, log) comes back as values.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from nosto_tagging.actions import VIEW_PAGE_TYPES, Action, create_action, load_flags
from nosto_tagging.errors import InvalidInput
from nosto_tagging.protocol import Call
from nosto_tagging.request import Request, build_request
from nosto_tagging.session import Session

MAX_LIVE_ACTIONS: Final = 200

SESSION_SETTERS: Final[dict[str, Callable[[Session, Any], None]]] = {
    "setCart": Session.set_cart,
    "setCustomer": Session.set_customer,
}
ACTION_PERFORMERS: Final = ("update", "load")


@dataclass(frozen=True)
class EngineConfig:
    account: str
    endpoint: str  # absolute URL of the collector (the loader resolves data-endpoint)
    visitor: str  # the 2c.cId cookie value; empty under Do-Not-Track


@dataclass(frozen=True)
class Built:
    """A request to deliver; the page keeps its body until the collector acknowledges it."""

    request: Request


@dataclass(frozen=True)
class Log:
    """A message for the page's console, naming the nostojs method it concerns."""

    level: str  # "error" | "warn"
    method: str
    message: str


@dataclass(frozen=True)
class StateChanged:
    """The session changed; the page's mirror must be refreshed."""

    state: dict[str, Any]


Output = Built | Log | StateChanged


class Engine:
    """One page's engine: the default session and the actions created from it."""

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self.session = Session()
        self.actions: OrderedDict[str, Action] = OrderedDict()
        self.failed_actions: dict[str, str] = {}

    def apply(self, call: Call) -> list[Output]:
        """Apply one call. Invalid input becomes a ``Log``; the session is left as it was."""
        try:
            return self._apply(call)
        except InvalidInput as error:
            if call.method in VIEW_PAGE_TYPES:
                self.failed_actions[call.eid] = str(error)
            return [Log("error", error.method, str(error))]

    def _apply(self, call: Call) -> list[Output]:
        if call.target == "session":
            setter = SESSION_SETTERS.get(call.method)
            if setter is not None:
                before = self.session.state
                setter(self.session, call.args[0] if call.args else None)
                changed = self.session.state != before
                return [StateChanged(self.session.state.mirror())] if changed else []
            if call.method in VIEW_PAGE_TYPES:
                self._remember(call.eid, create_action(call.method, call.args, self.session.state))
                return []
        elif call.target.startswith("action:") and call.method in ACTION_PERFORMERS:
            return self._perform(call.target.removeprefix("action:"), call)
        return [Log("warn", call.method, f"{call.method}: not supported by this engine; ignored")]

    def _perform(self, action_id: str, call: Call) -> list[Output]:
        action = self.actions.get(action_id)
        if action is None:
            why = self.failed_actions.get(action_id, "the action is unknown to the engine")
            return [Log("error", call.method, f"{call.method}: nothing sent, because {why}")]
        if call.method == "update":
            flags = {"skipPageViews": True}  # update() does not count a page view
        else:
            flags = load_flags(call.method, call.args[0] if call.args else None)
        config = self.config
        request = build_request(
            action,
            call,
            account=config.account,
            endpoint=config.endpoint,
            visitor=config.visitor,
            flags=flags,
        )
        return [Built(request)]

    def _remember(self, action_id: str, action: Action) -> None:
        self.actions[action_id] = action
        while len(self.actions) > MAX_LIVE_ACTIONS:
            self.actions.popitem(last=False)
