"""The engine's host leaves the storefront alone: no PyScript page layer on the page.

PyScript's page module watches the document, patches ``attachShadow`` and runs any
``<script type="py">``, ``<py-script>`` or ``<mpy-script>`` that appears, fetching an interpreter
from a public CDN. Our tag must do none of it, for scripts in the page's HTML and inserted later.
"""

from __future__ import annotations

from .conftest import LOADER_TAG, Shop

# Counts the MutationObservers made on the page and what each observes; installed before any
# script of the page runs.
COUNT_OBSERVERS = """(() => {
  const Native = window.MutationObserver;
  const made = window.__observers = [];
  window.MutationObserver = class extends Native {
    constructor(callback) { super(callback); made.push(this); this.__targets = []; }
    observe(target, options) {
      this.__targets.push(target === document ? "#document" : target.nodeName);
      return super.observe(target, options);
    }
  };
})();"""
BEFORE_TAG = "<script>window.__observersBeforeTag = window.__observers.length</script>"


def python_scripts(mark: str) -> str:
    """A ``<script type="py">``, a ``<py-script>`` and an ``<mpy-script>`` that would each set a
    global and fetch a URL off loopback if an interpreter ran them."""
    code = (
        "import js\n"
        f"js.window.ran_{mark}_{{kind}} = True\n"
        f'js.fetch("https://pyscript-gadget.example/{mark}/{{kind}}")\n'
    )
    script, py, mpy = (code.format(kind=kind) for kind in ("script", "py", "mpy"))
    return (
        f'<script type="py">{script}</script><py-script>{py}</py-script>'
        f"<mpy-script>{mpy}</mpy-script>"
    )


def test_python_scripts_in_the_page_or_inserted_later_never_run(shop: Shop) -> None:
    shop.context.add_init_script(COUNT_OBSERVERS)
    page = shop.open(python_scripts("html"), tag=BEFORE_TAG + LOADER_TAG)
    shop.wait_for_engine()
    page.evaluate(
        "html => { const box = document.createElement('div'); box.innerHTML = html;"
        " document.body.append(box); }",
        python_scripts("inserted"),
    )
    # The engine answers a call after the insertion: the page has gone through its tasks since.
    page.evaluate("() => nostojs(api => api.defaultSession().viewCart().update())")
    page.wait_for_load_state("networkidle")
    ran = page.evaluate("() => Object.keys(window).filter(name => name.startsWith('ran_'))")
    assert ran == []
    assert (
        page.evaluate(
            "() => ['py-script', 'mpy-script', 'py-config', 'mpy-config']"
            ".filter(name => customElements.get(name) || document.querySelector(name + '[hidden]'))"
        )
        == []
    )
    assert shop.outside_loopback() == []
    pyodide = [url for url in shop.requests if url.rsplit("/", 1)[-1] == "pyodide.mjs"]
    assert len(pyodide) == 1 and "/runtime-" in pyodide[0]  # our engine's, nothing else's
    assert len(page.workers) == 1
    assert shop.page_errors == []


def test_the_page_keeps_the_browsers_own_prototypes_and_no_observer_is_added(shop: Shop) -> None:
    shop.context.add_init_script(COUNT_OBSERVERS)
    page = shop.open("<div id='host'></div>", tag=BEFORE_TAG + LOADER_TAG)
    shop.wait_for_engine()
    native = page.evaluate(
        "() => [Element.prototype.attachShadow, EventTarget.prototype.addEventListener, Worker]"
        ".map(f => /\\[native code\\]/.test(Function.prototype.toString.call(f)))"
    )
    assert native == [True, True, True]
    observers = page.evaluate(
        "() => ({before: window.__observersBeforeTag, after: window.__observers.length,"
        " targets: window.__observers.flatMap(o => o.__targets)})"
    )
    assert observers == {"before": 0, "after": 0, "targets": []}
    # The wrapper itself counts: an observer the page makes is seen.
    page.evaluate("() => new MutationObserver(() => {}).observe(document, {childList: true})")
    assert page.evaluate("() => window.__observers.flatMap(o => o.__targets)") == ["#document"]
