"""``core.api``'s table against ``nosto.d.ts``, member by member, signatures included, and
against the engine's dispatch (each engine row says how the engine applies it; no other does)."""

from __future__ import annotations

import pytest

from nosto_tagging.core.api import ENGINE, INTERFACES, TARGETS, loader_kind, loader_table
from nosto_tagging.core.engine import Engine
from tests.nosto_spec import Signature, api_signatures, interface_signatures, nosto_dts


@pytest.fixture(scope="module")
def dts() -> str:
    return nosto_dts()


def spec_of(dts: str, interface: str) -> dict[str, Signature]:
    return api_signatures(dts) if interface == "api" else interface_signatures(dts, interface)


@pytest.mark.parametrize("interface", list(INTERFACES))
def test_the_table_lists_every_member_with_the_signature_of_the_spec(
    dts: str, interface: str
) -> None:
    ours = {row.name: (row.params, row.returns) for row in INTERFACES[interface]}
    assert len(ours) == len(INTERFACES[interface]), "a member is listed twice"
    assert ours == spec_of(dts, interface)


@pytest.mark.parametrize("interface", list(INTERFACES))
def test_each_engine_row_says_how_the_engine_applies_it_and_no_other_row_does(
    interface: str,
) -> None:
    for row in INTERFACES[interface]:
        ways = [way for way in (row.state, row.fill, row.handler) if way is not None]
        assert len(ways) == (row.side is ENGINE), f"{interface}.{row.name}: {ways}"
        if row.handler is not None:
            assert callable(getattr(Engine, row.handler, None)), f"Engine.{row.handler}"
        if row.fill is not None and interface == "Session":
            assert row.returns == "Action", f"{row.name}: a Session view returns an Action"


def test_every_member_has_a_loader_kind_and_customer_data_is_marked() -> None:
    table = loader_table()
    kinds = {kind for target in TARGETS for kind in table[target].values()}
    assert kinds <= {"S", "A", "T", "B", "R", "M", "N", "V", "D", "P", "U", "UP", "US"}
    assert table["session"]["setCart"] == "S" and table["session"]["viewCart"] == "A"
    assert table["action"]["update"] == "R" and table["builder"]["load"] == "M"
    assert table["api"]["search"] == "UP" and table["builder"]["setCoupon"] == "US"
    assert table["api"]["visit.setDoNotTrack"] == "P"  # echoed by the page, then journaled
    assert "setCustomer" in table["private"]["session"]
    assert {"setOrder", "setCustomer", "setRestoreLink"} <= set(table["private"]["action"])
    assert "customer" in table["private"]["api"]


def test_a_session_setter_row_names_its_state_and_request_field() -> None:
    for row in INTERFACES["Session"]:
        if row.name.startswith("set"):
            assert row.state and row.parse and row.wire, row.name
        assert loader_kind("Session", row) in {"S", "A", "T"}
