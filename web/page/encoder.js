// The encoder: a copy of one api argument that JSON can carry, never throwing. undefined, NaN,
// Infinity, elements, functions, cycles and over-deep values become {[marker]: tag} markers
// that nosto_tagging.core.protocol.decode_value reads back.

export const MAX_DEPTH = 32;

export function encodeValue(value, marker, depth, seen) {
  let out;
  const mark = (tag) => ({ [marker]: tag });
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
      for (let i = 0; i < value.length; i++) out.push(encodeValue(value[i], marker, depth + 1, seen));
    } else if (value instanceof Date) {
      out = isNaN(value.getTime()) ? mark("nan") : value.toISOString();
    } else {
      out = {};
      for (const key in value) {
        if (Object.prototype.hasOwnProperty.call(value, key)) {
          out[key] = encodeValue(value[key], marker, depth + 1, seen);
        }
      }
    }
  } catch (error) {
    out = mark("function"); // a getter that throws: keep going, the engine reports the field
  }
  seen.pop();
  return out;
}

export function encodeArgs(args, marker) {
  const out = [];
  for (let i = 0; i < args.length; i++) out.push(encodeValue(args[i], marker, 0, []));
  return out;
}
