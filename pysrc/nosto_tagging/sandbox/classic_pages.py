"""The classic theme's page template: the header, the snippet and the bundle's script tag, the
tagging every page carries, the theme's own script; and the product cards and grids of its
lists."""

from __future__ import annotations

from html import escape
from typing import Final
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse

from nosto_tagging.sandbox.catalog import Catalog, Product, format_price
from nosto_tagging.sandbox.classic_shop import PREFIX, ClassicShop
from nosto_tagging.sandbox.classic_tagging import cart_tagging, customer_tagging, hidden

# The snippet every page carries (Nosto's, verbatim) and the bundle's script tag.
STUB: Final = (
    '<script>(function(){var name="nostojs";window[name]=window[name]||function(cb)'
    "{(window[name].q=window[name].q||[]).push(cb);};})();</script>"
)
LOADER: Final = (
    '<script src="/bundle/nosto.js" data-account="demo" data-endpoint="/ev1" async></script>'
)

STYLE: Final = """
:root { font: 15px/1.5 system-ui, sans-serif; color: #1d2430; background: #f4f6f9; }
body { margin: 0; }
header { display: flex; gap: 1.2rem; align-items: center; flex-wrap: wrap; padding: .75rem 1.5rem;
  background: #fff; border-bottom: 1px solid #dde3ea; }
header .brand { font-weight: 800; color: #1d2430; text-decoration: none; }
header nav { display: flex; gap: 1rem; }
header a { color: #0b6e4f; font-weight: 600; text-decoration: none; }
header .right { margin-left: auto; display: flex; gap: 1rem; align-items: center; }
main { max-width: 64rem; margin: 1.5rem auto; padding: 0 1.5rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 1rem; }
.card { background: #fff; border: 1px solid #dde3ea; border-radius: 8px; padding: .6rem; }
.card img, .picture { width: 100%; aspect-ratio: 1; border-radius: 6px; }
.product { display: grid; grid-template-columns: minmax(0, 20rem) 1fr; gap: 1.5rem; }
.nosto_element { margin: 1.5rem 0; min-height: 1rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
td, th { border-bottom: 1px solid #dde3ea; padding: .4rem; text-align: left; }
form.stack { display: grid; gap: .5rem; max-width: 22rem; }
.muted { color: #5f6b7a; }
"""

# The theme's own script: an ajax add-to-cart that re-renders the cart tagging, then asks
# Nosto to read it again. Without JavaScript the form posts and the server redirects.
THEME_SCRIPT: Final = """<script>
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList.contains("add-to-cart")) return;
  event.preventDefault();
  fetch(form.action, { method: "POST", body: new URLSearchParams(new FormData(form)),
                       headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (answer) {
      document.getElementById("cart-tagging").innerHTML = answer.tagging;
      document.getElementById("cart-count").textContent = String(answer.count);
      document.getElementById("cart-status").textContent = answer.message;
      nostojs(function (api) { api.resendCartTagging(); });
    });
});
</script>"""


def page(
    shop: ClassicShop,
    request: Request,
    *,
    title: str,
    page_type: str,
    content: str,
    tagging: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    """A whole page: header, content, and the tagging every page carries."""
    currency = shop.currency(request)
    lines = shop.cart(request)
    customer = shop.customer(request)
    account = (
        f'<span>{escape(customer.first_name)}</span> <form method="post" '
        f'action="{PREFIX}/logout" style="display:inline"><button>Log out</button></form>'
        if customer
        else f'<a href="{PREFIX}/login">Log in</a>'
    )
    nav = "".join(
        f'<a href="{PREFIX}/category{escape(top.lower())}">{escape(top.strip("/"))}</a>'
        for top in top_categories(shop.catalog)
    )
    count = sum(line.quantity for line in lines)
    switch = " ".join(
        f'<a href="{PREFIX}/currency/{code}" rel="nofollow">{code}</a>'
        for code in shop.catalog.currencies
        if code != currency
    )
    html = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Classic theme · Demo Shop</title>
<link rel="icon" href="data:,">
<style>{STYLE}</style>
{STUB}
{LOADER}
</head>
<body>
<header>
  <a class="brand" href="{PREFIX}/">Demo Shop · classic</a>
  <nav>{nav}</nav>
  <form method="get" action="{PREFIX}/search" role="search">
    <input type="search" name="q" placeholder="Search products" aria-label="Search products">
  </form>
  <span class="right">{switch} {account}
    <a href="{PREFIX}/cart" id="cart-link">Cart <span id="cart-count">{count}</span></a></span>
</header>
<main>
<p id="cart-status" class="muted" aria-live="polite"></p>
{content}
</main>
<div class="nosto-tagging">
{hidden("nosto_page_type", escape(page_type))}
{hidden("nosto_variation", escape(currency))}
<div id="cart-tagging">{cart_tagging(request, lines, currency)}</div>
{customer_tagging(customer) if customer else ""}
{tagging}
</div>
{THEME_SCRIPT}
</body>
</html>
"""
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def top_categories(catalog: Catalog) -> list[str]:
    return list(dict.fromkeys(p.categories[0] for p in catalog.products if p.categories))


def card(product: Product, currency: str) -> str:
    """A product in a list, with a quick add-to-cart of its first SKU (ajax, like the
    product page's)."""
    url = f"{PREFIX}/product/{quote(product.product_id)}"
    quick = (
        f'<form class="add-to-cart" method="post" action="{PREFIX}/cart/add">'
        f'<input type="hidden" name="product_id" value="{escape(product.product_id)}">'
        f'<input type="hidden" name="sku_id" value="{escape(product.skus[0])}">'
        '<button type="submit">Add to cart</button></form>'
        if product.skus
        else ""
    )
    return (
        f'<div class="card"><a href="{url}"><img alt="" '
        f'src="/demo/images/{quote(product.product_id)}.svg"><br>{escape(product.name)}</a>'
        f"<p>{escape(format_price(product.prices.get(currency, 0.0), currency))}</p>"
        f"{quick}</div>"
    )


def grid(products: list[Product], currency: str) -> str:
    if not products:
        return '<p class="muted">No products here.</p>'
    return '<div class="grid">' + "".join(card(p, currency) for p in products) + "</div>"
