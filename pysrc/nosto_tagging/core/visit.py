"""The visit: visitor id (the ``2c.cId`` cookie), Do-Not-Track and the auto-load flag.

Under Do-Not-Track (``api.visit.setDoNotTrack(true)``, ``nostojs-api.md`` §4.6) requests carry
no visitor id and no visitor cookie is created; a cookie that exists is left alone. The
browser's own opt-out signals (Global Privacy Control, Do-Not-Track) count the same and the page
cannot switch them off: ``setDoNotTrack(false)`` ends only the API's own opt-out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from nosto_tagging.core import arguments
from nosto_tagging.core.errors import FieldProblem, InvalidInput
from nosto_tagging.core.session import is_absent

VISITOR_ID: Final = re.compile(r"^[0-9a-f]{24}$")


def new_visitor_id(random_bytes: Callable[[int], bytes]) -> str:
    """A fresh 24-hex-character visitor id, as Nosto's client makes."""
    return random_bytes(12).hex()


@dataclass
class Visit:
    visitor: str | None = None  # None: not known yet (made when the first request needs it)
    do_not_track: bool = False  # the API's opt-out (visit.setDoNotTrack)
    privacy_signal: bool = False  # the browser's: navigator.globalPrivacyControl or DNT
    auto_load: bool = True
    replayed: bool = False  # a closed page's calls: never makes a visitor id (nor a cookie)

    @property
    def opted_out(self) -> bool:
        """No visitor id on requests, no visitor cookie made."""
        return self.do_not_track or self.privacy_signal

    def set_customer_id(self, value: Any) -> None:
        if is_absent(value):
            self.visitor = None
            return
        candidate = arguments.text("visit.setCustomerId", "id", value).lower()
        if not VISITOR_ID.match(candidate):
            raise InvalidInput(
                "visit.setCustomerId",
                [FieldProblem("id", value, "is not a visitor id (24 hex characters)")],
            )
        self.visitor = candidate

    def set_do_not_track(self, value: Any) -> None:
        self.do_not_track = arguments.flag("visit.setDoNotTrack", "dnt", value)

    def set_auto_load(self, value: Any) -> None:
        self.auto_load = arguments.flag("setAutoLoad", "flag", value)

    def mirror(self) -> dict[str, Any]:
        return {
            "customerId": self.visitor,
            "doNotTrack": self.opted_out,
            "autoLoad": self.auto_load,
        }
