// Debian's Firefox ESR over WebDriver BiDi (puppeteer-core; no geckodriver), for tests/engines.
// pytest runs this as a child process (tests/engines/drivers.py) and speaks JSON lines with it:
// each line on stdin is {id, op, ...}, answered by one line {id, value} or {id, error} on stdout.
// Console messages (the page's and its dedicated workers') and page errors are kept per tab
// and handed over by the "events" op.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import puppeteer from "puppeteer-core";

const profile = mkdtempSync(join(tmpdir(), "nosto-firefox-"));
const browser = await puppeteer.launch({
  browser: "firefox",
  executablePath: process.env.NOSTO_FIREFOX || "/usr/bin/firefox-esr",
  headless: true,
  userDataDir: profile,
  protocolTimeout: 120000,
});
const contexts = new Map();
const tabs = new Map();
let next = 0;

const ops = {
  version: () => browser.version(),
  context: async () => {
    const id = ++next;
    contexts.set(id, await browser.createBrowserContext());
    return id;
  },
  closeContext: async ({ context }) => {
    await contexts.get(context).close();
    contexts.delete(context);
  },
  tab: async ({ context }) => {
    const page = await contexts.get(context).newPage();
    const tab = { page, events: [] };
    page.on("console", (message) => tab.events.push({ kind: "console", type: message.type(), text: message.text() }));
    page.on("pageerror", (error) => tab.events.push({ kind: "pageerror", text: String(error?.message ?? error) }));
    const id = ++next;
    tabs.set(id, tab);
    return id;
  },
  goto: async ({ tab, url, timeout }) => {
    await tabs.get(tab).page.goto(url, { waitUntil: "load", timeout });
  },
  evaluate: async ({ tab, expression }) => tabs.get(tab).page.evaluate(expression),
  url: ({ tab }) => tabs.get(tab).page.url(),
  events: ({ tab }) => tabs.get(tab).events.splice(0),
  closeTab: async ({ tab }) => {
    await tabs.get(tab).page.close({ runBeforeUnload: false });
    tabs.delete(tab);
  },
};

function answer(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

answer({ id: 0, value: await browser.version() });
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const request = JSON.parse(line);
  if (request.op === "quit") break;
  try {
    const value = await ops[request.op](request);
    answer({ id: request.id, value: value === undefined ? null : value });
  } catch (error) {
    answer({ id: request.id, error: String(error?.stack ?? error) });
  }
}
await browser.close();
rmSync(profile, { recursive: true, force: true });
