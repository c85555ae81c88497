// The facade: the nostojs api object and its Session, Action, Attribution and RequestBuilder
// objects, built from the API table (nosto_tagging.core.api.loader_table()). Every call is
// journaled for the engine and returns at once what its kind says:
//   S the object itself, A a new Action, T a new Attribution, B a new RequestBuilder,
//   R a Promise of an ActionResponse, M a Promise of the raw EventResponseMessage,
//   N a Promise of undefined, V undefined, D dumpData()/getData() from the engine's mirror,
//   P a page-only member (page-api.js; one the page does not implement yet warns once and
//   returns a Promise of undefined), U/UP/US unsupported: warns once, returns undefined / a
//   Promise of it / the object itself.

import { copy } from "./pending.js";

const PROMISED = { R: 1, M: 1, N: 1 };
const MADE = { A: "action", T: "attribution", B: "builder" }; // kind -> table of the new object

// The build writes each group of the table as {kind: "name name ..."}; this expands one to
// {name: kind}.
export function expand(kinds) {
  const out = {};
  Object.keys(kinds).forEach((kind) => kinds[kind].split(" ").forEach((name) => { out[name] = kind; }));
  return out;
}

// `table`: the page's API table, {group: {kind: "name name ..."}} (bundle/loader.py).
export function makeFacades(ctx, table) {
  const warned = {}, groups = {};
  Object.keys(table).forEach((group) => { groups[group] = expand(table[group]); });

  function call(kind, target, method, args, self) {
    try {
      if (kind === "D") return copy(ctx.objects[target]);
      if (PROMISED[kind]) return ctx.pending.perform(kind, target, method, args);
      const eid = ctx.journal.record(target, method, args);
      if (MADE[kind]) return facade(MADE[kind] + ":" + eid, groups[MADE[kind]]);
    } catch (error) { // never into the page: the chain goes on
      ctx.report("error", method + ": " + error);
      if (PROMISED[kind]) return Promise.resolve();
    }
    return kind === "V" ? undefined : self;
  }

  // An object whose methods journal calls on `target` and return per `methods`, {name: kind}.
  function facade(target, methods) {
    const self = {};
    Object.keys(methods).forEach((method) => {
      const kind = methods[method];
      self[method] = kind[0] === "U" ? unsupported(method, kind, self)
        : function () { return call(kind, target, method, arguments, self); };
    });
    return self;
  }

  function unsupported(name, kind, self) {
    return function () {
      if (!warned[name]) { warned[name] = true; ctx.report("warn", name + "() is not supported by this bundle; ignored"); }
      return kind === "UP" ? Promise.resolve(undefined) : kind === "US" ? self : undefined;
    };
  }

  // The api object: the table's api members and the page-only `members` ({name: function});
  // dotted names are members of nested objects (visit.*, placements.*, internal.*).
  function api(members) {
    const self = {}, all = Object.assign({}, groups.api, members);
    Object.keys(all).forEach((name) => {
      const kind = all[name], path = name.split("."), last = path.pop();
      let holder = self;
      path.forEach((part) => { holder = holder[part] = holder[part] || {}; });
      holder[last] = typeof kind === "function" ? kind
        : kind[0] === "U" || kind === "P" ? unsupported(name, kind === "P" ? "UP" : kind, self)
        : function () { return call(kind, "api", name, arguments, self); };
    });
    return self;
  }

  return { facade, api, session: () => facade("session", groups.session) };
}
