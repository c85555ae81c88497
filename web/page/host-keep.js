// Evaluated before polyscript (host.js imports it first). It keeps the browser's own
// EventTarget.prototype.addEventListener, which host.js puts back once polyscript has loaded,
// and lends polyscript's modules, while they evaluate, a Worker whose script URL goes through
// the bundle's Trusted Types policy (they keep the Worker they find then; host.js puts the
// browser's own back at once, so the page never sees the loan).
import { scriptURL } from "./policy.mjs";

export const nativeAddEventListener =
  Object.getOwnPropertyDescriptor(EventTarget.prototype, "addEventListener");
export const NativeWorker = globalThis.Worker;

class TrustedWorker extends NativeWorker {
  constructor(url, options) {
    super(scriptURL(String(url)), options);
  }
}
globalThis.Worker = TrustedWorker;
