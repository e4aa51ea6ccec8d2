"""Run history: every scheduled run's metadata, findings and coverage, and drift between runs.

SQLite (WAL) by default; PostgreSQL through the same interface when the URL says so.
"""

from __future__ import annotations

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
]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_history(url: str, timeout: float = 5.0, *, create: bool = True) -> HistoryStore:
    """``postgresql://...`` -> PostgreSQL; ``sqlite:///PATH`` or a plain path -> SQLite file.

    ``create=False`` is for readers: the history must already exist and is opened read-only,
    so a mistyped path or URL is an error instead of a new, empty history."""
    if url.startswith(POSTGRES_SCHEMES):
        from scanner.history.postgres import PostgresHistory

        return PostgresHistory.connect(url, timeout, create)
    from scanner.history.sqlite import SqliteHistory

    path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url
    return SqliteHistory.connect(Path(path), timeout, create)
