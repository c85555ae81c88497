"""Both sides of the page <-> worker protocol agree: the loader (web/page/, given the protocol by
the build) and core/protocol.py."""

from __future__ import annotations

import json
import math
import shutil
import subprocess

import pytest

from nosto_tagging.bundle.loader import page_build
from nosto_tagging.core import protocol
from nosto_tagging.paths import WEB_DIR

ENCODER_JS = WEB_DIR / "page" / "encoder.js"


def test_the_loader_is_given_the_engines_protocol() -> None:
    described = protocol.describe()
    assert page_build("1.0", "runtime/")["protocol"] == {
        "marker": described["marker"],
        "emptyActionResponse": described["emptyActionResponse"],
    }


def test_worker_messages_must_be_of_a_known_kind() -> None:
    assert json.loads(protocol.encode("acked", eid="e1", response={})) == {
        "kind": "acked",
        "eid": "e1",
        "response": {},
    }
    with pytest.raises(ValueError, match="unknown"):
        protocol.encode("shout")
    with pytest.raises(ValueError, match="not a page->worker message"):
        protocol.decode('{"kind": "built"}')


ENCODE_IN_NODE = """
import { pathToFileURL } from "node:url";
const { encodeArgs } = await import(pathToFileURL(process.argv[1]).href);
const cyclic = {name: "loop"}; cyclic.self = cyclic;
let deep = {}; const root = deep; for (let i = 0; i < 40; i++) { deep.next = {}; deep = deep.next; }
const args = [undefined, null, NaN, -Infinity, () => 1, cyclic, {a: undefined, b: [1, "2"]},
              new Date(0), 10n, root];
process.stdout.write(JSON.stringify(encodeArgs(args, process.argv[2])));
"""


@pytest.mark.skipif(
    shutil.which("node") is None, reason="needs Node.js to run the loader's encoder"
)
def test_values_json_cannot_hold_survive_the_trip_from_the_loader() -> None:
    done = subprocess.run(
        ["node", "--input-type=module", "-e", ENCODE_IN_NODE, str(ENCODER_JS), protocol.MARKER],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    (undefined, null, nan, minus_inf, function, cyclic, nested, date, big, deep) = (
        protocol.decode_value(value) for value in json.loads(done.stdout)
    )
    assert undefined is protocol.UNDEFINED
    assert null is None
    assert math.isnan(nan)
    assert minus_inf == -math.inf
    assert isinstance(function, protocol.Unrepresentable) and function.tag == "function"
    assert isinstance(cyclic["self"], protocol.Unrepresentable) and cyclic["self"].tag == "cycle"
    assert nested == {"a": protocol.UNDEFINED, "b": [1, "2"]}
    assert date == "1970-01-01T00:00:00.000Z"
    assert big == "10"
    depth = 0
    while isinstance(deep, dict):
        deep, depth = deep["next"], depth + 1
    assert isinstance(deep, protocol.Unrepresentable) and deep.tag == "too-deep"
    assert depth == 32


def test_calls_read_from_the_wire_keep_undefined_apart_from_null() -> None:
    call = protocol.Call.from_wire(
        {
            "eid": "e1",
            "time": 1.0,
            "url": "http://shop.test/",
            "referrer": "",
            "target": "session",
            "method": "setCart",
            "args": [{"$nosto": "undefined"}, None],
        }
    )
    assert call.args == (protocol.UNDEFINED, None)
