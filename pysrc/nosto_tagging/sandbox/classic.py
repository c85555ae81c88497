"""The demo shop's classic theme: ``/classic/…`` pages rendered on the server with Nosto's DOM
tagging only, like a Magento or Shopware theme.

No page calls the Session API. Every page renders its ``nosto_*`` tagging (page type,
variation, cart, customer when logged in, and the page's own: products, category, search
term, order) and ``nosto_element`` placements; the bundle reads them when the DOM is ready.
The theme's one script adds to the cart by ajax, replaces the cart tagging with the server's
new rendering and calls ``nostojs(api => api.resendCartTagging())``, as Magento 2 themes do.

State: the cart and the currency in cookies (product ids, SKU ids, quantities: nothing
personal); the logged-in customer and placed orders in this process's memory behind an opaque
random cookie token, gone when the sandbox stops.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from html import escape
from typing import Final, TypeVar
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from nosto_tagging.core.tagging import visitor_checksum
from nosto_tagging.reference import customer_reference
from nosto_tagging.sandbox.catalog import Catalog, Product, format_price
from nosto_tagging.sandbox.responses import JSON

PREFIX: Final = "/classic"
CART_COOKIE: Final = "classic-cart"
CURRENCY_COOKIE: Final = "classic-currency"
LOGIN_COOKIE: Final = "classic-login"
MAX_LINES: Final = 50
MAX_QUANTITY: Final = 99
MAX_FORM_BYTES: Final = 4096
MAX_KEPT: Final = 500  # orders and logins held in memory, oldest forgotten first
PAYMENT_PROVIDER: Final = "classic-demo-pay"
# The demo shop's secret for customer references: public, so only for a sandbox. A real shop
# keeps its own in its back end's secret store.
DEMO_REFERENCE_SECRET: Final = "nosto-tagging classic demo: not a real secret"
T = TypeVar("T")

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


@dataclass(frozen=True)
class Line:
    """One cart line as the cookie keeps it."""

    product: Product
    sku_id: str
    quantity: int


@dataclass(frozen=True)
class Buyer:
    email: str
    first_name: str
    last_name: str
    marketing_permission: bool

    @property
    def customer_reference(self) -> str:
        """A stable, opaque reference, made as the README tells merchants' back ends to."""
        return "cl-" + customer_reference(self.email.lower(), DEMO_REFERENCE_SECRET)


@dataclass(frozen=True)
class Order:
    number: str
    buyer: Buyer
    lines: tuple[Line, ...]
    currency: str


@dataclass
class ClassicShop:
    """The theme's server side over the demo catalog."""

    catalog: Catalog
    orders: OrderedDict[str, Order] = field(default_factory=OrderedDict)
    logins: OrderedDict[str, Buyer] = field(default_factory=OrderedDict)

    # ----- state from the request -----

    def currency(self, request: Request) -> str:
        return self.catalog.currency(request.cookies.get(CURRENCY_COOKIE))

    def cart(self, request: Request) -> list[Line]:
        return self.parse_cart(request.cookies.get(CART_COOKIE, ""))

    def parse_cart(self, value: str) -> list[Line]:
        """``181503:181505:2|34552:39912:1``; unknown products and bad entries are dropped."""
        lines: list[Line] = []
        for entry in value.split("|")[:MAX_LINES]:
            parts = entry.split(":")
            if len(parts) != 3 or not parts[2].isdigit():
                continue
            product = self.catalog.find(parts[0])
            quantity = int(parts[2])
            if product is None or parts[1] not in product.skus or not 0 < quantity <= MAX_QUANTITY:
                continue
            lines.append(Line(product, parts[1], quantity))
        return lines

    @staticmethod
    def cart_cookie(lines: list[Line]) -> str:
        return "|".join(f"{ln.product.product_id}:{ln.sku_id}:{ln.quantity}" for ln in lines)

    def customer(self, request: Request) -> Buyer | None:
        return self.logins.get(request.cookies.get(LOGIN_COOKIE, ""))

    # ----- pages -----

    def page(
        self,
        request: Request,
        *,
        title: str,
        page_type: str,
        content: str,
        tagging: str = "",
        status_code: int = 200,
    ) -> HTMLResponse:
        """A whole page: header, content, and the tagging every page carries."""
        currency = self.currency(request)
        lines = self.cart(request)
        customer = self.customer(request)
        account = (
            f'<span>{escape(customer.first_name)}</span> <form method="post" '
            f'action="{PREFIX}/logout" style="display:inline"><button>Log out</button></form>'
            if customer
            else f'<a href="{PREFIX}/login">Log in</a>'
        )
        nav = "".join(
            f'<a href="{PREFIX}/category{escape(top.lower())}">{escape(top.strip("/"))}</a>'
            for top in self.top_categories()
        )
        count = sum(line.quantity for line in lines)
        switch = " ".join(
            f'<a href="{PREFIX}/currency/{code}" rel="nofollow">{code}</a>'
            for code in self.catalog.currencies
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
<div id="cart-tagging">{self.cart_tagging(request, lines, currency)}</div>
{customer_tagging(customer) if customer else ""}
{tagging}
</div>
{THEME_SCRIPT}
</body>
</html>
"""
        return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})

    def top_categories(self) -> list[str]:
        return list(dict.fromkeys(p.categories[0] for p in self.catalog.products if p.categories))

    def card(self, product: Product, currency: str) -> str:
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

    def grid(self, products: list[Product], currency: str) -> str:
        if not products:
            return '<p class="muted">No products here.</p>'
        return '<div class="grid">' + "".join(self.card(p, currency) for p in products) + "</div>"

    def cart_tagging(self, request: Request, lines: list[Line], currency: str) -> str:
        """``nosto_cart``: every line, the restore link and, when Nosto's cookie is there, the
        ``hcid`` that signs the tagging for that visitor (its SHA-256, as Nosto's Magento
        module renders it). An empty cart is an empty ``nosto_cart``, never a missing one."""
        items = "".join(line_item(line, currency) for line in lines)
        restore = f"{request.base_url}classic/cart/restore?items={quote(self.cart_cookie(lines))}"
        visitor = request.cookies.get("2c.cId")
        hcid = span("hcid", visitor_checksum(visitor)) if visitor else ""
        return hidden("nosto_cart", items + span("restore_link", restore) + hcid)


def keep(table: OrderedDict[str, T], key: str, value: T) -> None:
    """Remember ``value``; the oldest entries go beyond :data:`MAX_KEPT`."""
    table[key] = value
    while len(table) > MAX_KEPT:
        table.popitem(last=False)


def hidden(cls: str, inner: str) -> str:
    """A tagging element: hidden, and kept from translation tools."""
    return f'<div class="{cls}" style="display:none" translate="no">{inner}</div>'


def span(cls: str, value: object) -> str:
    return f'<span class="{cls}">{escape(str(value))}</span>'


def money(amount: float) -> str:
    """A tagged price: digits with a dot, two decimals."""
    return f"{amount:.2f}"


def line_item(line: Line, currency: str) -> str:
    product = line.product
    return (
        '<div class="line_item">'
        + span("product_id", product.product_id)
        + span("sku_id", line.sku_id)
        + span("name", product.name)
        + span("quantity", line.quantity)
        + span("unit_price", money(product.prices.get(currency, 0.0)))
        + span("price_currency_code", currency)
        + "</div>"
    )


def customer_tagging(buyer: Buyer) -> str:
    return hidden(
        "nosto_customer",
        span("email", buyer.email)
        + span("first_name", buyer.first_name)
        + span("last_name", buyer.last_name)
        + span("customer_reference", buyer.customer_reference)
        + span("marketing_permission", str(buyer.marketing_permission).lower()),
    )


def product_tagging(product: Product, currency: str, base: str) -> str:
    """``nosto_product`` with its categories, brand, kind as a tag and one ``nosto_sku`` each."""
    url = f"{base}classic/product/{quote(product.product_id)}"
    price = money(product.prices.get(currency, 0.0))
    skus = "".join(
        '<div class="nosto_sku">'
        + span("id", sku)
        + span("name", f"{product.name} ({sku})")
        + span("price", price)
        + span("availability", "InStock")
        + span("url", f"{url}?sku={quote(sku)}")
        + "</div>"
        for sku in product.skus
    )
    return hidden(
        "nosto_product",
        span("product_id", product.product_id)
        + span("name", product.name)
        + span("url", url)
        + span("image_url", f"{base}demo/images/{quote(product.product_id)}.svg")
        + span("availability", "InStock")
        + span("price", price)
        + span("list_price", price)
        + span("price_currency_code", currency)
        + "".join(span("category", category) for category in product.categories)
        + span("brand", product.brand)
        + span("tag1", product.kind)
        + f'<div class="custom_fields">{span("color", product.color)}</div>'
        + skus,
    )


def order_tagging(order: Order) -> str:
    buyer = order.buyer
    return hidden(
        "nosto_purchase_order",
        span("order_number", order.number)
        + span("payment_provider", PAYMENT_PROVIDER)
        + span("order_status_code", "new")
        + '<div class="buyer">'
        + span("email", buyer.email)
        + span("first_name", buyer.first_name)
        + span("last_name", buyer.last_name)
        + span("marketing_permission", str(buyer.marketing_permission).lower())
        + "</div>"
        + '<div class="purchased_items">'
        + "".join(line_item(line, order.currency) for line in order.lines)
        + "</div>",
    )


def placement(div_id: str) -> str:
    return f'<div class="nosto_element" id="{div_id}"></div>'


async def form_fields(request: Request) -> dict[str, str]:
    """An url-encoded form (the theme's forms and its ajax), first value of each field."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0].strip() for name, values in parsed.items()}


def classic_routes(catalog: Catalog) -> list[BaseRoute]:
    """The classic theme's pages under ``/classic/`` and the forms they post."""
    shop = ClassicShop(catalog)

    async def front(request: Request) -> Response:
        currency = shop.currency(request)
        content = (
            "<h1>Welcome to the classic theme</h1>"
            '<p class="muted">Server-rendered pages with Nosto DOM tagging only.</p>'
            + placement("frontpage-nosto-1")
            + shop.grid(list(catalog.products[:8]), currency)
            + placement("frontpage-nosto-2")
        )
        return shop.page(request, title="Front page", page_type="front", content=content)

    async def category(request: Request) -> Response:
        wanted = "/" + request.path_params["path"].strip("/").lower()
        names = {c.lower(): c for p in catalog.products for c in p.categories}
        if wanted not in names:
            return not_found(request)
        name = names[wanted]
        products = [p for p in catalog.products if name in p.categories]
        content = (
            f"<h1>{escape(name.rsplit('/', 1)[-1])}</h1>"
            + shop.grid(products, shop.currency(request))
            + placement("categorypage-nosto-1")
        )
        tagging = hidden("nosto_category", escape(name))
        return shop.page(
            request, title=name, page_type="category", content=content, tagging=tagging
        )

    async def product_page(request: Request) -> Response:
        product = catalog.find(request.path_params["product_id"])
        if product is None:
            return not_found(request)
        currency = shop.currency(request)
        options = "".join(
            f'<option value="{escape(s)}">Size {escape(s)}</option>' for s in product.skus
        )
        content = f"""<div class="product">
<img class="picture" src="/demo/images/{quote(product.product_id)}.svg" alt="">
<div><h1>{escape(product.name)}</h1>
<p>{escape(product.brand)} · {escape(product.category)}</p>
<p><strong>{escape(format_price(product.prices.get(currency, 0.0), currency))}</strong></p>
<form class="add-to-cart" method="post" action="{PREFIX}/cart/add">
<input type="hidden" name="product_id" value="{escape(product.product_id)}">
<label>Size <select name="sku_id">{options}</select></label>
<label>Quantity <input type="number" name="quantity" value="1" min="1" max="{MAX_QUANTITY}"></label>
<button type="submit" id="add-to-cart">Add to cart</button>
</form></div></div>
{placement("productpage-nosto-1")}{placement("productpage-nosto-2")}"""
        tagging = product_tagging(product, currency, str(request.base_url))
        return shop.page(
            request, title=product.name, page_type="product", content=content, tagging=tagging
        )

    async def search(request: Request) -> Response:
        term = request.query_params.get("q", "").strip()[:200]
        needle = term.lower()
        found = [
            p
            for p in catalog.products
            if needle
            and any(needle in text.lower() for text in (p.name, p.brand, p.kind, *p.categories))
        ]
        content = (
            f"<h1>Search: {escape(term)}</h1>"
            + shop.grid(found, shop.currency(request))
            + placement("searchpage-nosto-1")
        )
        tagging = hidden("nosto_search_term", escape(term)) if term else ""
        return shop.page(
            request, title="Search", page_type="search", content=content, tagging=tagging
        )

    async def cart_page(request: Request) -> Response:
        currency = shop.currency(request)
        lines = shop.cart(request)
        rows = "".join(
            f"<tr><td>{escape(ln.product.name)}</td><td>{escape(ln.sku_id)}</td>"
            f"<td>{ln.quantity}</td><td>"
            + escape(format_price(ln.product.prices.get(currency, 0.0) * ln.quantity, currency))
            + "</td></tr>"
            for ln in lines
        )
        who = shop.customer(request) or Buyer("", "", "", marketing_permission=False)
        if lines:
            checkout = f"""<h2>Checkout</h2>
<form class="stack" method="post" action="{PREFIX}/checkout">
<label>Email <input type="email" name="email" required value="{escape(who.email)}"></label>
<label>First name <input name="first_name" value="{escape(who.first_name)}"></label>
<label>Last name <input name="last_name" value="{escape(who.last_name)}"></label>
<label><input type="checkbox" name="newsletter"> Send me the newsletter</label>
<button type="submit" id="place-order">Place order</button>
</form>"""
            head = "<tr><th>Product</th><th>SKU</th><th>Qty</th><th>Total</th></tr>"
            table = f"<table>{head}{rows}</table>"
        else:
            checkout, table = "", '<p class="muted">Your cart is empty.</p>'
        content = "<h1>Cart</h1>" + table + checkout + placement("cartpage-nosto-1")
        return shop.page(request, title="Cart", page_type="cart", content=content)

    async def add_to_cart(request: Request) -> Response:
        form = await form_fields(request)
        lines = shop.cart(request)
        product = catalog.find(form.get("product_id", ""))
        quantity = int(form["quantity"]) if form.get("quantity", "").isdigit() else 1
        sku = form.get("sku_id", "")
        if product is None or sku not in product.skus or not 0 < quantity <= MAX_QUANTITY:
            return JSON(
                {"errors": ["product_id, sku_id or quantity is not in the catalog; reload"]},
                status_code=400,
            )
        for index, line in enumerate(lines):
            if line.product.product_id == product.product_id and line.sku_id == sku:
                total = min(line.quantity + quantity, MAX_QUANTITY)
                lines[index] = Line(product, sku, total)
                break
        else:
            lines.append(Line(product, sku, quantity))
        lines = lines[:MAX_LINES]
        if "application/json" in request.headers.get("accept", ""):
            response: Response = JSON(
                {
                    "count": sum(line.quantity for line in lines),
                    "message": f"Added {product.name} to the cart.",
                    "tagging": shop.cart_tagging(request, lines, shop.currency(request)),
                }
            )
        else:
            response = RedirectResponse(f"{PREFIX}/cart", status_code=303)
        response.set_cookie(CART_COOKIE, shop.cart_cookie(lines), path=PREFIX, samesite="lax")
        return response

    async def restore_cart(request: Request) -> Response:
        lines = shop.parse_cart(request.query_params.get("items", ""))
        response = RedirectResponse(f"{PREFIX}/cart", status_code=303)
        response.set_cookie(CART_COOKIE, shop.cart_cookie(lines), path=PREFIX, samesite="lax")
        return response

    async def checkout(request: Request) -> Response:
        form = await form_fields(request)
        lines = shop.cart(request)
        email = form.get("email", "")
        if not lines or "@" not in email:
            return RedirectResponse(f"{PREFIX}/cart", status_code=303)
        buyer = Buyer(
            email=email,
            first_name=form.get("first_name", ""),
            last_name=form.get("last_name", ""),
            marketing_permission=form.get("newsletter") == "on",
        )
        number = "CL-" + secrets.token_hex(4).upper()
        keep(shop.orders, number, Order(number, buyer, tuple(lines), shop.currency(request)))
        response = RedirectResponse(f"{PREFIX}/order/{number}", status_code=303)
        response.delete_cookie(CART_COOKIE, path=PREFIX)
        return response

    async def order_page(request: Request) -> Response:
        order = shop.orders.get(request.path_params["order_number"])
        if order is None:
            return not_found(request)
        content = (
            "<h1>Thank you for your order!</h1>"
            "<p>Your order number is "
            f'<strong id="order-number">{escape(order.number)}</strong>.</p>'
            + placement("thankyou-nosto-1")
        )
        return shop.page(
            request,
            title="Order confirmation",
            page_type="order",
            content=content,
            tagging=order_tagging(order),
        )

    async def login_page(request: Request) -> Response:
        content = f"""<h1>Log in</h1>
<form class="stack" method="post" action="{PREFIX}/login">
<label>Email <input type="email" name="email" required></label>
<label>First name <input name="first_name"></label>
<label>Last name <input name="last_name"></label>
<label><input type="checkbox" name="newsletter"> Send me the newsletter</label>
<button type="submit" id="log-in">Log in</button>
</form>"""
        return shop.page(request, title="Log in", page_type="other", content=content)

    async def login(request: Request) -> Response:
        form = await form_fields(request)
        if "@" not in form.get("email", ""):
            return RedirectResponse(f"{PREFIX}/login", status_code=303)
        token = secrets.token_urlsafe(18)
        buyer = Buyer(
            form["email"],
            form.get("first_name", ""),
            form.get("last_name", ""),
            form.get("newsletter") == "on",
        )
        keep(shop.logins, token, buyer)
        response = RedirectResponse(f"{PREFIX}/", status_code=303)
        response.set_cookie(LOGIN_COOKIE, token, path=PREFIX, httponly=True, samesite="lax")
        return response

    async def logout(request: Request) -> Response:
        shop.logins.pop(request.cookies.get(LOGIN_COOKIE, ""), None)
        response = RedirectResponse(f"{PREFIX}/", status_code=303)
        response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
        return response

    async def set_currency(request: Request) -> Response:
        response = RedirectResponse(request.headers.get("referer") or f"{PREFIX}/", status_code=303)
        code = catalog.currency(request.path_params["code"])
        response.set_cookie(CURRENCY_COOKIE, code, path=PREFIX, samesite="lax")
        return response

    def not_found(request: Request) -> Response:
        content = f'<h1>Page not found</h1><p><a href="{PREFIX}/">Front page</a></p>' + placement(
            "notfound-nosto-1"
        )
        return shop.page(
            request, title="Not found", page_type="notfound", content=content, status_code=404
        )

    async def home(request: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/", status_code=308)

    get = ["GET", "HEAD"]
    return [
        Route(PREFIX, home, methods=get),
        Route(f"{PREFIX}/", front, methods=get),
        Route(f"{PREFIX}/category/{{path:path}}", category, methods=get),
        Route(f"{PREFIX}/product/{{product_id}}", product_page, methods=get),
        Route(f"{PREFIX}/search", search, methods=get),
        Route(f"{PREFIX}/cart", cart_page, methods=get),
        Route(f"{PREFIX}/cart/add", add_to_cart, methods=["POST"]),
        Route(f"{PREFIX}/cart/restore", restore_cart, methods=get),
        Route(f"{PREFIX}/checkout", checkout, methods=["POST"]),
        Route(f"{PREFIX}/order/{{order_number}}", order_page, methods=get),
        Route(f"{PREFIX}/login", login_page, methods=get),
        Route(f"{PREFIX}/login", login, methods=["POST"]),
        Route(f"{PREFIX}/logout", logout, methods=["POST"]),
        Route(f"{PREFIX}/currency/{{code}}", set_currency, methods=get),
    ]
