// Reads the page's Nosto DOM tagging (the nosto_* elements) as plain data for the engine.
// The format, and what each element means, is documented in
// pysrc/nosto_tagging/core/tagging.py, which parses it. One read walks the document once;
// no observer is left behind: the loader reads again when the DOM is ready and on a resend.
//
// A node: {cls: class attribute, id?: element id, text?: trimmed text (only without
// children), children?: [nodes of the classed elements inside, unclassed wrappers looked
// through]}. Placements (nosto_element) give only cls and id: their content is campaigns.

// The tagging rules are core/tagging.py's, handed over by the build as NOSTO_TAGGING
// (bundle/loader.py, tagging_rules): the classes that make a page carry tagging, every class
// a read starts from, the setTaggingProvider names that make a page carry tagging (this
// chunk exists only as the build makes it), and the bounds of one read: elements visited
// (wrappers too), levels from a root down (the root is level 1), characters of one text.
export const TAGGING_CLASSES = NOSTO_TAGGING.taggingClasses;
export const ROOT_CLASSES = NOSTO_TAGGING.rootClasses;
export const PROVIDED_TAGGING = NOSTO_TAGGING.providedTagging;
export const MAX_NODES = NOSTO_TAGGING.maxNodes;
export const MAX_DEPTH = NOSTO_TAGGING.maxDepth;
export const MAX_TEXT = NOSTO_TAGGING.maxText;
export const MAX_PROVIDERS = 64;

export function readTagging(doc) {
  var selector = ROOT_CLASSES.map(function (name) { return "." + name; }).join(",");
  var budget = MAX_NODES;
  var roots = [];
  var found = doc.querySelectorAll(selector);
  for (var i = 0; i < found.length && budget > 0; i++) {
    var el = found[i];
    var parent = el.parentElement;
    if (parent && parent.closest(selector)) continue; // inside another root: read with it
    roots.push(read(el, 0, el.classList.contains("nosto_element")));
  }
  return roots;

  function read(el, depth, placement) {
    budget--;
    var node = { cls: el.getAttribute("class") || "" };
    if (el.id) node.id = el.id;
    if (placement) return node;
    var children = [];
    if (depth + 1 < MAX_DEPTH) collect(el, depth + 1, children);
    if (children.length) node.children = children;
    else node.text = (el.textContent || "").trim().slice(0, MAX_TEXT);
    return node;
  }

  function collect(parent, depth, into) {
    for (var child = parent.firstElementChild; child && budget > 0; child = child.nextElementSibling) {
      if ((child.getAttribute("class") || "").trim()) into.push(read(child, depth, false));
      else if (depth + 1 < MAX_DEPTH) {
        budget--;
        collect(child, depth + 1, into);
      }
    }
  }
}

// setTaggingProvider(name, valueOrFunction, {priority}): kept on the page; read() calls the
// functions (at each read, as Nosto's client does) and gives what core/tagging.py's
// apply_providers takes. A second provider of one name and priority replaces the first.
export function makeProviders(report) {
  var list = [];
  return {
    set: function (name, value, options) {
      var priority = options && typeof options.priority === "number" ? options.priority : 0;
      list = list.filter(function (p) { return p.name !== String(name) || p.priority !== priority; });
      if (list.length < MAX_PROVIDERS) list.push({ name: String(name), value: value, priority: priority });
      else report("error", "setTaggingProvider: more than " + MAX_PROVIDERS + " providers; " + name + " ignored");
    },
    read: function () {
      return list.map(function (p) {
        try {
          return { name: p.name, value: typeof p.value === "function" ? p.value() : p.value, priority: p.priority };
        } catch (error) {
          report("error", "setTaggingProvider(\"" + p.name + "\"): the provider threw: " + error);
          return { name: p.name, error: true };
        }
      });
    }
  };
}

// The page-side test of the auto-load rule (the engine decides again): a tagging element, or
// a provider of page tagging with a value. A page that fails it journals nothing at DOM ready.
export function carriesTagging(nodes, provided) {
  return nodes.some(function (node) {
    return node.cls.split(/\s+/).some(function (name) { return TAGGING_CLASSES.indexOf(name) >= 0; });
  }) || provided.some(function (p) {
    return PROVIDED_TAGGING.indexOf(p.name) >= 0 && p.value != null;
  });
}

// The chunk's entry for the loader (page-tagging.js): the page's tagging and providers read
// now, and whether they make the page one that auto-loads. `given`: the arguments of each
// setTaggingProvider call, in call order.
export function readPage(doc, given, report) {
  var providers = makeProviders(report);
  given.forEach(function (args) { providers.set(args[0], args[1], args[2]); });
  var nodes = readTagging(doc), provided = providers.read();
  return { nodes: nodes, provided: provided, tagged: carriesTagging(nodes, provided) };
}
