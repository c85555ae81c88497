"""The sandbox's SQLite database: the only module that speaks SQL.

WAL journal with ``synchronous=NORMAL``: a committed transaction is in the WAL file before the
commit returns, so it survives the server process being killed (not a power cut), and no commit
waits for an fsync. One connection writes (the recorder's thread, see ``recorder.py``); reads use a
second connection, so listing requests never waits for a write.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nosto_tagging.core.decoder import decode_request
from nosto_tagging.sandbox.visitors import VisitorState

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    account TEXT NOT NULL,
    visitor TEXT NOT NULL,
    event_id TEXT UNIQUE,
    query TEXT NOT NULL,
    body TEXT NOT NULL,
    response TEXT NOT NULL,
    page_type TEXT,
    warnings TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS requests_by_visitor ON requests (account, visitor, id);
CREATE TABLE IF NOT EXISTS visitors (
    account TEXT NOT NULL,
    visitor TEXT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY (account, visitor)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    count INTEGER NOT NULL
) WITHOUT ROWID;
"""
_COLUMNS = "id, received_at, account, visitor, event_id, query, body, response, page_type, warnings"
MAX_LIST = 10_000


def dumps(value: Any) -> str:
    """Compact JSON, ASCII only: lone surrogates from ``\\ud800`` escapes stay escaped."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True)
class StoredRequest:
    """One stored request, as ``/api/requests`` lists it."""

    id: int
    received_at: str
    account: str
    visitor: str
    event_id: str | None
    page_type: str | None
    query: dict[str, str]
    body: Any
    response: dict[str, Any]
    warnings: list[dict[str, str]]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "received_at": self.received_at,
            "account": self.account,
            "visitor": self.visitor,
            "event_id": self.event_id,
            "page_type": self.page_type,
            "query": self.query,
            "body": self.body,
            "response": self.response,
            "warnings": self.warnings,
            "decoded": decode_request(self.body, self.response)
            if isinstance(self.body, dict)
            else [],  # what the viewer shows
        }


@dataclass(frozen=True)
class Filters:
    """Which stored requests to list: every given field must match; ``since`` is exclusive."""

    account: str | None = None
    visitor: str | None = None
    page_type: str | None = None
    since: int | None = None
    limit: int = MAX_LIST
    tail: bool = False  # the newest ``limit`` instead of the oldest


class Database:
    """The open database: a write connection for the recorder and a locked read connection."""

    def __init__(self, writer: sqlite3.Connection, reader: sqlite3.Connection) -> None:
        self.writer = writer
        self._reader = reader
        self._read_lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> Database:
        """Open (creating the file, its directories and the tables) the database at ``path``."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            writer = _connect(path)
            writer.execute("PRAGMA journal_mode=WAL")
            _create(writer)
            reader = _connect(path)
        except (OSError, sqlite3.Error) as error:
            raise RuntimeError(
                f"cannot open the sandbox database {path}: {error}; "
                "pass --db with a writable file path (it is created if missing), "
                "or delete the file to start afresh"
            ) from error
        return cls(writer, reader)

    def close(self) -> None:
        with self._read_lock:
            self._reader.close()
        self.writer.close()

    # Writing: called only from the recorder's thread, inside :meth:`transaction`.

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back if the block raises."""
        self.writer.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.writer.execute("ROLLBACK")
            raise
        self.writer.execute("COMMIT")

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """One request's writes inside a batch: undone alone if the block raises."""
        self.writer.execute("SAVEPOINT one")
        try:
            yield
        except BaseException:
            self.writer.execute("ROLLBACK TO one")
            self.writer.execute("RELEASE one")
            raise
        self.writer.execute("RELEASE one")

    def next_request_id(self) -> int:
        (last,) = self.writer.execute("SELECT coalesce(max(id), 0) FROM requests").fetchone()
        return int(last) + 1

    def stored_response(self, event_id: str) -> str | None:
        row = self.writer.execute(
            "SELECT response FROM requests WHERE event_id = ?", (event_id,)
        ).fetchone()
        return row[0] if row else None

    def load_visitor(self, account: str, visitor: str) -> VisitorState | None:
        row = self.writer.execute(
            "SELECT state FROM visitors WHERE account = ? AND visitor = ?", (account, visitor)
        ).fetchone()
        return VisitorState.from_json(json.loads(row[0])) if row else None

    def insert_request(self, request: StoredRequest, *, body_text: str, response_text: str) -> None:
        """Store ``request``, its body and response as the very texts received and answered."""
        self.writer.execute(
            f"INSERT INTO requests ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                request.id,
                request.received_at,
                request.account,
                request.visitor,
                request.event_id,
                dumps(request.query),
                body_text,
                response_text,
                request.page_type,
                dumps(request.warnings),
            ),
        )

    def save_visitor(self, state: VisitorState) -> int:
        """Store ``state``; the length of its JSON (what the recorder's cache counts)."""
        text = dumps(state.as_json())
        self.writer.execute(
            "INSERT INTO visitors (account, visitor, state) VALUES (?, ?, ?)"
            " ON CONFLICT (account, visitor) DO UPDATE SET state = excluded.state",
            (state.account, state.visitor, text),
        )
        return len(text)

    def add_counts(self, counts: dict[str, int]) -> None:
        self.writer.executemany(
            "INSERT INTO counters (name, count) VALUES (?, ?)"
            " ON CONFLICT (name) DO UPDATE SET count = count + excluded.count",
            list(counts.items()),
        )

    # Reading: any thread.

    def list_requests(self, filters: Filters) -> list[StoredRequest]:
        """Stored requests matching ``filters``, oldest first."""
        conditions: list[str] = []
        values: list[str | int] = []
        for column in ("account", "visitor", "page_type"):
            value = getattr(filters, column)
            if value is not None:
                conditions.append(f"{column} = ?")
                values.append(value)
        if filters.since is not None:
            conditions.append("id > ?")
            values.append(filters.since)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        order = "DESC" if filters.tail else "ASC"
        with self._read_lock:
            rows = self._reader.execute(
                f"SELECT {_COLUMNS} FROM requests{where} ORDER BY id {order} LIMIT ?",
                [*values, min(filters.limit, MAX_LIST)],
            ).fetchall()
        stored = [_stored(row) for row in rows]
        return stored[::-1] if filters.tail else stored

    def visitor_states(self, visitor: str, account: str | None = None) -> list[VisitorState]:
        query = "SELECT state FROM visitors WHERE visitor = ?"
        values = [visitor]
        if account is not None:
            query += " AND account = ?"
            values.append(account)
        with self._read_lock:
            rows = self._reader.execute(query + " ORDER BY account", values).fetchall()
        return [VisitorState.from_json(json.loads(row[0])) for row in rows]

    def counts(self) -> dict[str, int]:
        with self._read_lock:
            rows = self._reader.execute("SELECT name, count FROM counters").fetchall()
            (visitors,) = self._reader.execute("SELECT count(*) FROM visitors").fetchone()
        counts = {name: int(count) for name, count in rows}
        counts["visitors"] = int(visitors)
        return counts


def _connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA busy_timeout=5000")
    return connection


def _create(connection: sqlite3.Connection) -> None:
    """Create the tables, or check that an existing file has this sandbox's schema."""
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    has_tables = connection.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'requests'"
    ).fetchone()[0]
    if has_tables and version != SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            f"it was written by another version of the sandbox (schema {version}, this one "
            f"writes {SCHEMA_VERSION})"
        )
    connection.executescript(SCHEMA)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _stored(row: tuple[Any, ...]) -> StoredRequest:
    page_type = row[8]
    return StoredRequest(
        id=row[0],
        received_at=row[1],
        account=row[2],
        visitor=row[3],
        event_id=row[4],
        query=json.loads(row[5]),
        body=json.loads(row[6]),
        response=json.loads(row[7]),
        page_type=page_type if isinstance(page_type, str) else None,
        warnings=json.loads(row[9]),
    )
