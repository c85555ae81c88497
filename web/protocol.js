// The page <-> worker messages, defined once for the loader. It must equal
// nosto_tagging.core.protocol.describe() (tests/core/test_protocol.py checks it).
var PROTOCOL = /*BEGIN PROTOCOL*/{
  "version": 1,
  "toWorker": {
    "config": [
      "account",
      "endpoint",
      "visitor",
      "version",
      "doNotTrack",
      "privacySignal"
    ],
    "calls": [
      "calls",
      "visitor"
    ],
    "stored": [
      "eid"
    ],
    "replay": [
      "page",
      "calls"
    ],
    "resend": [
      "eid",
      "url",
      "body"
    ],
    "online": [],
    "lost": [
      "count"
    ],
    "clock": [
      "manual"
    ],
    "tick": [
      "ms"
    ]
  },
  "toPage": {
    "ready": [
      "version"
    ],
    "built": [
      "eid",
      "url",
      "body",
      "inject",
      "private",
      "order"
    ],
    "acked": [
      "eid",
      "response",
      "message"
    ],
    "dropped": [
      "eid",
      "reason"
    ],
    "settled": [
      "eid"
    ],
    "applied": [
      "page",
      "seq"
    ],
    "state": [
      "state"
    ],
    "object": [
      "target",
      "data"
    ],
    "visitor": [
      "visitor"
    ],
    "log": [
      "level",
      "method",
      "message"
    ]
  },
  "callFields": [
    "eid",
    "time",
    "url",
    "referrer",
    "target",
    "method",
    "args",
    "seq",
    "page",
    "private"
  ],
  "marker": "$nosto",
  "markerTags": [
    "undefined",
    "nan",
    "infinity",
    "element",
    "function",
    "cycle",
    "too-deep"
  ],
  "emptyActionResponse": {
    "recommendations": {},
    "campaigns": {
      "recommendations": {},
      "content": {}
    },
    "page_views": 0,
    "geo_location": [],
    "affinities": {},
    "cmpid": ""
  }
}/*END PROTOCOL*/;

var MAX_DEPTH = 32;

// A copy of one api argument that JSON can carry, never throwing: undefined, NaN,
// Infinity, elements, functions, cycles and over-deep values become {"$nosto": tag} markers
// that nosto_tagging.core.protocol.decode_value reads back.
function encodeValue(value, depth, seen) {
  var M = PROTOCOL.marker, out, key;
  if (value === undefined) return mark("undefined");
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (value !== value) return mark("nan");
    if (!isFinite(value)) { out = mark("infinity"); out.sign = value > 0 ? 1 : -1; return out; }
    return value;
  }
  if (typeof value === "bigint") return String(value);
  if (typeof value === "function" || typeof value === "symbol") return mark("function");
  if (depth >= MAX_DEPTH) return mark("too-deep");
  if (typeof Element !== "undefined" && value instanceof Element) {
    out = mark("element"); out.id = value.id || value.tagName.toLowerCase(); return out;
  }
  if (seen.indexOf(value) >= 0) return mark("cycle");
  seen.push(value);
  try {
    if (Array.isArray(value)) {
      out = [];
      for (key = 0; key < value.length; key++) out.push(encodeValue(value[key], depth + 1, seen));
    } else if (value instanceof Date) {
      out = isNaN(value.getTime()) ? mark("nan") : value.toISOString();
    } else {
      out = {};
      for (key in value) {
        if (Object.prototype.hasOwnProperty.call(value, key)) {
          out[key] = encodeValue(value[key], depth + 1, seen);
        }
      }
    }
  } catch (error) {
    out = mark("function"); // a getter that throws: keep going, the engine reports the field
  }
  seen.pop();
  return out;

  function mark(tag) { var m = {}; m[M] = tag; return m; }
}

function encodeArgs(args) {
  var out = [];
  for (var i = 0; i < args.length; i++) out.push(encodeValue(args[i], 0, []));
  return out;
}
