"""Throughput of the ``/ev1`` collector: a load generator on loopback, bounded in count and time.

Starts ``nosto-tagging serve --port 0`` on a fresh database (or targets ``--url``), opens
``--connections`` keep-alive HTTP/1.1 connections and sends cart-view requests the way the
browser does (``POST /ev1?m=&c=&eid=`` with a ``text/plain`` JSON body, one request in flight per
connection) until ``--requests`` were answered or ``--duration`` seconds passed, whichever comes
first. Then it prints requests/s, p50/p99 latency and how many requests were stored: every
answered request must be (not one lost).

    python -m benchmarks.collector                       # defaults: 16 connections, 20,000 / 15 s
    python -m benchmarks.collector --connections 32 --requests 50000 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from nosto_tagging.testing import running_sandbox

DEFAULT_CONNECTIONS = 16
DEFAULT_REQUESTS = 20_000
DEFAULT_DURATION_S = 15.0
VISITORS = 500  # requests are spread over this many visitors
START_TIMEOUT_S = 30.0
READ_TIMEOUT_S = 10.0

CART = [
    {
        "product_id": "181503",
        "sku_id": "181505",
        "name": "Men's Running Shirt",
        "quantity": 2,
        "unit_price": 123.45,
        "price_currency_code": "EUR",
    },
    {
        "product_id": "34552",
        "sku_id": "39912",
        "name": "Men's Training Shoe",
        "quantity": 1,
        "unit_price": 999.0,
        "price_currency_code": "EUR",
    },
]


@dataclass
class Results:
    """What the connections measured: one latency per answered request, and the failures."""

    latencies_s: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0


def request_bytes(host: str, account: str, visitor: str, eid: str, number: int) -> bytes:
    body = {
        "page_type": "cart",
        "elements": ["cartpage-nosto-1"],
        "response_mode": "JSON_ORIGINAL",
        "url": f"http://{host}/cart?n={number}",
        "event_date": "2026-11-28T14:45:43.120Z",
        "cart": CART,
    }
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = (
        f"POST /ev1?m={account}&c={visitor}&eid={eid} HTTP/1.1\r\n"
        f"Host: {host}\r\n"
        "Content-Type: text/plain;charset=UTF-8\r\n"
        f"Content-Length: {len(payload)}\r\n"
        "\r\n"
    )
    return head.encode() + payload


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response with a Content-Length body; its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def run_connection(
    host: str, port: int, plan: Iterator[int], deadline: float, results: Results, run: str
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for number in plan:
            if time.perf_counter() >= deadline:
                return
            visitor = f"{number % VISITORS:024x}"
            message = request_bytes(f"{host}:{port}", "bench", visitor, f"{run}-{number}", number)
            started = time.perf_counter()
            writer.write(message)
            status = await asyncio.wait_for(read_response(reader), READ_TIMEOUT_S)
            results.latencies_s.append(time.perf_counter() - started)
            results.statuses[status] = results.statuses.get(status, 0) + 1
    except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
        results.errors.append(f"{type(error).__name__}: {error}")
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def generate_load(
    host: str, port: int, connections: int, requests: int, duration_s: float
) -> Results:
    results = Results()
    plan = iter(range(requests))  # shared: each number is sent once, by whichever is free
    run = secrets.token_hex(4)
    started = time.perf_counter()
    deadline = started + duration_s
    await asyncio.gather(
        *(run_connection(host, port, plan, deadline, results, run) for _ in range(connections))
    )
    results.elapsed_s = time.perf_counter() - started
    return results


@contextlib.contextmanager
def spawned_sandbox(workdir: Path) -> Iterator[tuple[str, Path]]:
    """``nosto-tagging serve --port 0`` on a fresh database; its URL and database path."""
    bundle = workdir / "bundle"
    bundle.mkdir()
    (bundle / "nosto.js").write_text("/* the benchmark needs no real bundle */\n")
    db = workdir / "bench.sqlite3"
    with running_sandbox(db, bundle) as sandbox:
        yield sandbox.origin, db


def stored_count(url: str, db: Path | None) -> int:
    if db is not None:
        with contextlib.closing(sqlite3.connect(db)) as connection:
            (count,) = connection.execute(
                "SELECT count(*) FROM requests WHERE account = 'bench'"
            ).fetchone()
            return int(count)
    with urllib.request.urlopen(f"{url}/api/stats", timeout=10) as answer:
        return int(json.load(answer)["accepted"])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=DEFAULT_CONNECTIONS)
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS, help="at most this many")
    parser.add_argument(
        "--duration", type=float, default=DEFAULT_DURATION_S, help="at most this many seconds"
    )
    parser.add_argument("--url", help="an already running sandbox (default: start one)")
    args = parser.parse_args(argv)
    if not 1 <= args.connections <= 1024 or args.requests < 1 or not 0 < args.duration <= 600:
        parser.error("use 1-1024 connections, at least 1 request and at most 600 seconds")

    with contextlib.ExitStack() as stack:
        if args.url:
            url, db = args.url.rstrip("/"), None
            before = stored_count(url, None)
        else:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            url, db = stack.enter_context(spawned_sandbox(workdir))
            before = 0
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        try:
            import uvloop  # type: ignore[import-not-found]

            runner = uvloop.run
        except ImportError:
            runner = asyncio.run
        results = runner(generate_load(host, port, args.connections, args.requests, args.duration))
        stored = stored_count(url, db) - before

    answered = len(results.latencies_s)
    ok = sum(count for status, count in results.statuses.items() if 200 <= status < 300)
    rate = answered / results.elapsed_s if results.elapsed_s else 0.0
    milliseconds = [latency * 1000 for latency in results.latencies_s] or [0.0]
    print_table(
        [
            ("setting", "value"),
            ("---", "---"),
            ("target", url + (" (started by the benchmark)" if db else "")),
            ("connections", str(args.connections)),
            ("limit", f"{args.requests} requests or {args.duration:g} s"),
            ("cpus", str(os.cpu_count())),
        ]
    )
    print()
    print_table(
        [
            ("result", "value"),
            ("---", "---"),
            ("duration", f"{results.elapsed_s:.2f} s"),
            ("answered", f"{answered} ({ok} 2xx)"),
            ("requests/s", f"{rate:,.0f}"),
            ("latency p50", f"{percentile(milliseconds, 0.50):.1f} ms"),
            ("latency p99", f"{percentile(milliseconds, 0.99):.1f} ms"),
            ("latency mean", f"{statistics.fmean(milliseconds):.1f} ms"),
            ("stored", f"{stored} (lost: {ok - stored})"),
            (
                "errors",
                str(len(results.errors)) + (f": {results.errors[0]}" if results.errors else ""),
            ),
        ]
    )
    return 0 if stored == ok and not results.errors else 1


if __name__ == "__main__":
    sys.exit(main())
