"""When to send again: a pure decision over (outcome, attempt, random draw).

The browser adapter does the sending and the sleeping; this module only decides, so the whole
policy is a table test in CPython. 5xx, 408, 429 (honouring ``Retry-After``), network errors,
timeouts and answers that are not JSON are retried with capped exponential backoff and full
jitter; any other 4xx is dropped and reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

BASE_DELAY_S: Final = 0.5
MAX_DELAY_S: Final = 30.0
MAX_ATTEMPTS: Final = 10
REQUEST_TIMEOUT_S: Final = 10.0


@dataclass(frozen=True)
class Outcome:
    """What one attempt ended with: an HTTP status, or none for a network failure/timeout."""

    status: int | None
    json_ok: bool = True  # a 2xx whose body was not the JSON Nosto answers is a failure
    retry_after_s: float | None = None
    error: str = ""


@dataclass(frozen=True)
class Delivered:
    pass


@dataclass(frozen=True)
class Retry:
    delay_s: float


@dataclass(frozen=True)
class Drop:
    reason: str


Decision = Delivered | Retry | Drop


def backoff_s(attempt: int, rand: float) -> float:
    """Full jitter: uniform in [0, min(MAX, BASE * 2**(attempt-1))] for attempt 1, 2, ..."""
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(0, attempt - 1))
    return ceiling * min(max(rand, 0.0), 1.0)


def decide(outcome: Outcome, attempt: int, rand: float) -> Decision:
    """Decide after ``attempt`` (1-based) ended with ``outcome``; ``rand`` is uniform in [0, 1)."""
    status = outcome.status
    if status is not None and 200 <= status < 300 and outcome.json_ok:
        return Delivered()
    retryable = (
        status is None
        or status in (408, 429)
        or status >= 500
        or (200 <= status < 300 and not outcome.json_ok)
    )
    if not retryable:
        return Drop(f"the collector refused the request with HTTP {status}")
    if attempt >= MAX_ATTEMPTS:
        what = f"HTTP {status}" if status is not None else outcome.error or "network error"
        return Drop(f"gave up after {attempt} attempts (last: {what})")
    if outcome.retry_after_s is not None and status in (429, 503):
        return Retry(min(max(outcome.retry_after_s, 0.0), MAX_DELAY_S))
    return Retry(backoff_s(attempt, rand))


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (the delta form); dates and junk read as absent."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
