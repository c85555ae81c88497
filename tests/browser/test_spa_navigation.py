"""A single-page app navigating front -> category -> product -> cart -> order: one request per
action, each with the body its route calls for, the url and referrer of the moment of the call."""

from __future__ import annotations

from .conftest import Shop
from .test_delivery import settled

SPA = """
<nav>
  <a href="/" data-route="front">Home</a> <a href="/men/shirts" data-route="category">Shirts</a>
  <a href="/p/181503" data-route="product">Shirt</a> <a href="/cart" data-route="cart">Cart</a>
  <a href="/thanks" data-route="order">Place order</a>
</nav>
<div class="nosto_element" id="page-nosto-1"></div>
<script>
const SHIRT = { product_id: "181503", sku_id: "181505", name: "Men's Running Shirt",
                quantity: 2, unit_price: 123.45, price_currency_code: "EUR" };
const routes = {
  front: s => s.viewFrontPage(),
  category: s => s.viewCategory("/Men/Shirts").setCategoryIds(["12"]),
  product: s => s.viewProduct({ product_id: "181503", selected_sku_id: "181505" }),
  cart: s => s.setCart({ items: [SHIRT] }).viewCart(),
  order: s => s.addOrder({ info: { order_number: "1001", email: "devnull@nosto.com" },
                            items: [SHIRT] }),
};
window.results = [];
function show(route) {
  nostojs(api => routes[route](api.defaultSession())
    .setPlacements(api.placements.getPlacements())
    .load().then(response => results.push([route, response.page_views])));
}
document.querySelector("nav").addEventListener("click", event => {
  const link = event.target.closest("a");
  if (!link) return;
  event.preventDefault();
  history.pushState({}, "", link.getAttribute("href"));
  show(link.dataset.route);
});
show("front");
</script>
"""
ROUTES = ["front", "category", "product", "cart", "order"]


def test_each_route_change_sends_one_request_with_its_body(shop: Shop) -> None:
    page = shop.open(SPA, path="/")
    origin = shop.sandbox.origin
    for name in ["Shirts", "Shirt", "Cart", "Place order"]:
        page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_function("() => results.length === 5", timeout=60_000)

    stored = settled(shop, 5)  # no page is left: each event once on the wire, exactly five
    assert len(stored) == 5
    shop.sandbox.assert_no_duplicates()
    bodies = [request["body"] for request in stored]
    assert [body["page_type"] for body in bodies] == ROUTES
    assert [body["url"] for body in bodies] == [
        f"{origin}/", f"{origin}/men/shirts", f"{origin}/p/181503", f"{origin}/cart",
        f"{origin}/thanks",
    ]  # fmt: skip
    assert all(body["elements"] == ["page-nosto-1"] for body in bodies)
    front, category, product, cart, order = bodies
    assert "cart" not in front and "events" not in front
    assert category["categories"] == ["/Men/Shirts"] and category["category_ids"] == ["12"]
    assert product["events"] == [["vp", "181503", None, None, "181505"]]
    shirt = {"product_id": "181503", "sku_id": "181505", "name": "Men's Running Shirt",
             "quantity": 2, "unit_price": 123.45, "price_currency_code": "EUR"}  # fmt: skip
    assert cart["cart"] == [shirt]
    assert order["order"] == {"info": {"order_number": "1001", "email": "devnull@nosto.com"},
                              "items": [shirt]}  # fmt: skip
    assert order["cart"] == [shirt]  # the session keeps its cart until the page says otherwise
    assert all(request["query"] == {} for request in stored)  # load() counts page views
    assert [route for route, _ in page.evaluate("results")] == ROUTES
    assert [views for _, views in page.evaluate("results")] == [1, 2, 3, 4, 5]
    assert shop.page_errors == []
    assert [line for line in shop.console if "error" in line] == []
