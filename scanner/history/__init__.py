"""Run history: every scheduled run's metadata, findings and coverage, and drift between runs.

SQLite (WAL) by default; PostgreSQL through the same interface when the URL says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from scanner.history.base import (
    Baseline,
    HistoryError,
    HistoryStore,
    RunRecord,
    RunSummary,
    TargetRecord,
)
from scanner.history.drift import Drift, diff

__all__ = [
    "Baseline",
    "Drift",
    "HistoryError",
    "HistoryStore",
    "RunRecord",
    "RunSummary",
    "TargetRecord",
    "diff",
    "open_history",
    "parse_url",
]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,30}):")
POSTGRES = ("postgresql", "postgres")
USAGE = "use a file path, sqlite:///PATH or postgresql://USER@HOST/DB"


def parse_url(url: str) -> tuple[str, str]:
    """``("postgresql", libpq URL)`` or ``("sqlite", path)``; anything else is refused without
    quoting it (a mistyped URL may well hold a password).

    ``postgresql+psycopg://`` (SQLAlchemy's spelling) is the same as ``postgresql://``. A value
    with ``://`` is always a URL, never a file name: a wrong scheme must not create a folder
    named after the URL and report the history as fine."""
    if "://" not in url:
        return "sqlite", url
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    rest = url[match.end() :] if match else ""
    if scheme.split("+", 1)[0] in POSTGRES and rest.startswith("//"):
        return "postgresql", f"postgresql:{rest}"
    if scheme == "sqlite" and rest.startswith("///") and len(rest) > 3:
        return "sqlite", rest[3:]
    raise HistoryError(f"history database: unsupported URL (not shown); {USAGE}")


def open_history(url: str, timeout: float = 5.0, *, create: bool = True) -> HistoryStore:
    """``postgresql://...`` -> PostgreSQL; ``sqlite:///PATH`` or a plain path -> SQLite file.

    ``create=False`` is for readers: the history must already exist and is opened read-only,
    so a mistyped path or URL is an error instead of a new, empty history."""
    kind, where = parse_url(url)
    if kind == "postgresql":
        from scanner.history.postgres import PostgresHistory

        return PostgresHistory.connect(where, timeout, create)
    from scanner.history.sqlite import SqliteHistory

    return SqliteHistory.connect(Path(where), timeout, create)
