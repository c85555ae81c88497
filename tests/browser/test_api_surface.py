"""Every member of ``Session``, ``Action``, ``Attribution`` and the api in nosto.d.ts exists on
our objects and returns the kind of object the spec says, on a real page."""

from __future__ import annotations

import re

import pytest

from tests.nosto_spec import interface_methods, nosto_dts

from .conftest import Shop

KIND_OF = """
(value, session) => {
  if (value === session) return "Session";
  if (value && typeof value.then === "function") return "Promise";
  const performs = value && typeof value.update === "function";
  if (performs && typeof value.load === "function") return "Action";
  if (value && typeof value.done === "function") return "Attribution";
  if (Array.isArray(value)) return "Array";
  return value === null ? "null" : typeof value;
}
"""
EXPECTED_KIND = {
    "Session": "Session",
    "Action": "Action",
    "Attribution": "Attribution",
    "Promise<ActionResponse>": "Promise",
    "Promise<void>": "Promise",
    "unknown": "Promise",  # update(): a Promise of the ActionResponse, as Nosto's docs use it
    "TaggingData": "object",
    "EventTuple[]": "Array",
}


@pytest.fixture(scope="module")
def dts() -> str:
    return nosto_dts()


def kinds_on_page(shop: Shop, script: str) -> dict[str, str]:
    page = shop.open("")
    shop.wait_for_engine()
    return page.evaluate(
        f"""async () => {{
            const kindOf = {KIND_OF};
            // Until the engine's mirror of an object arrives, its dumpData() is undefined.
            const mirrored = (object) => new Promise(resolve => {{
              const poll = () => object.dumpData() !== undefined ? resolve() : setTimeout(poll, 20);
              poll();
            }});
            const api = await new Promise(nostojs);
            const session = api.defaultSession();
            const kinds = {{}};
            {script}
            return kinds;
        }}"""
    )


def test_every_session_method_returns_what_the_spec_says(shop: Shop, dts: str) -> None:
    methods = interface_methods(dts, "Session")
    kinds = kinds_on_page(
        shop,
        f"for (const m of {list(methods)!r}) kinds[m] = typeof session[m] !== 'function' "
        "? 'missing' : kindOf(session[m](), session);",
    )
    assert kinds == {name: EXPECTED_KIND[returns] for name, returns in methods.items()}


def test_every_action_method_returns_what_the_spec_says(shop: Shop, dts: str) -> None:
    methods = interface_methods(dts, "Action")
    kinds = kinds_on_page(
        shop,
        "const action = session.viewFrontPage();"
        "await mirrored(action);"
        f"for (const m of {list(methods)!r}) kinds[m] = typeof action[m] !== 'function' "
        "? 'missing' : kindOf(action[m](), action === session ? null : session);"
        "kinds.chains = action.setPlacements(['x']) === action;",
    )
    expected = {name: EXPECTED_KIND[returns] for name, returns in methods.items()}
    assert kinds == {**expected, "chains": True}


def test_every_attribution_method_returns_what_the_spec_says(shop: Shop, dts: str) -> None:
    methods = interface_methods(dts, "Attribution")
    kinds = kinds_on_page(
        shop,
        "const chain = session.recordAttribution('vp', '181503', 'r1', 'front-1');"
        "await mirrored(chain);"
        f"for (const m of {list(methods)!r}) kinds[m] = kindOf(chain[m]({{type: 'vp', "
        "target: '1'}), session);",
    )
    assert kinds == {name: EXPECTED_KIND[returns] for name, returns in methods.items()}


def test_every_top_level_member_exists_and_unsupported_ones_warn_once(shop: Shop, dts: str) -> None:
    block = re.search(r"^declare const api: \{\n(.*?)^\};", dts, re.MULTILINE | re.DOTALL)
    assert block
    members = re.findall(r"^    (\w+):", block.group(1), re.MULTILINE)
    assert "defaultSession" in members and "listen" in members
    page = shop.open("")
    missing = page.evaluate(
        "members => nostojs(api => members.filter(m => api[m] === undefined))", members
    )
    assert missing == []
    page.evaluate("() => nostojs(api => { api.search(); api.search(); api.openPopup(); })")
    warnings = [line for line in shop.console if "not supported" in line]
    assert len(warnings) == 2
    assert shop.page_errors == []
