"""The ``nosto-tagging`` command: ``build`` the offline bundle, ``serve`` the local sandbox,
``customer-reference`` for a merchant's back end."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from nosto_tagging.paths import DEFAULT_BUNDLE_DIR, DEFAULT_DB_PATH


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nosto-tagging",
        description="Build the offline nostojs bundle and run the local Nosto sandbox.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="assemble the self-hosted bundle (runtime + loader)")
    build.add_argument("--out", type=Path, default=DEFAULT_BUNDLE_DIR, help="output directory")

    serve = commands.add_parser(
        "serve", help="serve the bundle, a demo storefront and a Nosto-compatible collector"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port, 0 for a free one")
    serve.add_argument("--db", type=Path, default=DEFAULT_DB_PATH, help="SQLite database file")
    serve.add_argument(
        "--bundle",
        type=Path,
        default=DEFAULT_BUNDLE_DIR,
        help="bundle directory (built if missing)",
    )
    serve.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a page origin besides the sandbox's own that may read /ev1 answers, "
        "e.g. http://localhost:5173 (repeatable)",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST",
        help="a host name clients use to reach the sandbox besides 127.0.0.1, localhost, [::1] "
        "and --host, e.g. sandbox.local on a LAN or a container's name (repeatable)",
    )

    reference = commands.add_parser(
        "customer-reference",
        help="print the HMAC-SHA256 customer_reference of a customer id "
        "(the secret is read from NOSTO_REFERENCE_SECRET)",
    )
    reference.add_argument("customer_id", metavar="ID", help="the shop's own customer id")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build":
        from nosto_tagging.bundle import BuildError, build_bundle

        try:
            build_bundle(args.out)
        except BuildError as error:
            print(f"nosto-tagging build: {error}", file=sys.stderr)
            return 1
        return 0
    if args.command == "customer-reference":
        from nosto_tagging.reference import print_reference

        return print_reference(args.customer_id, os.environ)

    from nosto_tagging.sandbox import serve

    return serve(
        host=args.host,
        port=args.port,
        db_path=args.db,
        bundle_dir=args.bundle,
        cors_origins=args.cors_origin,
        allowed_hosts=args.allowed_host,
    )


if __name__ == "__main__":
    sys.exit(main())
