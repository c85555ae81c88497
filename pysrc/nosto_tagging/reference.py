"""``customer_reference``: the non-guessable customer reference Nosto asks merchants to send.

Nosto's guide: ``customer_reference`` must be long, secret and non-guessable, e.g. an
HMAC-SHA256 of the shop's internal customer id. A merchant's back end computes it with
:func:`customer_reference` under a secret it keeps (never in the page) and renders it into the
page's ``setCustomer({..., customer_reference})``; ``nosto-tagging customer-reference ID``
prints it with the secret taken from ``NOSTO_REFERENCE_SECRET``.

Only the standard library: a back end can copy this file or depend on the package for it alone.
"""

from __future__ import annotations

import hashlib
import hmac
import sys
from collections.abc import Mapping

MIN_SECRET_BYTES = 32
SECRET_ENV = "NOSTO_REFERENCE_SECRET"
MAKE_A_SECRET = 'python3 -c "import secrets; print(secrets.token_hex(32))"'


class WeakSecret(ValueError):
    """The secret is too short to keep references from being guessed."""


def customer_reference(customer_id: str, secret: str) -> str:
    """The lowercase hex HMAC-SHA256 of the UTF-8 ``customer_id`` under the UTF-8 ``secret``.

    The same id and secret always give the same reference, so a customer keeps theirs across
    devices; without the secret nobody can compute or guess another customer's. Raises
    :class:`TypeError` for arguments that are not ``str``, :class:`ValueError` for an empty id
    and :class:`WeakSecret` (a ``ValueError``) for a secret shorter than
    :data:`MIN_SECRET_BYTES` bytes; no message contains the secret.
    """
    if not isinstance(customer_id, str):
        raise TypeError(
            f"customer_id must be a str, not {type(customer_id).__name__}; "
            "pass str(your_customer_id)"
        )
    if not isinstance(secret, str):
        raise TypeError(f"secret must be a str, not {type(secret).__name__}")
    if not customer_id:
        raise ValueError("customer_id is empty; pass the shop's own id of the logged-in customer")
    key = _utf8(secret, "secret")
    if len(key) < MIN_SECRET_BYTES:
        raise WeakSecret(
            f"the secret is {len(key)} bytes; customer_reference needs at least "
            f"{MIN_SECRET_BYTES} so that references cannot be guessed. Make one with "
            f"`{MAKE_A_SECRET}`, keep it in your back end's secret store and use it for every "
            "customer"
        )
    return hmac.new(key, _utf8(customer_id, "customer_id"), hashlib.sha256).hexdigest()


def _utf8(text: str, name: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(
            f"{name} is not valid Unicode text (a lone surrogate at position {error.start}); "
            "pass it as the text your database holds"
        ) from None


def print_reference(customer_id: str, environ: Mapping[str, str]) -> int:
    """``nosto-tagging customer-reference ID``: print the reference; the exit status.

    The secret comes from ``environ[SECRET_ENV]`` (never from the command line, where other
    users of the machine could read it in the process list). 2 when it is missing or too short.
    """
    secret = environ.get(SECRET_ENV)
    if not secret:
        print(
            f"nosto-tagging customer-reference: {SECRET_ENV} is not set; export the secret your "
            f"back end signs customer references with (make one with `{MAKE_A_SECRET}`)",
            file=sys.stderr,
        )
        return 2
    try:
        reference = customer_reference(customer_id, secret)
    except WeakSecret as error:
        print(f"nosto-tagging customer-reference: {SECRET_ENV}: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"nosto-tagging customer-reference: {error}", file=sys.stderr)
        return 2
    print(reference)
    return 0
