"""PostgreSQL history through psycopg 3, for teams that keep run records in a shared server.

The URL usually holds a password, so it comes from a secret reference, and no message quotes
libpq's own text: that can echo the URL back, password and all (a space in the password is
enough). Messages name user, host, port and database, the error class and, for errors the
server raised, the server's own message (the server never sees the URL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.conninfo import conninfo_to_dict

from scanner.history.base import HistoryError
from scanner.history.sql import SqlHistory


def describe(url: str) -> str:
    """``postgresql://user@host:port/db`` without the password, for messages."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.Error:
        return "postgresql://(unparsable URL)"
    if "@" in str(info.get("host", "")) + str(info.get("dbname", "")):
        return "postgresql://(a URL with an unescaped @: write it as %40 in the password)"
    user = f"{info['user']}@" if info.get("user") else ""
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{user}{info.get('host', '')}{port}/{info.get('dbname', '')}"


def failure(location: str, action: str, exc: psycopg.Error) -> HistoryError:
    """The error class, plus the server's message when the server raised it; never libpq text."""
    server = (
        f": {exc.diag.message_primary}" if exc.diag.sqlstate and exc.diag.message_primary else ""
    )
    return HistoryError(
        f"history database {location}: cannot {action} ({type(exc).__name__}{server})"
    )


class PostgresHistory(SqlHistory):
    placeholder = "%s"

    @classmethod
    def connect(cls, url: str, timeout: float = 5.0, create: bool = True) -> PostgresHistory:
        location = describe(url)
        try:
            connection = psycopg.connect(
                url,
                connect_timeout=max(1, round(timeout)),
                options=f"-c lock_timeout={int(timeout * 1000)}",
            )
        except psycopg.Error as exc:
            raise failure(location, "connect", exc) from None
        connection.read_only = not create
        return cls(connection, location).prepare(create)

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except psycopg.errors.LockNotAvailable:
            raise HistoryError(
                f"history database {self.location} is locked by another session; nothing changed"
            ) from None
        except psycopg.Error as exc:
            raise failure(self.location, f"{action} it", exc) from None

    def close(self) -> None:
        self.connection.close()
