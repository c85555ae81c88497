"""Run inside Pyodide by ``probe.mjs``: drive the engine like a page does, then report which
standard-library and site-packages modules are loaded (top-level names). Raises if the engine
misbehaves.

``probe(extra_json)`` is async (the engine sends through asyncio); ``extra_json`` lists more
modules to import first (those the engine's host imports in the worker: none today).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import pkgutil
import sys
import traceback

SHIRT = {
    "name": "Men's Running Shirt",
    "price_currency_code": "EUR",
    "product_id": "181503",
    "quantity": "2",
    "sku_id": "181505",
    "unit_price": "123.45",
}
CUSTOMER = {
    "customer_reference": "b369f1235cf4f08153c560.82515936",
    "email": "devnull@nosto.com",
    "first_name": "Nosto",
    "last_name": "Test",
    "newsletter": True,
}
# (target, method, args); "action:N" is the action made by call number N (1-based).
CALLS = [
    ("session", "setCart", [{"items": [SHIRT]}]),
    ("session", "setCustomer", [CUSTOMER]),
    ("session", "viewCart", []),
    ("action:3", "update", []),
    ("session", "viewProduct", ["181503"]),
    ("action:5", "setPlacements", [["frontpage-nosto-1"]]),
    ("action:5", "load", [{"skipPageViews": False}]),
    ("session", "setCart", [{"items": [{"product_id": "1", "quantity": "lots"}]}]),
    ("session", "viewFrontPage", []),
    ("action:9", "update", []),
]


def _stdlib_modules() -> list[str]:
    names = set()
    for name, module in list(sys.modules.items()):
        origin = getattr(getattr(module, "__spec__", None), "origin", None) or ""
        if ".zip/" in origin and "site-packages" not in origin:
            names.add(name.partition(".")[0])
    return sorted(names)


def _site_modules() -> list[str]:
    names = set()
    for name, module in list(sys.modules.items()):
        origin = getattr(getattr(module, "__spec__", None), "origin", None) or ""
        if "/site-packages/" in origin:
            names.add(name.partition(".")[0])
    return sorted(names)


def _import(name: str) -> None:
    """Import ``name``; a missing module outside the standard library is not our concern."""
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] in sys.stdlib_module_names:
            raise


async def _exercise() -> list[str]:
    import nosto_tagging
    from nosto_tagging.core.dispatcher import Response
    from nosto_tagging.worker.shell import WorkerShell

    for info in pkgutil.walk_packages(nosto_tagging.__path__, "nosto_tagging."):
        _import(info.name)
    posted: list[str] = []

    async def transport(url: str, body: str, timeout_s: float) -> Response:
        await asyncio.sleep(0)
        return Response(200, json.dumps({"page_views": 1, "campaigns": {}}), None)

    shell = WorkerShell(posted.append, transport)
    config = {"kind": "config", "account": "probe", "endpoint": "http://127.0.0.1/ev1"}
    shell.on_message(json.dumps(config | {"visitor": "", "version": "probe"}))
    wire = [
        {
            "eid": f"e{n}",
            "time": 1795000000000.0 + n,
            "url": "http://shop.test/cart",
            "referrer": "http://shop.test/",
            "target": target.replace("action:", "action:e"),
            "method": method,
            "args": args,
        }
        for n, (target, method, args) in enumerate(CALLS, start=1)
    ]
    shell.on_message(json.dumps({"kind": "calls", "calls": wire}))
    for text in list(posted):
        message = json.loads(text)
        if message["kind"] == "built":
            shell.on_message(json.dumps({"kind": "stored", "eid": message["eid"]}))
    for _ in range(50):
        await asyncio.sleep(0.01)
        if sum('"acked"' in text for text in posted) >= 3:
            break
    kinds = [json.loads(text)["kind"] for text in posted]
    if kinds.count("acked") < 3 or "log" not in kinds:
        raise RuntimeError(f"the engine did not build, send and log as expected: {kinds}")
    return kinds


async def probe(extra_json: str) -> str:
    for name in json.loads(extra_json):
        _import(name)
    kinds = await _exercise()
    try:
        raise ValueError("probe")
    except ValueError:
        traceback.format_exc()  # what an engine error report imports
    return json.dumps({"modules": _stdlib_modules(), "site": _site_modules(), "posted": kinds})
