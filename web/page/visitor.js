// The visitor cookie (2c.cId, Nosto's name and lifetime) and the random ids the page makes.

export const VISITOR_COOKIE = "2c.cId";
const VISITOR_MAX_AGE_S = 4 * 365 * 24 * 3600; // Nosto's cookies live four years

export function randomHex(win, bytes) {
  const buf = new Uint8Array(bytes);
  let out = "";
  win.crypto.getRandomValues(buf);
  for (let i = 0; i < buf.length; i++) out += (buf[i] < 16 ? "0" : "") + buf[i].toString(16);
  return out;
}

export function readCookie(doc) {
  const match = doc.cookie.match(/(?:^|;\s*)2c\.cId=([0-9a-f]{24})(?:;|$)/);
  return match ? match[1] : "";
}

export function writeCookie(win, doc, visitor) {
  doc.cookie = VISITOR_COOKIE + "=" + visitor + "; path=/; max-age=" + VISITOR_MAX_AGE_S +
    "; SameSite=Lax" + (win.location.protocol === "https:" ? "; Secure" : "");
}
