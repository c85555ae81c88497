// The demo storefront: a small single-page shop that calls Nosto's Session API the way the
// documentation tells theme developers to (shared/reference/nostojs-api.md §3):
//   - once per route change: view<Page>(...).setPlacements([...]).load(), then render the
//     recommendations load() resolves to into the page's .nosto_element placements;
//   - on every cart change: setCart(cart) ... update() (no page view);
//   - setCustomer(customer) on log-in, setCustomer({}) on log-out; setVariation(currency).
// Privacy: the cart (ids, quantities) is kept in localStorage; the customer only in
// sessionStorage, never in localStorage or a cookie.
(function () {
  "use strict";

  const { el } = window.sandboxDom; // /common/dom.js

  const CART_KEY = "demo-shop:cart";          // localStorage: [{product_id, sku_id, quantity}]
  const CURRENCY_KEY = "demo-shop:currency";  // localStorage
  const CUSTOMER_KEY = "demo-shop:customer";  // sessionStorage only (personal data)
  const ORDER_KEY = "demo-shop:order:";       // sessionStorage: an order until Nosto got it
  const $ = (id) => document.getElementById(id);

  let catalog = { products: [], currencies: ["EUR", "USD"], default_currency: "EUR" };
  let cart = readJSON(localStorage, CART_KEY, []);
  let currency = localStorage.getItem(CURRENCY_KEY) || "EUR";
  let customer = readJSON(sessionStorage, CUSTOMER_KEY, null);
  let routeToken = 0;
  let currentRoute = null;

  function readJSON(storage, key, fallback) {
    try { const value = JSON.parse(storage.getItem(key)); return value ?? fallback; } catch (e) { return fallback; }
  }

  // ---------- Nosto ----------

  function show(call, outcome, value) {
    $("response-call").textContent = call + " " + outcome;
    let text;
    try { text = JSON.stringify(value, null, 2); } catch (e) { text = String(value); }
    $("response").textContent = text === undefined ? String(value) : text;
  }

  // The api, wrapped so that every promise one of its calls returns is shown when it settles.
  function watch(value, path) {
    if (value && typeof value.then === "function") {
      $("response-call").textContent = path + " pending…";
      value.then((r) => show(path, "resolved", r), (e) => show(path, "rejected", String(e && e.message || e)));
      return value;
    }
    if (value === null || (typeof value !== "object" && typeof value !== "function")) return value;
    return new Proxy({}, {
      get(_empty, property) {
        const member = Reflect.get(value, property, value);
        if (typeof member !== "function" || typeof property !== "string") return member;
        return (...args) => watch(member.apply(value, args), path + "." + property + "(" + args.map(brief).join(", ") + ")");
      },
      has(_empty, property) { return property in value; },
    });
  }

  function brief(arg) {
    if (typeof arg === "string") return JSON.stringify(arg);
    if (Array.isArray(arg)) return "[…" + arg.length + "]";
    if (arg && typeof arg === "object") return Object.keys(arg).length ? "{…}" : "{}";
    return String(arg);
  }

  function watchedNostojs(callback) { return window.nostojs((api) => callback(watch(api, "api"))); }
  const session = (api) => api.defaultSession();

  // ---------- catalog, prices, cart ----------

  const product = (id) => catalog.products.find((p) => p.product_id === id);
  const price = (p) => p.prices[currency];
  const money = (amount) => new Intl.NumberFormat("en", { style: "currency", currency }).format(amount);
  const skuName = (p, skuId) => ((p.skus.find((s) => s.sku_id === skuId) || {}).name || skuId);
  const cartLines = () => cart.map((line) => ({ line, p: product(line.product_id) })).filter((x) => x.p);
  const cartTotal = () => cartLines().reduce((sum, { line, p }) => sum + line.quantity * price(p), 0);

  // The cart as Nosto's Cart: {items: CartItem[]}, priced in the shopper's currency.
  function nostoCart() {
    return { items: cartLines().map(({ line, p }) => ({
      product_id: p.product_id, sku_id: line.sku_id, name: p.name, quantity: line.quantity,
      unit_price: price(p), price_currency_code: currency })) };
  }

  function saveCart() {
    localStorage.setItem(CART_KEY, JSON.stringify(cart));
    const count = cart.reduce((sum, line) => sum + line.quantity, 0);
    $("cart-count").textContent = String(count);
    $("cart-link").dataset.filled = count > 0 ? "yes" : "no";
  }

  // Every cart change is sent at once, as the docs' cart example does; on the cart page the
  // update() also refreshes the cart page's placements.
  function cartChanged() {
    saveCart();
    const onCartPage = currentRoute && currentRoute.name === "cart";
    const placements = placementIds();
    watchedNostojs((api) => {
      const action = session(api).setCart(nostoCart()).viewCart();
      if (!onCartPage) return action.update();
      const token = routeToken;
      return action.setPlacements(placements).update().then((response) => renderRecommendations(response, token));
    });
  }

  function addToCart(productId, skuId, quantity) {
    const existing = cart.find((line) => line.product_id === productId && line.sku_id === skuId);
    if (existing) existing.quantity += quantity;
    else cart.push({ product_id: productId, sku_id: skuId, quantity });
    cartChanged();
    toast("Added " + product(productId).name + " to your cart");
  }

  function setQuantity(index, quantity) {
    if (quantity <= 0) cart.splice(index, 1); else cart[index].quantity = quantity;
    cartChanged();
    render();
  }

  // ---------- customer ----------

  async function customerReference(email) {
    // Nosto asks for a long, non-guessable reference (an HMAC of your own id in a real shop).
    const bytes = new TextEncoder().encode("demo-shop customer " + email.toLowerCase());
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function remember(who) {
    customer = who;
    if (who) sessionStorage.setItem(CUSTOMER_KEY, JSON.stringify(who));
    else sessionStorage.removeItem(CUSTOMER_KEY);
    $("account-link").textContent = who ? "Hi, " + who.first_name : "Log in";
    $("account-link").setAttribute("href", who ? "/account" : "/login");
  }

  async function logIn(form) {
    const who = {
      customer_reference: await customerReference(form.email),
      email: form.email, first_name: form.first_name, last_name: form.last_name,
      newsletter: form.newsletter,
    };
    remember(who);
    // Sent with the next action: the account page's load().
    watchedNostojs((api) => session(api).setCustomer(who));
    navigate("/account");
  }

  function logOut() {
    remember(null);
    watchedNostojs((api) => session(api).setCustomer({})); // {} resets the customer at Nosto
    navigate("/");
  }

  // ---------- routes ----------

  const ROUTES = [
    [/^\/$/, "front"],
    [/^\/category\/(.+)$/, "category"],
    [/^\/product\/([^/]+)$/, "product"],
    [/^\/search$/, "search"],
    [/^\/cart$/, "cart"],
    [/^\/login$/, "login"],
    [/^\/account$/, "account"],
    [/^\/checkout$/, "checkout"],
    [/^\/order\/([^/]+)$/, "order"],
  ];

  function parseRoute() {
    const path = location.pathname.replace(/\/+$/, "") || "/";
    for (const [pattern, name] of ROUTES) {
      const match = path.match(pattern);
      if (match) return { name, arg: match[1] ? decodeURIComponent(match[1]) : null, params: new URLSearchParams(location.search) };
    }
    return { name: "notfound", arg: null, params: new URLSearchParams() };
  }

  function navigate(url, { replace = false } = {}) {
    if (replace) history.replaceState(null, "", url); else history.pushState(null, "", url);
    route();
  }

  // "/men/shirts" -> "/Men/Shirts": Nosto's categories are slash-delimited paths.
  function categoryPath(slug) {
    return "/" + slug.split("/").filter(Boolean).map((part) => part[0].toUpperCase() + part.slice(1)).join("/");
  }

  // The view action of a route: one page view per route change (docs: "perform an action
  // only once per route change").
  function viewAction(api, r) {
    const s = session(api);
    switch (r.name) {
      case "front": return s.viewFrontPage();
      case "category": return s.viewCategory(categoryPath(r.arg));
      case "product": {
        const sku = r.params.get("sku");
        return sku ? s.viewProductSku(r.arg, sku) : s.viewProduct(r.arg);
      }
      case "search": return s.viewSearch(r.params.get("q") || "");
      case "cart": case "checkout": return s.viewCart(); // docs: viewCart on cart and checkout pages
      case "order": {
        const pending = readJSON(sessionStorage, ORDER_KEY + r.arg, null);
        if (pending) {
          sessionStorage.removeItem(ORDER_KEY + r.arg); // sent once, not again on reload
          return s.addOrder(pending);
        }
        return s.viewOther();
      }
      case "notfound": return s.viewNotFound();
      default: return s.viewOther();
    }
  }

  function route() {
    currentRoute = parseRoute();
    const token = ++routeToken;
    render();
    window.scrollTo(0, 0);
    const placements = placementIds();
    const r = currentRoute;
    watchedNostojs((api) => viewAction(api, r).setPlacements(placements).load()
      .then((response) => renderRecommendations(response, token)));
  }

  // After a currency change: same page, new prices, no new page view.
  function refresh() {
    const token = routeToken;
    const placements = placementIds();
    const r = currentRoute;
    watchedNostojs((api) => {
      session(api).setVariation(currency).setCart(nostoCart());
      return viewAction(api, r.name === "order" ? { name: "other" } : r).setPlacements(placements).update()
        .then((response) => renderRecommendations(response, token));
    });
  }

  // ---------- rendering ----------


  const link = (href, props, ...children) => el("a", Object.assign({ href, "data-link": true }, props), ...children);
  const picture = (p, size) => el("img", { class: "picture " + (size || ""), src: "/demo/images/" + p.product_id + ".svg", alt: "", loading: "lazy" });
  const placement = (id) => el("div", { class: "nosto_element", id });
  const placementIds = () => Array.from(document.querySelectorAll("#view .nosto_element"), (node) => node.id);

  function productCard(p) {
    return el("li", { class: "product" },
      link("/product/" + p.product_id, { class: "product-link" }, picture(p),
        el("h3", { text: p.name }), el("p", { class: "meta", text: p.brand })),
      el("p", { class: "price", text: money(price(p)) }),
      el("button", { type: "button", class: "quiet", onclick: () => addToCart(p.product_id, p.skus[0].sku_id, 1),
        "aria-label": "Add " + p.name + " to cart" }, "Add to cart"));
  }

  const grid = (products) => el("ul", { class: "product-list" }, products.map(productCard));

  function renderRecommendations(response, token) {
    if (token !== routeToken || !response) return;
    const campaigns = (response.campaigns && response.campaigns.recommendations) || {};
    const all = response.recommendations || {};
    for (const node of document.querySelectorAll("#view .nosto_element")) {
      const result = campaigns[node.id] || all[node.id];
      if (result && typeof result === "object" && Array.isArray(result.products)) {
        node.replaceChildren(el("section", { class: "recommendation", "data-result-id": result.result_id },
          el("h2", { text: result.title || "Recommended for you" }),
          el("ul", { class: "product-list compact" }, result.products.map((item) => {
            const p = product(item.product_id);
            return p ? productCard(p) : el("li", { class: "product", text: item.name });
          }))));
      } else if (typeof result === "string" && result) {
        node.innerHTML = result; // an HTML campaign, as Nosto's injectCampaigns would insert it
      }
    }
  }

  const VIEWS = {
    front() {
      const examples = $("examples-box").content.firstElementChild.cloneNode(true);
      return [
        el("section", { class: "hero" },
          el("h1", { text: "Gear for every run, hike and weekend" }),
          el("p", { text: "A demo shop that talks to a local Nosto sandbox. Browse, fill the cart, log in and place an order: every step is a Session API call you can watch at /events." })),
        examples,
        placement("frontpage-nosto-1"),
        el("h2", { text: "New arrivals" }),
        grid(catalog.products.slice(0, 8)),
        placement("frontpage-nosto-2"),
      ];
    },
    category(r) {
      const path = categoryPath(r.arg);
      const products = catalog.products.filter((p) => p.categories.some((c) => c.toLowerCase() === path.toLowerCase()));
      const top = path.split("/")[1];
      const subs = [...new Set(catalog.products.flatMap((p) => p.categories).filter((c) => c.startsWith("/" + top + "/")))];
      return [
        el("p", { class: "crumbs" }, link("/", {}, "Home"), " / ", path.slice(1).split("/").join(" / ")),
        el("h1", { text: path.split("/").pop() }),
        el("nav", { class: "subcategories" }, subs.map((c) => link("/category" + c.toLowerCase(), {}, c.split("/").pop()))),
        products.length ? grid(products) : el("p", { class: "muted", text: "Nothing here yet." }),
        placement("categorypage-nosto-1"),
      ];
    },
    product(r) {
      const p = product(r.arg);
      if (!p) return VIEWS.notfound();
      const selected = r.params.get("sku") || p.skus[0].sku_id;
      let quantity = 1;
      const sizes = el("div", { class: "sizes", role: "radiogroup", "aria-label": "Size" }, p.skus.map((s) =>
        el("button", { type: "button", class: "size", role: "radio", "aria-checked": String(s.sku_id === selected),
          "data-sku": s.sku_id, onclick: () => navigate("/product/" + p.product_id + "?sku=" + s.sku_id, { replace: true }) }, s.name)));
      const qty = el("input", { type: "number", min: 1, max: 99, value: 1, id: "quantity", "aria-label": "Quantity",
        oninput: (e) => { quantity = Math.max(1, Number(e.target.value) || 1); } });
      return [
        el("p", { class: "crumbs" }, link("/", {}, "Home"), " / ",
          link("/category" + p.categories[1].toLowerCase(), {}, p.categories[1].slice(1).split("/").join(" / "))),
        el("article", { class: "detail" }, picture(p, "large"),
          el("div", {},
            el("h1", { text: p.name }),
            el("p", { class: "meta", text: p.brand + " · product " + p.product_id + " · sku " + selected }),
            el("p", { class: "price big", text: money(price(p)) }),
            el("p", { text: p.description }),
            el("p", { class: "label", text: "Size: " + skuName(p, selected) }), sizes,
            el("div", { class: "buy" }, qty,
              el("button", { type: "button", id: "add-to-cart", onclick: () => addToCart(p.product_id, selected, quantity) }, "Add to cart")))),
        placement("productpage-nosto-1"),
        placement("productpage-nosto-2"),
      ];
    },
    search(r) {
      const q = (r.params.get("q") || "").trim();
      $("search-input").value = q;
      const words = q.toLowerCase().split(/\s+/).filter(Boolean);
      const found = catalog.products.filter((p) => words.length && words.every((w) =>
        (p.name + " " + p.brand + " " + p.categories.join(" ")).toLowerCase().includes(w)));
      return [
        el("h1", {}, "Search: ", el("q", { text: q })),
        found.length ? grid(found) : el("p", { class: "muted", text: "No products match “" + q + "”." }),
        placement("searchpage-nosto-1"),
      ];
    },
    cart() {
      const lines = cartLines();
      if (!lines.length) {
        return [el("h1", { text: "Your cart" }), el("p", { class: "muted", text: "Your cart is empty." }),
          link("/", { class: "button" }, "Continue shopping"), placement("cartpage-nosto-1")];
      }
      return [
        el("h1", { text: "Your cart" }),
        el("table", { class: "cart-table" },
          el("thead", {}, el("tr", {}, ["Item", "Size", "Quantity", "Price", "Total", ""].map((h) => el("th", { text: h })))),
          el("tbody", {}, lines.map(({ line, p }, index) => el("tr", { "data-product": p.product_id },
            el("td", {}, link("/product/" + p.product_id, {}, p.name)),
            el("td", { text: skuName(p, line.sku_id) }),
            el("td", { class: "qty" },
              el("button", { type: "button", class: "step", "aria-label": "One less", onclick: () => setQuantity(index, line.quantity - 1) }, "−"),
              el("span", { class: "n", text: line.quantity }),
              el("button", { type: "button", class: "step", "aria-label": "One more", onclick: () => setQuantity(index, line.quantity + 1) }, "+")),
            el("td", { text: money(price(p)) }),
            el("td", { text: money(price(p) * line.quantity) }),
            el("td", {}, el("button", { type: "button", class: "link", onclick: () => setQuantity(index, 0) }, "Remove"))))),
          el("tfoot", {}, el("tr", {}, el("td", { colspan: 4, text: "Total" }), el("td", { id: "cart-total", text: money(cartTotal()) }), el("td")))),
        el("p", { class: "actions" }, link("/checkout", { class: "button", id: "checkout" }, "Checkout")),
        placement("cartpage-nosto-1"),
      ];
    },
    login() {
      const examples = $("examples-box").content.firstElementChild.cloneNode(true);
      const form = el("form", { class: "box form", id: "login-form", onsubmit: (e) => {
        e.preventDefault();
        const data = new FormData(e.target);
        logIn({ email: data.get("email"), first_name: data.get("first_name"), last_name: data.get("last_name"), newsletter: data.get("newsletter") === "on" });
      } },
      el("h1", { text: "Log in" }),
      el("label", {}, "Email", el("input", { type: "email", name: "email", required: true, autocomplete: "email" })),
      el("label", {}, "First name", el("input", { name: "first_name", required: true, autocomplete: "given-name" })),
      el("label", {}, "Last name", el("input", { name: "last_name", required: true, autocomplete: "family-name" })),
      el("label", { class: "check" }, el("input", { type: "checkbox", name: "newsletter" }), "Send me the newsletter"),
      el("button", { type: "submit" }, "Log in"),
      el("p", { class: "muted small", text: "No password: this is a demo. Your details stay in this tab (sessionStorage) and go to the local sandbox only." }));
      return [el("div", { class: "two" }, form, examples)];
    },
    account() {
      if (!customer) return VIEWS.login();
      return [el("section", { class: "box" },
        el("h1", { text: "Hello, " + customer.first_name }),
        el("p", { text: customer.first_name + " " + customer.last_name + " · " + customer.email }),
        el("p", { class: "muted", text: customer.newsletter ? "You receive our newsletter." : "No newsletter." }),
        el("button", { type: "button", id: "log-out", onclick: logOut }, "Log out"))];
    },
    checkout() {
      const lines = cartLines();
      if (!lines.length) return VIEWS.cart();
      const who = customer || {};
      const form = el("form", { class: "box form", id: "checkout-form", onsubmit: (e) => {
        e.preventDefault();
        placeOrder(Object.fromEntries(new FormData(e.target)));
      } },
      el("h1", { text: "Checkout" }),
      el("label", {}, "Email", el("input", { type: "email", name: "email", required: true, value: who.email || "" })),
      el("label", {}, "First name", el("input", { name: "first_name", required: true, value: who.first_name || "" })),
      el("label", {}, "Last name", el("input", { name: "last_name", required: true, value: who.last_name || "" })),
      el("label", {}, "Country", el("select", { name: "country" }, ["FI", "DE", "US", "SE"].map((c) => el("option", { text: c })))),
      el("button", { type: "submit", id: "place-order" }, "Place order · " + money(cartTotal())));
      const summary = el("section", { class: "box" }, el("h2", { text: "Order summary" }),
        el("ul", { class: "summary" }, lines.map(({ line, p }) => el("li", {},
          el("span", { text: line.quantity + " × " + p.name + " (" + skuName(p, line.sku_id) + ")" }),
          el("span", { text: money(price(p) * line.quantity) })))),
        el("p", { class: "total", text: "Total " + money(cartTotal()) }));
      return [el("div", { class: "two" }, form, summary)];
    },
    order(r) {
      return [el("section", { class: "box confirmation" },
        el("h1", { text: "Thank you for your order!" }),
        el("p", {}, "Your order number is ", el("strong", { id: "order-number", text: r.arg }), "."),
        link("/", { class: "button" }, "Continue shopping")),
      placement("thankyou-nosto-1")];
    },
    notfound() {
      return [el("h1", { text: "Page not found" }), el("p", {}, link("/", {}, "Back to the front page")), placement("notfound-nosto-1")];
    },
  };

  function render() {
    $("view").replaceChildren(...(VIEWS[currentRoute.name] || VIEWS.notfound)(currentRoute));
    $("view").dataset.route = currentRoute.name;
    wireExamples();
  }

  // ---------- ordering ----------

  function placeOrder(form) {
    const number = "DS-" + Date.now().toString(36).toUpperCase();
    const order = {
      external_order_ref: number,
      info: { order_number: number, email: form.email, first_name: form.first_name, last_name: form.last_name,
        newsletter: Boolean(customer && customer.newsletter) },
      items: nostoCart().items,
      created_at: new Date().toISOString(),
      order_status: "paid",
      payment_provider: "demo-pay",
    };
    sessionStorage.setItem(ORDER_KEY + number, JSON.stringify(order));
    cart = [];
    saveCart();
    // The cart is empty now; Nosto learns it with the order (the action copies the session).
    watchedNostojs((api) => session(api).setCart({}));
    navigate("/order/" + encodeURIComponent(number));
  }

  // ---------- the documentation's examples ----------

  function source(action) {
    const text = action.toString();
    return text.slice(text.indexOf("{") + 1, text.lastIndexOf("}")).trim();
  }

  function wireExamples() {
    const addBoth = $("add-both");
    if (addBoth) {
      $("add-both-code").textContent = source(window.addBothToCart);
      addBoth.addEventListener("click", () => {
        // The example's prices are in EUR: switch the shop to EUR first.
        if (currency !== "EUR") setCurrency("EUR", { silent: true });
        watchedNostojs((api) => session(api).setVariation("EUR"));
        window.addBothToCart(watchedNostojs);
        cart = [{ product_id: "181503", sku_id: "181505", quantity: 2 }, { product_id: "34552", sku_id: "39912", quantity: 1 }];
        saveCart();
        toast("Added both to your cart");
      });
    }
    const logInButton = $("log-in");
    if (logInButton) {
      $("log-in-code").textContent = source(window.logInAsNostoTest);
      logInButton.addEventListener("click", () => {
        window.logInAsNostoTest(watchedNostojs);
        remember({ customer_reference: "b369f1235cf4f08153c560.82515936", email: "devnull@nosto.com",
          first_name: "Nosto", last_name: "Test", newsletter: true });
        navigate("/account");
      });
    }
  }

  // ---------- chrome ----------

  let toastTimer = 0;
  function toast(text) {
    let node = $("toast");
    if (!node) { node = el("div", { id: "toast", class: "toast", role: "status" }); document.body.append(node); }
    node.textContent = text;
    node.dataset.shown = "yes";
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { node.dataset.shown = "no"; }, 2200);
  }

  function setCurrency(next, { silent = false } = {}) {
    currency = catalog.currencies.includes(next) ? next : catalog.default_currency;
    localStorage.setItem(CURRENCY_KEY, currency);
    $("currency").value = currency;
    if (silent) return;
    render();
    refresh();
  }

  document.addEventListener("click", (event) => {
    const anchor = event.target.closest("a[data-link]");
    if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(anchor.getAttribute("href"));
  });
  window.addEventListener("popstate", route);
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    navigate("/search?q=" + encodeURIComponent($("search-input").value.trim()));
  });
  $("currency").addEventListener("change", (event) => setCurrency(event.target.value));
  window.addEventListener("error", (event) => {
    const target = event.target;
    if (target && target.tagName === "SCRIPT" && /\/bundle\/nosto\.js$/.test(target.src)) {
      $("status").dataset.state = "failed";
      $("status").textContent = "/bundle/nosto.js failed to load — run `nosto-tagging build`";
    }
  }, true);

  async function start() {
    try {
      catalog = await (await fetch("/demo/catalog.json")).json();
    } catch (error) {
      $("view").textContent = "The catalog (/demo/catalog.json) could not be loaded: " + error;
      return;
    }
    $("currency").replaceChildren(...catalog.currencies.map((c) => el("option", { text: c })));
    if (!catalog.currencies.includes(currency)) currency = catalog.default_currency;
    $("currency").value = currency;
    saveCart();
    remember(customer);
    // A new page (not a route change): tell the session what this browser already holds.
    window.nostojs((api) => {
      $("status").dataset.state = "ready";
      $("status").textContent = "nostojs ready";
      const s = session(api).setVariation(currency);
      if (cart.length) s.setCart(nostoCart());
      if (customer) s.setCustomer(customer);
    });
    route();
  }

  start();
})();
