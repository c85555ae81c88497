"""Bus events (prerequest, taggingsent, scripterror), Do-Not-Track and the visitor id."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from nosto_tagging.testing import Sandbox

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
            // The engine applies calls in order: once this last bad call is reported,
            // every error of the calls before it has been too.
            api.listen("scripterror",
                       e => { if (e.msg.startsWith("setResponseMode")) resolve(errors); });
            api.defaultSession().setResponseMode(5);
        }))"""
    )
    assert [message.split(":")[0] for message in errors] == [
        "setCart", "setCustomer", "setCart", "setVariation", "viewCategory", "load",
        "setResponseMode",
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
    [stored] = shop.sandbox.wait_for_requests(1, page_type="front")
    assert stored["body"]["url"] == page.url
    # The visitor id is the query's ``c``: the collector keeps the others, the URL shows all.
    [sent] = [url for url in shop.requests if urlsplit(url).path == "/ev1"]
    assert parse_qs(urlsplit(sent).query, keep_blank_values=True).keys() == {"m", "eid"}
    assert page.evaluate("() => nostojs(api => api.visit.getCustomerId())") is None


def test_the_visitor_id_is_kept_in_the_2c_cid_cookie_and_reused(shop: Shop) -> None:
    page = shop.open("<script>nostojs(api => api.defaultSession().viewFrontPage().load())</script>")
    visitor = shop.visitor()
    page.reload()
    shop.wait_for_engine()
    assert page.evaluate("() => nostojs(api => api.visit.getCustomerId())") == visitor
    # Every request of the test, whoever sent it: both name the visitor of the cookie.
    stored = shop.sandbox.wait_for_requests(2, account="demo")
    assert [request["visitor"] for request in stored] == [visitor, visitor]


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


TWO_PLACEMENTS = (
    '<div class="nosto_element" id="front-1"></div><div class="nosto_element" id="front-2"></div>'
)
LOAD_FRONT_1 = (
    "() => nostojs(api => api.defaultSession().setResponseMode('HTML')"
    ".enableCampaignInjection().viewFrontPage().setPlacements(['front-1']).load())"
)


def test_campaigns_for_placements_nobody_asked_for_stay_out_of_the_page(
    shop: Shop, sandbox: Sandbox
) -> None:
    page = shop.open(TWO_PLACEMENTS)
    shop.wait_for_engine()
    sandbox.set_fault(unasked=["front-2"])
    response = page.evaluate(LOAD_FRONT_1)
    assert set(response["recommendations"]) == {"front-1", "front-2"}  # the answer had both
    assert "nosto-unasked" in response["recommendations"]["front-2"]
    assert page.inner_html("#front-1").strip() != ""
    assert page.inner_html("#front-2") == ""


def test_an_answer_after_the_promise_resolved_still_fills_its_placements(
    shop: Shop, sandbox: Sandbox
) -> None:
    page = shop.open(TWO_PLACEMENTS)
    shop.wait_for_engine()
    sandbox.set_fault(delay=600)  # the collector answers once the fault is cleared
    response = page.evaluate(LOAD_FRONT_1)  # resolved empty after 5 s
    assert response["recommendations"] == {} and response["page_views"] == 0
    assert page.inner_html("#front-1") == ""
    sandbox.clear_faults()
    page.wait_for_function("() => document.querySelector('#front-1').innerHTML.trim() !== ''")
    assert page.inner_html("#front-2") == ""
    [stored] = shop.wait_until_stored(1)
    assert stored["body"]["elements"] == ["front-1"]
