"""Drivers of the three browser engines a shopper uses (Chromium, Firefox, WebKit), shared by the
engine matrix (``tests/engines``) and the startup benchmark (``benchmarks/startup_engines.py``).

The Firefox driver is a Node child process (``firefox.mjs``: puppeteer-core, pinned in
``package.json``/``package-lock.json``; ``make setup`` installs it into ``browsers/node_modules``).
"""
