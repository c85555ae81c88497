"""Claims: an event id handed to a shared engine by several pages is delivered once."""

from __future__ import annotations

from nosto_tagging.core.claims import Claims, Outcome, Waiter


def recorder() -> tuple[list[tuple[str, Outcome]], Waiter]:
    seen: list[tuple[str, Outcome]] = []
    return seen, lambda eid, outcome: seen.append((eid, outcome))


def test_the_first_claim_delivers_and_every_claimant_hears_the_outcome() -> None:
    claims = Claims()
    first, tell_first = recorder()
    second, tell_second = recorder()
    assert claims.claim("e1", tell_first) is True
    assert claims.claim("e1", tell_second) is False
    assert first == second == []
    claims.settle("e1", ("acked", {"pv": 1}))
    assert first == second == [("e1", ("acked", {"pv": 1}))]


def test_a_claim_after_the_outcome_hears_it_at_once_and_delivers_nothing() -> None:
    claims = Claims()
    _, tell = recorder()
    claims.claim("e1", tell)
    claims.settle("e1", ("dropped", "HTTP 400"))
    late, tell_late = recorder()
    assert claims.claim("e1", tell_late) is False
    assert late == [("e1", ("dropped", "HTTP 400"))]


def test_settled_ids_are_remembered_within_a_bound() -> None:
    claims = Claims(remembered=2)
    _, tell = recorder()
    for eid in ("a", "b", "c"):
        claims.claim(eid, tell)
        claims.settle(eid, ("acked", {}))
    assert claims.claim("a", tell) is True  # forgotten: sent again
    assert claims.claim("c", tell) is False


def test_a_forgotten_waiter_hears_nothing() -> None:
    claims = Claims()
    _, tell = recorder()
    gone, tell_gone = recorder()
    claims.claim("e1", tell)
    claims.claim("e1", tell_gone)
    claims.forget(tell_gone)
    claims.settle("e1", ("acked", {}))
    assert gone == []
