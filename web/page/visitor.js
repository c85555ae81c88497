// The visitor cookie (2c.cId, Nosto's name), the opt-out of this browser session, and the
// random ids the page makes.

export const VISITOR_COOKIE = "2c.cId";
const VISITOR_MAX_AGE_S = 400 * 24 * 3600; // Chrome caps cookie lifetimes at 400 days
// visit.setDoNotTrack(true) lasts for the browser session in every tab of the site: a session
// cookie (no lifetime) that holds no data, only the choice.
const OPT_OUT_COOKIE = "nosto_tagging_dnt";

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

export const readOptOut = (doc) => /(?:^|;\s*)nosto_tagging_dnt=1(?:;|$)/.test(doc.cookie);

export function writeOptOut(doc, flag) {
  doc.cookie = OPT_OUT_COOKIE + "=1; path=/; SameSite=Lax" + (flag ? "" : "; max-age=0");
}

// The browser's own opt-out: Global Privacy Control or Do-Not-Track.
export const privacySignal = (win) => {
  const nav = win.navigator || {};
  return nav.globalPrivacyControl === true || nav.doNotTrack === "1" || win.doNotTrack === "1";
};

export function writeCookie(win, doc, visitor) {
  doc.cookie = VISITOR_COOKIE + "=" + visitor + "; path=/; max-age=" + VISITOR_MAX_AGE_S +
    "; SameSite=Lax" + (win.location.protocol === "https:" ? "; Secure" : "");
}
