"""The demo storefront's server side: its single-page-app routes and its product pictures.

The shop itself is static (``web/demo/`` beside this module: ``index.html``, ``shop.js``,
``catalog.json``); every shop URL (``/category/men/shirts``, ``/product/181503``, ...) answers
``index.html`` and the page routes in the browser. Pictures are drawn here from the catalog, so
nothing comes from a CDN.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from nosto_tagging.sandbox.catalog import Catalog, Product
from nosto_tagging.sandbox.static import StaticDir

# The storefront's routes (web/demo/shop.js beside this module has the same list).
SHOP_PATHS = (
    "/",
    "/category/{path:path}",
    "/product/{product_id}",
    "/search",
    "/cart",
    "/login",
    "/account",
    "/checkout",
    "/order/{order_number}",
)

# One silhouette per product kind, drawn in a 200 x 200 box.
SILHOUETTES = {
    "shirt": "M70 40 L100 52 L130 40 L170 64 L156 96 L140 88 L140 165 L60 165 L60 88 L44 96 "
    "L30 64 Z",
    "top": "M75 42 L100 56 L125 42 L150 60 L140 84 L132 80 L136 165 L64 165 L68 80 L60 84 L50 60 Z",
    "jacket": "M68 36 L100 50 L132 36 L172 62 L162 150 L140 146 L140 170 L60 170 L60 146 "
    "L38 150 L28 62 Z M99 52 L101 52 L101 170 L99 170 Z",
    "dress": "M80 36 L100 46 L120 36 L126 80 L112 96 L150 170 L50 170 L88 96 L74 80 Z",
    "shoe": "M30 120 L62 98 L84 110 L120 92 L150 118 L176 128 L176 148 L30 148 Z",
    "boot": "M64 40 L112 40 L112 112 L160 124 L170 150 L64 150 Z",
    "bag": "M46 80 L154 80 L164 164 L36 164 Z M74 80 C74 40 126 40 126 80 L116 80 "
    "C116 54 84 54 84 80 Z",
    "hat": "M48 128 C48 70 152 70 152 128 Z M30 128 L170 128 L170 142 L30 142 Z",
    "socks": "M78 36 L118 36 L118 112 L156 136 L142 166 L82 136 Z",
}


def shop_routes(demo_files: StaticDir, catalog: Catalog) -> list[BaseRoute]:
    """The storefront's page routes and ``/demo/images/{product_id}.svg``."""

    async def page(request: Request) -> Response:
        return await demo_files.get_response("index.html", request.scope)

    async def picture(request: Request) -> Response:
        product = catalog.find(request.path_params["product_id"])
        if product is None:
            return Response("no such product in catalog.json", status_code=404)
        return Response(
            product_svg(product),
            media_type="image/svg+xml",
            headers={"Cache-Control": "no-cache"},
        )

    routes: list[BaseRoute] = [Route(path, page, methods=["GET", "HEAD"]) for path in SHOP_PATHS]
    routes.append(Route("/demo/images/{product_id}.svg", picture, methods=["GET", "HEAD"]))
    return routes


def product_svg(product: Product) -> str:
    """A picture of ``product``: its kind's silhouette on a gradient of its colour."""
    color = escape(product.color)
    shape = SILHOUETTES.get(product.kind, SILHOUETTES["bag"])
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" role="img" '
        f'aria-label="{escape(product.name)}">'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{color}"/><stop offset="1" stop-color="{color}" '
        'stop-opacity="0.55"/></linearGradient></defs>'
        '<rect width="200" height="200" fill="url(#g)"/>'
        f'<path d="{shape}" fill="#fff" fill-opacity="0.92" fill-rule="evenodd"/></svg>'
    )
