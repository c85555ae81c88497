// Reads the page's Nosto DOM tagging (the nosto_* elements) as plain data for the engine.
// The format, and what each element means, is documented in
// pysrc/nosto_tagging/core/tagging.py, which parses it. One read walks the document once;
// no observer is left behind: the loader reads again when the DOM is ready and on a resend.
//
// A node: {cls: class attribute, id?: element id, text?: trimmed text (only without
// children), children?: [nodes of the classed elements inside, unclassed wrappers looked
// through]}. Placements (nosto_element) give only cls and id: their content is campaigns.

// Same list as ROOT_CLASSES in core/tagging.py (tests/browser/test_tagging_reader.py checks).
export const ROOT_CLASSES = [
  "nosto_page_type", "nosto_product", "nosto_cart", "nosto_customer", "nosto_purchase_order",
  "nosto_category", "nosto_search_term", "nosto_variation", "nosto_tag",
  "nosto_brand", "nosto_category_id", "nosto_element",
];
// Elements visited in one read (wrappers too), levels from a root down (the root is level 1),
// characters of one text.
export const MAX_NODES = 2000;
export const MAX_DEPTH = 8;
export const MAX_TEXT = 5000;

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
