#!/usr/bin/env bash
# Set up everything nosto-tagging needs on a fresh Debian machine, idempotently:
# Debian's Chromium (for browser tests), a Python venv with the package, and the bundle.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

if [ "${NOSTO_SKIP_CHROMIUM:-}" != "1" ] && [ ! -x /usr/bin/chromium ]; then
  say "installing Debian's chromium (browser tests drive it with Playwright)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing: run 'sudo apt-get install chromium' (or set NOSTO_SKIP_CHROMIUM=1)" >&2
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

say "building the bundle (downloads the pinned runtime once, then uses build/cache)"
.venv/bin/nosto-tagging build
