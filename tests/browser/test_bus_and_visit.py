"""Bus events (prerequest, taggingsent, scripterror), Do-Not-Track and the visitor id."""

from __future__ import annotations

from .conftest import Shop


def test_prerequest_receives_the_exact_body_that_reaches_the_collector(shop: Shop) -> None:
    page = shop.open(
        "<script>window.seen = {}; nostojs(api => {"
        " api.listen('prerequest', body => { seen.prerequest = body; });"
        " api.listen('taggingsent', message => { seen.taggingsent = message; });"
        " api.defaultSession().viewCategory('/Women').setPlacements(['cat-1']).load(); });"
        "</script>"
    )
    [stored] = shop.wait_until_stored(1)
    page.wait_for_function("() => seen.taggingsent")
    seen = page.evaluate("seen")
    assert seen["prerequest"] == stored["body"]
    assert seen["taggingsent"]["pv"] == 1
    assert list(seen["taggingsent"]["recommendations"]) == ["cat-1"]


def test_bad_input_emits_scripterror_and_never_throws(shop: Shop) -> None:
    page = shop.open("")
    shop.wait_for_engine()
    errors = page.evaluate(
        """() => new Promise(resolve => nostojs(api => {
            const errors = [];
            api.listen("scripterror", e => errors.push(e.msg));
            let deep = {}; const root = deep;
            for (let i = 0; i < 100; i++) { deep.items = [{}]; deep = deep.items[0]; }
            const session = api.defaultSession()
              .setCart({items: [{product_id: "1", name: "x", quantity: NaN, unit_price: 1,
                                  price_currency_code: "EUR"}]})
              .setCustomer({email: "x".repeat(100000)})
              .setCart(root)
              .setVariation({currency: "EUR"});
            session.viewCategory(null, 5).load();
            setTimeout(() => resolve(errors), 1500);
        }))"""
    )
    assert [message.split(":")[0] for message in errors] == [
        "setCart", "setCustomer", "setCart", "setVariation", "viewCategory", "load",
    ]  # fmt: skip
    assert "quantity" in errors[0]
    assert shop.page_errors == []


def test_do_not_track_sets_no_cookie_and_sends_no_visitor(shop: Shop) -> None:
    page = shop.open(
        "<script>nostojs(api => { api.visit.setDoNotTrack(true);"
        " window.dnt = api.visit.isDoNotTrack();"
        " api.defaultSession().viewFrontPage().load().then(() => window.done = true); });"
        "</script>"
    )
    page.wait_for_function("() => window.done === true")
    assert page.evaluate("dnt") is True
    assert [c for c in shop.context.cookies() if c["name"] == "2c.cId"] == []
    stored = shop.sandbox.requests()
    mine = [r for r in stored if r["body"].get("url", "").startswith(page.url)
            and r["body"].get("page_type") == "front" and not r["query"]]  # fmt: skip
    assert mine, "the front page view reached the collector"
    assert page.evaluate("() => nostojs(api => api.visit.getCustomerId())") is None


def test_the_visitor_id_is_kept_in_the_2c_cid_cookie_and_reused(shop: Shop) -> None:
    page = shop.open("<script>nostojs(api => api.defaultSession().viewFrontPage().load())</script>")
    visitor = shop.visitor()
    page.reload()
    shop.wait_for_engine()
    assert page.evaluate("() => nostojs(api => api.visit.getCustomerId())") == visitor
    stored = shop.wait_until_stored(2)
    assert {request["visitor"] for request in stored} == {visitor}


def test_campaign_injection_puts_returned_html_into_the_placements(shop: Shop) -> None:
    page = shop.open('<div class="nosto_element" id="front-1"></div>'
                     '<div class="nosto_element" id="front-2"></div>')  # fmt: skip
    shop.wait_for_engine()
    page.evaluate(
        "() => nostojs(api => api.defaultSession().setResponseMode('HTML')"
        ".enableCampaignInjection().viewFrontPage().setPlacements(['front-1']).load())"
    )
    assert page.inner_html("#front-1").strip() != ""
    assert page.inner_html("#front-2") == ""  # not requested, left alone
    page.evaluate(
        "() => nostojs(api => api.defaultSession().disableCampaignInjection().viewFrontPage()"
        ".setPlacements(['front-2']).load())"
    )
    assert page.inner_html("#front-2") == ""
