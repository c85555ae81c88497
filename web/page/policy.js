// Trusted Types: every DOM write of the bundle goes through one named policy, "nosto-tagging",
// which a page that requires Trusted Types allows in its CSP (`trusted-types nosto-tagging`):
// campaign HTML (trusted code, as with Nosto's client) and the engine's script URLs (the
// dedicated worker's blob: URL, the shared worker's script); any other script URL is refused.
// Null where the browser has no Trusted Types. A runtime chunk (policy.mjs) of its own: the
// hosts (host.mjs, shared.mjs) import it, so a page has one policy whichever engine it runs.
let made;
const scripts = [];

// The policy, made once; `urls`: script URLs (or prefixes) it may make from now on.
export function policy(...urls) {
  const types = globalThis.trustedTypes;
  scripts.push(...urls);
  if (made === undefined) {
    made = types && types.createPolicy ? types.createPolicy("nosto-tagging", {
      createHTML: (html) => html,
      createScriptURL(url) {
        if (url.startsWith("blob:" + location.origin + "/") || scripts.some((allowed) => url.startsWith(allowed))) return url;
        throw new TypeError("nosto-tagging's policy makes script URLs only for its engine: " + url);
      },
    }) : null;
  }
  return made;
}

// What the page writes into placements, as the policy makes it (a string without one).
export const html = (text) => (made ? made.createHTML(text) : text);

// A script URL as the browser takes it under the policy (the URL itself without one).
export const scriptURL = (url) => (made ? made.createScriptURL(url) : url);
