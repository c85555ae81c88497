"""Which page's connection delivers an event id, when pages share one engine.

A page hands its engine bodies to deliver: the ones the engine built for it, the leftovers
of closed pages it adopted (``resend``), and the ones a replay of a closed page's calls builds
again with their event ids (the closed page's own connection may have built them already: it
went before it heard they were applied). With a dedicated worker per page, two pages adopting
the same leftover send it twice and the collector keeps it once. A shared engine can do better:
the first connection to claim an event id delivers it, and every other connection that claims
it is told the outcome instead, when it comes (at once if it came already), so that its page
forgets the body as well.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

# (kind, payload): ("acked", the collector's answer) or ("dropped", the reason)
Outcome = tuple[str, Any]
Waiter = Callable[[str, Outcome], None]

REMEMBERED = 2000  # settled event ids kept, for claims that come after the outcome


class Claims:
    """Event ids being delivered, each with the connections waiting for its outcome."""

    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._open: dict[str, list[Waiter]] = {}
        self._settled: OrderedDict[str, Outcome] = OrderedDict()
        self._remembered = remembered

    def claim(self, eid: str, waiter: Waiter) -> bool:
        """True when the caller is the first and delivers ``eid``; either way ``waiter`` gets
        the outcome (now, if ``eid`` was settled already)."""
        settled = self._settled.get(eid)
        if settled is not None:
            waiter(eid, settled)
            return False
        waiters = self._open.get(eid)
        if waiters is not None:
            waiters.append(waiter)
            return False
        self._open[eid] = [waiter]
        return True

    def unclaimed(self, eid: str) -> bool:
        """True when a :meth:`claim` of ``eid`` now would be the first."""
        return eid not in self._open and eid not in self._settled

    def settle(self, eid: str, outcome: Outcome) -> None:
        """The delivery of ``eid`` ended: tell every waiter, remember the outcome."""
        self._settled[eid] = outcome
        while len(self._settled) > self._remembered:
            self._settled.popitem(last=False)
        for waiter in self._open.pop(eid, []):
            waiter(eid, outcome)

    def forget(self, waiter: Waiter) -> None:
        """A connection went away: it waits for nothing any more."""
        for waiters in self._open.values():
            while waiter in waiters:
                waiters.remove(waiter)
