"""The sandbox's SQLite store of collected ``/ev1`` requests: the only module that speaks SQL.

One connection shared by the server's worker threads behind a lock; WAL journal.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    received_at TEXT NOT NULL,
    account TEXT NOT NULL,
    visitor TEXT NOT NULL,
    event_id TEXT UNIQUE,
    query TEXT NOT NULL,
    body TEXT NOT NULL,
    response TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_by_visitor ON requests (account, visitor, id);
"""

# A request counts as a page view unless its query says skipPageViews=true.
SKIP_PAGE_VIEWS = "skipPageViews"
_COUNTS_AS_PAGE_VIEW = f"coalesce(json_extract(query, '$.{SKIP_PAGE_VIEWS}'), '') != 'true'"


@dataclass(frozen=True)
class NewRequest:
    """An accepted ``/ev1`` request, before it is stored."""

    account: str
    visitor: str
    event_id: str | None
    query: dict[str, str]
    body: Any

    @property
    def counts_as_page_view(self) -> bool:
        return self.query.get(SKIP_PAGE_VIEWS) != "true"


@dataclass(frozen=True)
class VisitorHistory:
    """What is stored for a visitor before a new request: what its answer is computed from."""

    page_views: int
    last_response: dict[str, Any] | None


@dataclass(frozen=True)
class StoredRequest:
    """One stored request, as ``/api/requests`` lists it."""

    id: int
    received_at: str
    account: str
    visitor: str
    event_id: str | None
    query: dict[str, str]
    body: Any
    response: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "received_at": self.received_at,
            "account": self.account,
            "visitor": self.visitor,
            "event_id": self.event_id,
            "query": self.query,
            "body": self.body,
            "response": self.response,
        }


Answer = Callable[[VisitorHistory], dict[str, Any]]


class RequestStore:
    """Stores requests and answers; every method is blocking (call it off the event loop)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()

    @classmethod
    def open(cls, path: Path) -> RequestStore:
        """Open (creating the file, its parent directories and the table) the store at ``path``."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=5000")
            connection.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as error:
            raise RuntimeError(
                f"cannot open the sandbox database {path}: {error}; "
                "pass --db with a writable file path (it is created if missing)"
            ) from error
        return cls(connection)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def record(self, request: NewRequest, answer: Answer) -> tuple[dict[str, Any], bool]:
        """Store ``request`` with the response ``answer`` computes from the visitor's history.

        A request whose event id is already stored is not stored again: its stored response
        is returned. Returns the response and whether the request was stored now.
        """
        with self._lock:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                if request.event_id is not None:
                    row = connection.execute(
                        "SELECT response FROM requests WHERE event_id = ?", (request.event_id,)
                    ).fetchone()
                    if row is not None:
                        connection.execute("ROLLBACK")
                        return json.loads(row[0]), False
                response = answer(self._history(request.account, request.visitor))
                connection.execute(
                    "INSERT INTO requests"
                    " (received_at, account, visitor, event_id, query, body, response)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        _now(),
                        request.account,
                        request.visitor,
                        request.event_id,
                        json.dumps(request.query),
                        json.dumps(request.body),
                        json.dumps(response),
                    ),
                )
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
            return response, True

    def _history(self, account: str, visitor: str) -> VisitorHistory:
        (page_views,) = self._connection.execute(
            f"SELECT count(*) FROM requests WHERE account = ? AND visitor = ?"
            f" AND {_COUNTS_AS_PAGE_VIEW}",
            (account, visitor),
        ).fetchone()
        row = self._connection.execute(
            "SELECT response FROM requests WHERE account = ? AND visitor = ?"
            " ORDER BY id DESC LIMIT 1",
            (account, visitor),
        ).fetchone()
        return VisitorHistory(page_views, json.loads(row[0]) if row else None)

    def list(
        self, account: str | None = None, visitor: str | None = None, since: int | None = None
    ) -> list[StoredRequest]:
        """Stored requests, oldest first, optionally of one account/visitor, after id ``since``."""
        conditions: list[str] = []
        values: list[str | int] = []
        if account is not None:
            conditions.append("account = ?")
            values.append(account)
        if visitor is not None:
            conditions.append("visitor = ?")
            values.append(visitor)
        if since is not None:
            conditions.append("id > ?")
            values.append(since)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        with self._lock:
            rows = self._connection.execute(
                "SELECT id, received_at, account, visitor, event_id, query, body, response"
                f" FROM requests{where} ORDER BY id",
                values,
            ).fetchall()
        return [
            StoredRequest(
                id=row[0],
                received_at=row[1],
                account=row[2],
                visitor=row[3],
                event_id=row[4],
                query=json.loads(row[5]),
                body=json.loads(row[6]),
                response=json.loads(row[7]),
            )
            for row in rows
        ]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
