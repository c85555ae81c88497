"""The DOM tagging reader in Chromium, as the build made it (``runtime-*/tagging.mjs`` from
``web/page/tagging.js``): the plain data it reads from real pages is what CPython reads from the
same HTML, and what core/tagging.py parses without a problem."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from nosto_tagging.core import tagging as core
from tests.browser.conftest import Shop
from tests.checkout import runtime_dir
from tests.tagging_html import PLATFORM_PAGES as PLATFORM_DIR
from tests.tagging_html import PLATFORM_VISITOR, platform_page, read_tagging

# The built reader, served by the sandbox with the rest of the bundle.
MODULE = f"/bundle/{runtime_dir()}tagging.mjs"
READ = f"() => import('{MODULE}').then((m) => m.readTagging(document))"


def read_in_browser(page: Page) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(READ)
    return result


def test_the_built_readers_lists_and_bounds_are_the_parsers(shop: Shop) -> None:
    shop.open("<p>no tagging</p>", tag="")

    exported = shop.page.evaluate(
        f"() => import('{MODULE}').then((m) => [m.TAGGING_CLASSES, m.ROOT_CLASSES,"
        " m.PROVIDED_TAGGING, m.MAX_NODES, m.MAX_DEPTH, m.MAX_TEXT])"
    )

    assert exported == [
        list(core.TAGGING_CLASSES),
        list(core.ROOT_CLASSES),
        list(core.PROVIDED_TAGGING),
        core.MAX_NODES,
        core.MAX_DEPTH,
        core.MAX_TEXT,
    ]
    assert read_in_browser(shop.page) == []


@pytest.mark.parametrize(
    "path",
    [
        "/classic/",
        "/classic/category/men/shirts",
        "/classic/product/181503",
        "/classic/search?q=shoe",
        "/classic/cart",
        "/classic/product/000",
    ],
)
def test_classic_pages_read_in_chromium_as_cpython_reads_their_html(shop: Shop, path: str) -> None:

    response = shop.page.goto(shop.sandbox.url(path))
    assert response is not None
    in_browser = read_in_browser(shop.page)

    assert in_browser == read_tagging(response.text())
    parsed = core.parse_page(in_browser)
    assert parsed.problems == ()
    assert parsed.tagged and parsed.page_type is not None


PLATFORM_PAGES = [
    (platform, page.stem)
    for platform in ("sdk", "shopware")
    for page in sorted((PLATFORM_DIR / platform).glob("*.html"))
    if page.stem != "customer"
]


@pytest.mark.parametrize(("platform", "name"), PLATFORM_PAGES, ids="-".join)
def test_platform_pages_read_in_chromium_as_cpython_reads_them(
    shop: Shop, platform: str, name: str
) -> None:
    html = platform_page(platform, name)
    shop.open(html, tag="")

    in_browser = read_in_browser(shop.page)

    assert in_browser == read_tagging(html)
    parsed = core.parse_page(in_browser).for_visitor(PLATFORM_VISITOR)
    assert parsed.problems == ()
    assert parsed.tagged


def test_the_ajax_add_to_cart_rerenders_the_cart_tagging_read_again(shop: Shop) -> None:
    shop.page.goto(shop.sandbox.url("/classic/product/181503"))
    assert core.parse_page(read_in_browser(shop.page)).cart.items == []  # type: ignore[union-attr]

    shop.page.select_option("select[name=sku_id]", "181506")
    shop.page.fill("input[name=quantity]", "3")
    shop.page.click("#add-to-cart")
    shop.page.wait_for_function("document.getElementById('cart-count').textContent === '3'")

    cart = core.parse_page(read_in_browser(shop.page)).cart
    assert cart is not None
    assert [(i.product_id, i.sku_id, i.quantity) for i in cart.items] == [("181503", "181506", 3)]
    assert shop.page.url.endswith("/classic/product/181503")  # ajax: the page stayed


EDGES = """
<div class="nosto_product" style="display:none">
  <span class="product_id"> 181503 </span>
  <div><div><span class="price">123.45</span></div></div>
  <span class="custom_fields"><span class="material">Cotton</span></span>
  <div class="nosto_sku"><span class="id">181505</span></div>
  <div class="nosto_tag">inside a product: read with it, not as a root</div>
</div>
<div class="nosto_element" id="frontpage-nosto-1">
  <div class="campaign"><span class="nosto_product">campaign content is not tagging</span></div>
</div>
<div class="nosto_element"></div>
<svg class="nosto_tag"><text>svg tag</text></svg>
<span class="nosto_category">  /Men/Shirts  </span>
"""


def test_wrappers_nesting_placements_and_svg_read_as_the_format_says(shop: Shop) -> None:
    shop.open(EDGES, tag="")

    in_browser = read_in_browser(shop.page)

    assert in_browser == read_tagging(EDGES)
    product, placement, no_id, svg_tag, category = in_browser
    assert [child["cls"] for child in product["children"]] == [
        "product_id", "price", "custom_fields", "nosto_sku", "nosto_tag",
    ]  # fmt: skip
    assert product["children"][0] == {"cls": "product_id", "text": "181503"}
    assert placement == {"cls": "nosto_element", "id": "frontpage-nosto-1"}
    assert no_id == {"cls": "nosto_element"}
    assert svg_tag == {"cls": "nosto_tag", "text": "svg tag"}
    assert category == {"cls": "nosto_category", "text": "/Men/Shirts"}
    parsed = core.parse_page(in_browser)
    assert [p.product_id for p in parsed.products] == ["181503"]
    assert parsed.products[0].price == 123.45
    assert parsed.placements == ("frontpage-nosto-1",)
    assert parsed.tags == ("svg tag",)
    assert [str(p) for p in parsed.problems] == [
        "page tagging: nosto_element[1] id is missing; the placement was ignored (give it an id)"
    ]


def test_a_read_stays_within_its_bounds(shop: Shop) -> None:
    levels = core.MAX_DEPTH + 3
    deep = "<div><span class='level'>" * levels + "x" + "</span></div>" * levels
    many = "".join(f"<span class='nosto_tag'>{i}</span>" for i in range(core.MAX_NODES + 50))
    long_text = "y" * (core.MAX_TEXT + 100)
    shop.open(
        f"<div class='nosto_product'><span class='product_id'>1</span>{deep}</div>"
        f"<div class='nosto_search_term'>{long_text}</div>{many}",
        tag="",
    )

    in_browser = read_in_browser(shop.page)

    assert sum(1 for _ in _walk(in_browser)) <= core.MAX_NODES
    assert len(in_browser) < 2 + core.MAX_NODES + 50  # the read stopped: not every tag is in
    assert max(_depths(in_browser)) <= core.MAX_DEPTH
    assert len(in_browser[1]["text"]) == core.MAX_TEXT
    parsed = core.parse_page(in_browser)
    assert parsed.problems == ()  # the reader kept to the bounds the parser enforces
    assert parsed.products[0].product_id == "1"


def _walk(nodes: list[dict[str, Any]]) -> Any:
    for node in nodes:
        yield node
        yield from _walk(node.get("children", []))


def _depths(nodes: list[dict[str, Any]], depth: int = 1) -> Any:
    for node in nodes:
        yield depth
        yield from _depths(node.get("children", []), depth + 1)


PROVIDERS_PAGE = """
<script type="module">
  import { makeProviders, readTagging, carriesTagging } from "@MODULE@";
  const errors = [];
  const providers = makeProviders((level, message) => errors.push(level + ": " + message));
  let reads = 0;
  window.setProvider = (...args) => providers.set(...args);
  window.readPage = () => {
    const nodes = readTagging(document), provided = providers.read();
    return { nodes, provided, tagged: carriesTagging(nodes, provided), errors };
  };
  providers.set("pageType", () => (++reads > 1 ? "cart" : "front"));
  providers.set("categories", ["/Men"], { priority: 2 });
  providers.set("categories", ["/Women"], { priority: 2 });
  providers.set("customer", () => { throw new Error("not logged in"); });
  window.providersReady = true;
</script>
<div class="nosto_element" id="frontpage-nosto-1"></div>
""".replace("@MODULE@", MODULE)


def test_providers_are_called_at_each_read_and_parse_in_python(shop: Shop) -> None:
    shop.open(PROVIDERS_PAGE, tag="")
    shop.page.wait_for_function("window.providersReady === true")

    first = shop.page.evaluate("window.readPage()")
    second = shop.page.evaluate("window.readPage()")

    assert first["provided"] == [
        {"name": "pageType", "value": "front", "priority": 0},
        {"name": "categories", "value": ["/Women"], "priority": 2},  # same priority: replaced
        {"name": "customer", "error": True},
    ]
    assert second["provided"][0]["value"] == "cart"  # functions run again at each read
    assert first["errors"][0].startswith(
        'error: setTaggingProvider("customer"): the provider threw'
    )
    parsed = core.parse_page(second["nodes"], second["provided"])
    assert parsed.page_type == "cart" and parsed.categories == ("/Women",)
    assert parsed.placements == ("frontpage-nosto-1",)
    assert [str(p) for p in parsed.problems] == [
        'page tagging: setTaggingProvider("customer") threw when called; '
        "the page's elements were used instead"
    ]
    assert first["tagged"] and parsed.tagged


@pytest.mark.parametrize(
    "body",
    [
        pytest.param('<div class="nosto_element" id="p-1"></div>', id="placements-only"),
        pytest.param('<div class="nosto_brand">Stride</div>', id="brand-only"),
        pytest.param('<div class="nosto_tag x">color: Red</div>', id="tag"),
        pytest.param('<div class="nosto_product"><span class="price">1,0</span></div>', id="bad"),
        pytest.param("<p>nothing</p>", id="nothing"),
    ],
)
def test_the_page_side_auto_load_test_agrees_with_the_engines(shop: Shop, body: str) -> None:
    shop.open(body, tag="")

    nodes, tagged = shop.page.evaluate(
        f"() => import('{MODULE}').then((m) => {{ const nodes = m.readTagging(document);"
        " return [nodes, m.carriesTagging(nodes, [])]; })"
    )

    assert tagged == core.carries_tagging(nodes) == core.parse_page(nodes).tagged


def test_a_quick_add_on_a_category_page_rerenders_the_cart_tagging(shop: Shop) -> None:
    shop.page.goto(shop.sandbox.url("/classic/category/men/shirts"))

    shop.page.locator(".card form.add-to-cart button").first.click()
    shop.page.wait_for_function("document.getElementById('cart-count').textContent === '1'")

    cart = core.parse_page(read_in_browser(shop.page)).cart
    assert cart is not None
    assert [(i.product_id, i.sku_id, i.quantity) for i in cart.items] == [("181503", "181504", 1)]
