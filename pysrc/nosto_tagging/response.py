"""Turn Nosto's ``EventResponseMessage`` into the ``ActionResponse`` that ``load()`` resolves to.

``nosto.d.ts``: ``{recommendations, campaigns?, page_views, geo_location, affinities, cmpid}``,
a reshaped response: ``pv`` -> ``page_views``, ``gl`` -> ``geo_location``,
``af`` -> ``affinities``.
"""

from __future__ import annotations

from typing import Any


def empty_action_response() -> dict[str, Any]:
    """What ``update()``/``load()`` resolve to when no answer came in time."""
    return {
        "recommendations": {},
        "campaigns": {"recommendations": {}, "content": {}},
        "page_views": 0,
        "geo_location": [],
        "affinities": {},
        "cmpid": "",
    }


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def action_response(message: Any) -> dict[str, Any]:
    """Reshape one ``EventResponseMessage``; missing or mistyped parts read as empty."""
    message = _mapping(message)
    recommendations = _mapping(message.get("recommendations"))
    page_views = message.get("pv")
    geo = message.get("gl")
    return {
        "recommendations": recommendations,
        "campaigns": {
            "recommendations": {k: v for k, v in recommendations.items() if isinstance(v, dict)},
            "content": {k: v for k, v in recommendations.items() if isinstance(v, str)},
        },
        "page_views": page_views if isinstance(page_views, int) else 0,
        "geo_location": [g for g in geo if isinstance(g, str)] if isinstance(geo, list) else [],
        "affinities": _mapping(message.get("af")),
        "cmpid": message.get("cmpid") if isinstance(message.get("cmpid"), str) else "",
    }
