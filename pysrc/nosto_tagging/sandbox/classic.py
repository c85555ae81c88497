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

Here: the routes and the forms they post. The state is ``classic_shop.py``'s, the page template
``classic_pages.py``'s and the tagging markup ``classic_tagging.py``'s.
"""

from __future__ import annotations

import secrets
from html import escape
from typing import Final
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from nosto_tagging.sandbox.catalog import Catalog, format_price
from nosto_tagging.sandbox.classic_pages import grid, page
from nosto_tagging.sandbox.classic_shop import (
    CART_COOKIE,
    CURRENCY_COOKIE,
    LOGIN_COOKIE,
    MAX_LINES,
    MAX_QUANTITY,
    PREFIX,
    Buyer,
    ClassicShop,
    Line,
    Order,
    cart_cookie,
    keep,
)
from nosto_tagging.sandbox.classic_tagging import (
    cart_tagging,
    hidden,
    order_tagging,
    placement,
    product_tagging,
)
from nosto_tagging.sandbox.responses import JSON

MAX_FORM_BYTES: Final = 4096


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
            + grid(list(catalog.products[:8]), currency)
            + placement("frontpage-nosto-2")
        )
        return page(shop, request, title="Front page", page_type="front", content=content)

    async def category(request: Request) -> Response:
        wanted = "/" + request.path_params["path"].strip("/").lower()
        names = {c.lower(): c for p in catalog.products for c in p.categories}
        if wanted not in names:
            return not_found(request)
        name = names[wanted]
        products = [p for p in catalog.products if name in p.categories]
        content = (
            f"<h1>{escape(name.rsplit('/', 1)[-1])}</h1>"
            + grid(products, shop.currency(request))
            + placement("categorypage-nosto-1")
        )
        tagging = hidden("nosto_category", escape(name))
        return page(
            shop, request, title=name, page_type="category", content=content, tagging=tagging
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
        return page(
            shop, request, title=product.name, page_type="product", content=content, tagging=tagging
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
            + grid(found, shop.currency(request))
            + placement("searchpage-nosto-1")
        )
        tagging = hidden("nosto_search_term", escape(term)) if term else ""
        return page(
            shop, request, title="Search", page_type="search", content=content, tagging=tagging
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
        return page(shop, request, title="Cart", page_type="cart", content=content)

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
                    "tagging": cart_tagging(request, lines, shop.currency(request)),
                }
            )
        else:
            response = RedirectResponse(f"{PREFIX}/cart", status_code=303)
        response.set_cookie(CART_COOKIE, cart_cookie(lines), path=PREFIX, samesite="lax")
        return response

    async def restore_cart(request: Request) -> Response:
        lines = shop.parse_cart(request.query_params.get("items", ""))
        response = RedirectResponse(f"{PREFIX}/cart", status_code=303)
        response.set_cookie(CART_COOKIE, cart_cookie(lines), path=PREFIX, samesite="lax")
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
        return page(
            shop,
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
        return page(shop, request, title="Log in", page_type="other", content=content)

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
        return page(
            shop, request, title="Not found", page_type="notfound", content=content, status_code=404
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
