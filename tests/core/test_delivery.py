"""The retry policy as a numbered table (R01...), one case per row: pure, no clock, no network."""

from __future__ import annotations

import pytest

from nosto_tagging.core.delivery import (
    DEFAULT_POLICY,
    Decision,
    Delivered,
    Drop,
    Outcome,
    Retry,
    backoff_s,
    decide,
    parse_retry_after,
)


@pytest.mark.parametrize(
    ("outcome", "attempt", "rand", "expected"),
    [
        pytest.param(Outcome(200), 1, 0.5, Delivered(), id="R01-2xx-json-is-delivered"),
        pytest.param(
            Outcome(200, json_ok=False), 1, 0.5, Retry(0.25), id="R02-2xx-garbage-retried"
        ),
        pytest.param(Outcome(500), 1, 0.5, Retry(0.25), id="R03-500-retried"),
        pytest.param(Outcome(503), 3, 1.0, Retry(2.0), id="R04-backoff-doubles"),
        pytest.param(
            Outcome(502),
            30,
            1.0,
            Drop("gave up after 30 attempts (last: HTTP 502)"),
            id="R05-gives-up-after-max-attempts",
        ),
        pytest.param(Outcome(408), 1, 0.0, Retry(0.0), id="R06-408-retried"),
        pytest.param(Outcome(429, retry_after_s=7), 1, 0.5, Retry(7.0), id="R07-429-retry-after"),
        pytest.param(
            Outcome(429, retry_after_s=3600),
            1,
            0.5,
            Retry(DEFAULT_POLICY.max_delay_s),
            id="R08-retry-after-capped",
        ),
        pytest.param(Outcome(None, error="offline"), 2, 0.5, Retry(0.5), id="R09-network-retried"),
        pytest.param(
            Outcome(400),
            1,
            0.5,
            Drop("the collector refused the request with HTTP 400"),
            id="R10-400-dropped",
        ),
        pytest.param(
            Outcome(413),
            1,
            0.5,
            Drop("the collector refused the request with HTTP 413"),
            id="R11-413-dropped",
        ),
        pytest.param(
            Outcome(500), 8, 1.0, Retry(DEFAULT_POLICY.max_delay_s), id="R12-delay-capped"
        ),
        pytest.param(
            Outcome(500),
            DEFAULT_POLICY.max_attempts,
            0.5,
            Drop(f"gave up after {DEFAULT_POLICY.max_attempts} attempts (last: HTTP 500)"),
            id="R13-last-attempt-drops",
        ),
    ],
)
def test_retry_policy(outcome: Outcome, attempt: int, rand: float, expected: Decision) -> None:
    assert decide(outcome, attempt, rand) == expected


def test_backoff_is_full_jitter_within_the_ceiling() -> None:
    assert backoff_s(1, 0.0) == 0.0
    assert backoff_s(4, 1.0) == 4.0
    assert backoff_s(40, 1.0) == DEFAULT_POLICY.max_delay_s


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("5", 5.0),
        (" 1.5 ", 1.5),
        (None, None),
        ("-1", None),
        ("Wed, 21 Oct 2026 07:28:00 GMT", None),
    ],
)
def test_retry_after_reads_the_seconds_form(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header) == seconds
