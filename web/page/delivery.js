// The runtime chunk adoption.mjs, loaded while the engine starts: what the page does once an
// engine runs. The engine's messages (dispatch.js), sending and leaving (departure.js, through
// adoption.js) and what closed pages left (adoption.js).
export * from "./adoption.js";
export { makeDispatch } from "./dispatch.js";
