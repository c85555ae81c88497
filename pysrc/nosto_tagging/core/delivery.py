"""When to send again: a pure decision over (outcome, attempt, random draw).

The browser adapter does the sending and the sleeping; this module only decides, so the whole
policy is a table test in CPython. 5xx, 408, 429 (honouring ``Retry-After``), network errors,
timeouts and answers that are not JSON are retried with capped exponential backoff and full
jitter; any other 4xx is dropped and reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class RetryPolicy:
    """Every timing of delivery in one place; tests shrink it instead of waiting."""

    base_delay_s: float = 0.5  # the first backoff's ceiling; doubles per attempt
    max_delay_s: float = 30.0  # no backoff, nor honoured Retry-After, waits longer
    max_attempts: int = 10
    request_timeout_s: float = 10.0  # an attempt without an answer by then has failed


DEFAULT_POLICY: Final = RetryPolicy()


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


def backoff_s(attempt: int, rand: float, policy: RetryPolicy = DEFAULT_POLICY) -> float:
    """Full jitter: uniform in [0, min(max, base * 2**(attempt-1))] for attempt 1, 2, ..."""
    ceiling = min(policy.max_delay_s, policy.base_delay_s * 2.0 ** max(0, attempt - 1))
    return ceiling * min(max(rand, 0.0), 1.0)


def decide(
    outcome: Outcome, attempt: int, rand: float, policy: RetryPolicy = DEFAULT_POLICY
) -> Decision:
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
    if attempt >= policy.max_attempts:
        what = f"HTTP {status}" if status is not None else outcome.error or "network error"
        return Drop(f"gave up after {attempt} attempts (last: {what})")
    if outcome.retry_after_s is not None and status in (429, 503):
        return Retry(min(max(outcome.retry_after_s, 0.0), policy.max_delay_s))
    return Retry(backoff_s(attempt, rand, policy))


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds (the delta form); dates and junk read as absent."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
