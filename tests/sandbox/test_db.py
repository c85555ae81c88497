"""The sandbox database refuses a file written with another schema, and says what to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from nosto_tagging.sandbox.db import SCHEMA_VERSION, Database


def test_a_new_file_gets_the_schema_and_opens_again(tmp_path: Path) -> None:
    path = tmp_path / "new" / "sandbox.sqlite3"
    Database.open(path).close()
    Database.open(path).close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_a_file_of_another_schema_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE requests (id INTEGER PRIMARY KEY)")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match=r"another version of the sandbox.*--db"):
        Database.open(path)
