// Evaluated before polyscript (host.js imports it first): the browser's own
// EventTarget.prototype.addEventListener, which host.js puts back once polyscript has loaded.
export const nativeAddEventListener =
  Object.getOwnPropertyDescriptor(EventTarget.prototype, "addEventListener");
