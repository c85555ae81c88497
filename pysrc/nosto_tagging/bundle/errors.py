"""The one exception the bundle build raises: its message says what failed and what to do next."""

from __future__ import annotations


class BuildError(Exception):
    """A build step failed; ``str(error)`` is a complete, user-facing explanation."""
