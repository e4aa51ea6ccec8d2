"""SQLite history: one file, WAL so readers (``residency history``) never block the nightly run.

A locked database is waited for up to ``timeout`` seconds, then reported; a corrupt one is
reported and left untouched (never recreated over the old data). Readers open the file
read-only and only if it exists, so a mistyped path is an error, not a new empty history.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from reports.writer import file_mode, make_dirs
from scanner.history.base import HistoryError
from scanner.history.sql import SqlHistory


class SqliteHistory(SqlHistory):
    def __init__(self, connection: sqlite3.Connection, location: str, timeout: float) -> None:
        super().__init__(connection, location)
        self.timeout = timeout

    @classmethod
    def connect(cls, path: Path, timeout: float = 5.0, create: bool = True) -> SqliteHistory:
        if create:
            try:
                make_dirs(path.parent)
                # Owner-only before SQLite opens it: its -wal and -shm files copy this mode.
                os.close(os.open(path, os.O_RDWR | os.O_CREAT, file_mode()))
            except OSError as exc:
                raise HistoryError(
                    f"history database {path}: cannot create it: {exc.strerror}"
                ) from None
        elif not path.is_file():
            raise HistoryError(f"history database {path} does not exist")
        target, uri = (path, False) if create else (f"file:{quote(str(path))}?mode=ro", True)
        try:
            connection = sqlite3.connect(target, timeout=timeout, check_same_thread=False, uri=uri)
        except sqlite3.Error as exc:
            raise HistoryError(f"history database {path}: cannot open: {exc}") from None
        return cls(connection, str(path), timeout).prepare(create)

    def create_schema(self) -> None:
        with self.errors("open"):
            self.connection.execute("PRAGMA journal_mode=WAL").fetchone()
        super().create_schema()

    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise HistoryError(
                    f"history database {self.location} is locked by another process "
                    f"(waited {self.timeout:g}s to {action} it); nothing was changed"
                ) from None
            if "malformed" in text or "not a database" in text or "no such table" in text:
                raise self._corrupt(text) from None
            raise HistoryError(
                f"history database {self.location}: cannot {action} it: {text}"
            ) from None
        except sqlite3.IntegrityError as exc:
            raise HistoryError(
                f"history database {self.location}: cannot {action} it: {exc}"
            ) from None
        except sqlite3.DatabaseError as exc:
            raise self._corrupt(str(exc)) from None

    def _corrupt(self, detail: str) -> HistoryError:
        return HistoryError(
            f"history database {self.location} is corrupt or not a history database ({detail}); "
            "it was left untouched: move it aside to start a new history"
        )

    def close(self) -> None:
        self.connection.close()
