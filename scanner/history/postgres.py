"""PostgreSQL history through psycopg 3, for teams that keep run records in a shared server.

The URL usually holds a password, so it comes from a secret reference and messages name only
user, host, port and database.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict

from scanner.history.base import HistoryError
from scanner.history.sql import SqlHistory
from scanner.secrets import redact


def describe(url: str) -> str:
    """``postgresql://user@host:port/db`` without the password, for messages."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.Error:
        return "postgresql://(unparsable URL)"
    user = f"{info['user']}@" if info.get("user") else ""
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{user}{info.get('host', '')}{port}/{info.get('dbname', '')}"


class PostgresHistory(SqlHistory):
    placeholder = "%s"

    @classmethod
    def connect(cls, url: str, timeout: float = 5.0) -> PostgresHistory:
        location = describe(url)
        try:
            connection = psycopg.connect(
                url,
                connect_timeout=max(1, round(timeout)),
                options=f"-c lock_timeout={int(timeout * 1000)}",
            )
        except psycopg.Error as exc:
            detail = redact(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
            raise HistoryError(f"history database {location}: cannot connect: {detail}") from None
        store = cls(connection, location)
        try:
            store.create_schema()
        except HistoryError:
            connection.close()
            raise
        return store

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except psycopg.errors.LockNotAvailable:
            raise HistoryError(
                f"history database {self.location} is locked by another session; nothing changed"
            ) from None
        except psycopg.Error as exc:
            detail = redact(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
            raise HistoryError(
                f"history database {self.location}: cannot {action} it: {detail}"
            ) from None

    def close(self) -> None:
        self.connection.close()
