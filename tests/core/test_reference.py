"""``nosto_tagging.customer_reference`` and ``nosto-tagging customer-reference``: the HMAC-SHA256
customer reference for merchants' back ends."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import nosto_tagging
from nosto_tagging import customer_reference
from nosto_tagging.reference import MIN_SECRET_BYTES, SECRET_ENV, WeakSecret

SECRET = "k" * 32
ACCENTED_SECRET = "sécret-sécret-sécret-sécret-sécret"  # 34 characters, 39 UTF-8 bytes

# Computed with OpenSSL, not Python:
#   printf 'cust-42' | openssl dgst -sha256 -hmac kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk
#   printf 'Ämil-7' | openssl dgst -sha256 -hmac 'sécret-sécret-sécret-sécret-sécret'
CUST_42 = "3bf24544d00a04ffd72df266bdf2347591ad3821ded850880ee9ea0a44566879"
AEMIL_7 = "f968be437b0aa509c2b4edb9607191be53c6273bf85ca6ac1f00315d62ed7b46"


def test_the_reference_is_the_lowercase_hex_hmac_sha256_of_the_utf8_id() -> None:
    assert customer_reference("cust-42", SECRET) == CUST_42
    assert customer_reference("Ämil-7", ACCENTED_SECRET) == AEMIL_7


def test_other_ids_and_secrets_give_other_references() -> None:
    assert customer_reference("cust-43", SECRET) != CUST_42
    assert customer_reference("cust-42", "K" * 32) != CUST_42


def test_the_secret_is_counted_in_utf8_bytes() -> None:
    assert len(customer_reference("1", "é" * 16)) == 64  # 16 characters, 32 bytes: enough
    with pytest.raises(WeakSecret, match="the secret is 31 bytes"):
        customer_reference("1", "k" * 31)


def test_a_short_secret_is_refused_with_what_to_do_and_never_shown() -> None:
    with pytest.raises(ValueError) as raised:
        customer_reference("cust-42", "hunter2-hunter2")
    message = str(raised.value)
    assert f"at least {MIN_SECRET_BYTES}" in message
    assert "secrets.token_hex(32)" in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    ("customer_id", "secret", "error", "match"),
    [
        ("", SECRET, ValueError, "customer_id is empty"),
        (42, SECRET, TypeError, r"customer_id must be a str, not int; pass str\(your_customer_id"),
        ("cust-42", SECRET.encode(), TypeError, "secret must be a str, not bytes"),
        ("cust-\ud800", SECRET, ValueError, "customer_id is not valid Unicode text"),
    ],
)
def test_bad_arguments_are_refused_by_name(
    customer_id: object, secret: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        customer_reference(customer_id, secret)  # type: ignore[arg-type]


def run_command(*args: str, secret: str | None) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != SECRET_ENV}
    if secret is not None:
        environment[SECRET_ENV] = secret
    return subprocess.run(
        [sys.executable, "-m", "nosto_tagging.cli", "customer-reference", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def test_the_command_prints_the_reference_with_the_secret_from_the_environment() -> None:
    done = run_command("cust-42", secret=SECRET)

    assert done.returncode == 0, done.stderr
    assert done.stdout == CUST_42 + "\n"
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        (None, f"{SECRET_ENV} is not set"),
        ("", f"{SECRET_ENV} is not set"),
        ("short-secret", f"{SECRET_ENV}: the secret is 12 bytes"),
    ],
)
def test_the_command_explains_a_missing_or_short_secret_with_exit_code_2(
    secret: str | None, expected: str
) -> None:
    done = run_command("cust-42", secret=secret)

    assert done.returncode == 2
    assert done.stdout == ""
    assert expected in done.stderr
    assert "secrets.token_hex(32)" in done.stderr
    assert "short-secret" not in done.stderr


def test_the_module_imports_only_the_standard_library() -> None:
    program = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import nosto_tagging.reference\n"
        "new = {name.split('.')[0] for name in set(sys.modules) - before}\n"
        "print(sorted(new - set(sys.stdlib_module_names) - {'nosto_tagging'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_importing_the_package_does_not_load_it_for_the_browser() -> None:
    program = (
        "import sys, nosto_tagging\n"
        "print('nosto_tagging.reference' in sys.modules)\n"
        "from nosto_tagging import customer_reference\n"
        "print(customer_reference.__module__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["False", "nosto_tagging.reference"]
    assert "customer_reference" in nosto_tagging.__all__
