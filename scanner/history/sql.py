"""The history store in portable SQL, shared by the SQLite and PostgreSQL back ends.

Statements are written with ``?`` placeholders; a back end with another paramstyle rewrites them.
Timestamps are ISO-8601 UTC strings with microseconds, so text order is time order.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from scanner.history.base import Baseline, HistoryError, HistoryStore, RunRecord, RunSummary

SCHEMA_VERSION = "1"
DDL = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS runs (
        id TEXT PRIMARY KEY, recorded_at TEXT NOT NULL, started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL, source TEXT NOT NULL, exit_code INTEGER NOT NULL,
        tool_version TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS target_runs (
        run_id TEXT NOT NULL, target TEXT NOT NULL, client TEXT NOT NULL,
        provider TEXT NOT NULL, complete INTEGER NOT NULL, error TEXT, started_at TEXT,
        finished_at TEXT, recorded_at TEXT NOT NULL, api_calls INTEGER NOT NULL,
        coverage TEXT NOT NULL, PRIMARY KEY (run_id, target))""",
    "CREATE INDEX IF NOT EXISTS target_runs_by_target ON target_runs (target, recorded_at)",
    """CREATE TABLE IF NOT EXISTS findings (
        run_id TEXT NOT NULL, target TEXT NOT NULL, finding_id TEXT NOT NULL,
        check_id TEXT NOT NULL, resource TEXT NOT NULL, resource_name TEXT NOT NULL,
        status TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL,
        PRIMARY KEY (run_id, target, finding_id))""",
)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class SqlHistory(HistoryStore):
    """History over a DB-API connection; subclasses open it and translate driver errors."""

    placeholder = "?"

    def __init__(self, connection: Any, location: str) -> None:
        self.connection = connection
        self.location = location

    # Subclasses wrap every database access in this, turning driver errors into HistoryError.
    @contextmanager
    def errors(self, action: str) -> Iterator[None]:
        yield

    def sql(self, statement: str) -> str:
        return statement.replace("?", self.placeholder) if self.placeholder != "?" else statement

    def execute(self, cursor: Any, statement: str, params: tuple[Any, ...] = ()) -> Any:
        cursor.execute(self.sql(statement), params)
        return cursor

    def prepare(self, create: bool) -> SqlHistory:
        """Make (``create``) or only check the tables; on failure close the connection, so a
        store is either usable or gone."""
        try:
            if create:
                self.create_schema()
            else:
                self.check_schema()
        except HistoryError:
            self.close()
            raise
        return self

    def check_schema(self) -> None:
        """Read-only opening: the database must already hold a history, never be made one."""
        with self.errors("open"), self.transaction() as cur:
            self.execute(cur, "SELECT value FROM meta WHERE key = ?", ("schema",)).fetchone()

    def create_schema(self) -> None:
        with self.errors("prepare"), self.transaction() as cur:
            for statement in DDL:
                self.execute(cur, statement)
            row = self.execute(cur, "SELECT value FROM meta WHERE key = ?", ("schema",)).fetchone()
            if row is None:
                self.execute(
                    cur, "INSERT INTO meta (key, value) VALUES (?, ?)", ("schema", SCHEMA_VERSION)
                )

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        cursor = self.connection.cursor()
        try:
            yield cursor
            self.connection.commit()
        except BaseException:
            self.connection.rollback()
            raise
        finally:
            cursor.close()

    def baseline(self, target: str) -> Baseline | None:
        with self.errors("read the baseline from"), self.transaction() as cur:
            row = self.execute(
                cur,
                "SELECT t.run_id, r.started_at FROM target_runs t JOIN runs r ON r.id = t.run_id "
                "WHERE t.target = ? AND t.complete = 1 ORDER BY t.recorded_at DESC LIMIT 1",
                (target,),
            ).fetchone()
            if row is None:
                return None
            rows = self.execute(
                cur,
                "SELECT finding_id, check_id, resource, resource_name, status, severity, message "
                "FROM findings WHERE run_id = ? AND target = ?",
                (row[0], target),
            ).fetchall()
        keys = ("id", "check_id", "resource", "resource_name", "status", "severity", "message")
        return Baseline(row[0], row[1], {r[0]: dict(zip(keys, r, strict=True)) for r in rows})

    def first_seen(self, target: str) -> dict[str, str]:
        with self.errors("read first sightings from"), self.transaction() as cur:
            rows = self.execute(
                cur,
                "SELECT f.finding_id, MIN(r.started_at) FROM findings f "
                "JOIN runs r ON r.id = f.run_id WHERE f.target = ? GROUP BY f.finding_id",
                (target,),
            ).fetchall()
        return {r[0]: r[1] for r in rows}

    def record(self, run: RunRecord) -> None:
        recorded = now_iso()
        with self.errors("record the run in"), self.transaction() as cur:
            self.execute(
                cur,
                "INSERT INTO runs (id, recorded_at, started_at, finished_at, source, exit_code, "
                "tool_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    run.id,
                    recorded,
                    run.started_at,
                    run.finished_at,
                    run.source,
                    run.exit_code,
                    run.tool_version,
                ),
            )
            for t in run.targets:
                self.execute(
                    cur,
                    "INSERT INTO target_runs (run_id, target, client, provider, complete, error, "
                    "started_at, finished_at, recorded_at, api_calls, coverage) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run.id,
                        t.target,
                        t.client,
                        t.provider,
                        int(t.complete),
                        t.error,
                        t.started_at,
                        t.finished_at,
                        recorded,
                        t.api_calls,
                        json.dumps(t.coverage),
                    ),
                )
                cur.executemany(
                    self.sql(
                        "INSERT INTO findings (run_id, target, finding_id, check_id, resource, "
                        "resource_name, status, severity, message) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    ),
                    [
                        (
                            run.id,
                            t.target,
                            f["id"],
                            f["check_id"],
                            f["resource"],
                            f["resource_name"],
                            f["status"],
                            f["severity"],
                            f["message"],
                        )
                        for f in t.findings
                    ],
                )

    def runs(self, limit: int = 20, target: str | None = None) -> list[RunSummary]:
        where, params = (
            ("WHERE r.id IN (SELECT run_id FROM target_runs WHERE target = ?)", (target,))
            if target
            else ("", ())
        )
        with self.errors("read"), self.transaction() as cur:
            rows = self.execute(
                cur,
                "SELECT r.id, r.started_at, r.finished_at, r.exit_code, r.source, "
                "(SELECT COUNT(*) FROM target_runs t WHERE t.run_id = r.id), "
                "(SELECT COUNT(*) FROM target_runs t WHERE t.run_id = r.id AND t.complete = 0), "
                "(SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id AND f.status = 'fail') "
                f"FROM runs r {where} ORDER BY r.recorded_at DESC LIMIT ?",
                (*params, limit),
            ).fetchall()
        return [
            RunSummary(
                id=r[0],
                started_at=r[1],
                finished_at=r[2],
                exit_code=r[3],
                source=r[4],
                targets=r[5],
                incomplete=r[6],
                fails=r[7],
            )
            for r in rows
        ]

    def prune(self, keep_days: int, now: str) -> int:
        cutoff = (datetime.fromisoformat(now) - timedelta(days=keep_days)).isoformat(
            timespec="microseconds"
        )
        with self.errors("prune"), self.transaction() as cur:
            old = self.execute(
                cur, "SELECT run_id, target FROM target_runs WHERE recorded_at < ?", (cutoff,)
            ).fetchall()
            keep = {
                tuple(r)
                for r in self.execute(
                    cur,
                    "SELECT t.run_id, t.target FROM target_runs t WHERE t.complete = 1 AND "
                    "t.recorded_at = (SELECT MAX(u.recorded_at) FROM target_runs u "
                    "WHERE u.target = t.target AND u.complete = 1)",
                ).fetchall()
            }
            doomed = [tuple(r) for r in old if tuple(r) not in keep]
            for statement in ("DELETE FROM findings", "DELETE FROM target_runs"):
                cur.executemany(self.sql(f"{statement} WHERE run_id = ? AND target = ?"), doomed)
            self.execute(
                cur,
                "DELETE FROM runs WHERE recorded_at < ? AND id NOT IN "
                "(SELECT run_id FROM target_runs)",
                (cutoff,),
            )
        return len(doomed)
