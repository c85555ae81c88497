"""Reading Nosto's answer: reshaped into an ActionResponse, unreadable parts read as empty."""

from __future__ import annotations

from typing import Any

import pytest

from nosto_tagging.core.response import action_response, empty_action_response


def test_an_answer_is_reshaped_as_nosto_d_ts_describes() -> None:
    json_result = {"div_id": "front-1", "result_id": "r1", "products": []}
    response = action_response({
        "pv": 3, "gl": ["FI"], "af": {"discount": 0.1}, "cmpid": "c1", "visit": "v",
        "recommendations": {"front-1": json_result, "front-2": "<div>html</div>"},
    })  # fmt: skip
    assert response == {
        "recommendations": {"front-1": json_result, "front-2": "<div>html</div>"},
        "campaigns": {"recommendations": {"front-1": json_result},
                      "content": {"front-2": "<div>html</div>"}},
        "page_views": 3, "geo_location": ["FI"], "affinities": {"discount": 0.1}, "cmpid": "c1",
    }  # fmt: skip


@pytest.mark.parametrize(
    "message",
    [None, [], "garbage", {"pv": "many", "gl": "FI", "recommendations": ["x"], "af": 3}],
)
def test_an_unreadable_answer_reads_as_empty(message: Any) -> None:
    assert action_response(message) == empty_action_response()


def test_a_readable_part_survives_an_unreadable_neighbour() -> None:
    assert action_response({"pv": 2, "gl": 7})["page_views"] == 2
