#!/usr/bin/env bash
# Set up everything nosto-tagging needs on a fresh Debian machine, idempotently: Debian's
# browsers for the browser tests (Chromium; Firefox ESR, WebKitGTK's WebDriver and MiniBrowser,
# and an X server without a screen for WebKit), a Python venv with the package, the Node driver
# of the Firefox tests and the bundle.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# Debian package -> the file it installs that the tests run.
declare -A NEEDED=()
if [ "${NOSTO_SKIP_CHROMIUM:-}" != "1" ]; then
  NEEDED[chromium]=/usr/bin/chromium                # tests/browser, tests/engines (Playwright)
fi
if [ "${NOSTO_SKIP_ENGINES:-}" != "1" ]; then
  NEEDED[firefox-esr]=/usr/bin/firefox-esr          # tests/engines, benchmarks.startup (WebDriver BiDi)
  NEEDED[webkit2gtk-driver]=/usr/bin/WebKitWebDriver # tests/engines, benchmarks.startup (MiniBrowser)
  NEEDED[xvfb]=/usr/bin/Xvfb                        # MiniBrowser has no headless mode
  NEEDED[xauth]=/usr/bin/xauth
fi
missing=()
for package in "${!NEEDED[@]}"; do
  [ -x "${NEEDED[$package]}" ] || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "installing Debian's ${missing[*]} (browser tests)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing: run 'sudo apt-get install --no-install-recommends ${missing[*]}'" \
      "(or set NOSTO_SKIP_CHROMIUM=1 / NOSTO_SKIP_ENGINES=1 to leave those browsers out)" >&2
    exit 1
  fi
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "Node.js 20+ and npm are needed to build the bundle: install them, then run this again" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv
fi
say "installing nosto-tagging and its test tools into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

# node_modules/.installed-lock: the lock file the last `npm ci` installed.
if [ "${NOSTO_SKIP_ENGINES:-}" != "1" ] && \
   ! cmp -s browsers/package-lock.json browsers/node_modules/.installed-lock; then
  say "installing the Firefox driver (puppeteer-core, as browsers/package-lock.json pins it)"
  npm ci --prefix browsers --no-audit --no-fund --loglevel=error
  cp browsers/package-lock.json browsers/node_modules/.installed-lock
fi

say "building the bundle (downloads the pinned runtime once, then uses build/cache)"
.venv/bin/nosto-tagging build
