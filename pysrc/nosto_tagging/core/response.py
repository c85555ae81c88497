"""Nosto's answer: ``EventResponseMessage`` in, the ``ActionResponse`` of ``load()`` out.

``nosto.d.ts``: ``ActionResponse = {recommendations, campaigns?, page_views, geo_location,
affinities, cmpid}``, a reshaped response: ``pv`` -> ``page_views``, ``gl`` -> ``geo_location``,
``af`` -> ``affinities``. The answer is read leniently: a part that is missing or of the wrong
type reads as empty rather than failing the whole answer.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


def _no_campaigns() -> dict[str, dict[str, Any]]:
    return {"recommendations": {}, "content": {}}


class EventResponse(BaseModel):
    """``EventResponseMessage``, the parts the client uses; everything else is kept."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    recommendations: dict[str, Any] = Field(default_factory=dict)
    visit: str = ""
    customer: str = ""
    pv: int = 0
    cs: float = 0
    ct: float = 0
    gl: list[str] = Field(default_factory=list)
    af: dict[str, Any] = Field(default_factory=dict)
    cmpid: str = ""
    errors: list[str] = Field(default_factory=list)

    @field_validator("*", mode="wrap")
    @classmethod
    def _empty_when_unreadable(cls, value: Any, handler: Any, info: Any) -> Any:
        try:
            return handler(value)
        except ValidationError:
            field = cls.model_fields[info.field_name]
            return field.get_default(call_default_factory=True)


class ActionResponse(BaseModel):
    """What ``update()`` and ``load()`` resolve to."""

    model_config = ConfigDict(defer_build=True)

    recommendations: dict[str, Any] = Field(default_factory=dict)
    campaigns: dict[str, dict[str, Any]] = Field(default_factory=_no_campaigns)
    page_views: int = 0
    geo_location: list[str] = Field(default_factory=list)
    affinities: dict[str, Any] = Field(default_factory=dict)
    cmpid: str = ""


def empty_action_response() -> dict[str, Any]:
    """What ``update()``/``load()`` resolve to when no answer came in time."""
    return ActionResponse().model_dump()


def action_response(message: Any) -> dict[str, Any]:
    """Reshape one ``EventResponseMessage`` (any JSON value) into an ``ActionResponse``."""
    answer = EventResponse.model_validate(message if isinstance(message, dict) else {})
    recommendations = answer.recommendations
    return ActionResponse(
        recommendations=recommendations,
        campaigns={
            "recommendations": {k: v for k, v in recommendations.items() if isinstance(v, dict)},
            "content": {k: v for k, v in recommendations.items() if isinstance(v, str)},
        },
        page_views=answer.pv,
        geo_location=answer.gl,
        affinities=answer.af,
        cmpid=answer.cmpid,
    ).model_dump()
