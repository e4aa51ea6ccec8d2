"""The history store contract, on SQLite and on a real PostgreSQL server, plus drift rules and
the failure modes of a locked or corrupt database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from core.models import finding_id
from scanner.history import HistoryError, HistoryStore, RunRecord, TargetRecord, diff, open_history


def finding(check: str, target: str, resource: str, status: str) -> dict[str, Any]:
    return {
        "id": finding_id(check, target, resource),
        "check_id": check,
        "target": target,
        "resource": resource,
        "resource_name": resource,
        "status": status,
        "severity": "high",
        "message": f"{resource} is {status}",
    }


def target(name: str, findings: list[dict[str, Any]], complete: bool = True) -> TargetRecord:
    return TargetRecord(
        target=name,
        client=name.split("/")[0],
        provider=name.split("/")[1],
        complete=complete,
        error=None,
        started_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:01:00+00:00",
        api_calls=7,
        coverage={"read": ["s3"], "gaps": [] if complete else [{"service": "s3"}]},
        findings=findings,
    )


def run(run_id: str, *targets: TargetRecord, code: int = 1) -> RunRecord:
    return RunRecord(
        run_id,
        "2026-01-01T00:00:00+00:00",
        "2026-01-01T00:02:00+00:00",
        "tenants.yaml",
        code,
        "0.1.0",
        list(targets),
    )


def document(findings: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "run": {"id": "now"},
        "summary": {"verdict": "fail"},
        "targets": [],
        "findings": findings,
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[HistoryStore]:
    if request.param == "sqlite":
        url = str(tmp_path / "history.sqlite")
    else:
        url = request.getfixturevalue("fresh_postgres")
    with open_history(url, timeout=1) as history:
        yield history


def test_baseline_is_the_last_complete_run_of_the_same_target(store: HistoryStore) -> None:
    t = "acme/aws"
    assert store.baseline(t) is None
    store.record(
        run(
            "r1",
            target(t, [finding("c", t, "b1", "fail")]),
            target("beta/aws", [finding("c", "beta/aws", "x", "pass")]),
        )
    )
    store.record(run("r2", target(t, [finding("c", t, "b1", "pass")], complete=False)))
    baseline = store.baseline(t)
    assert baseline is not None and baseline.run_id == "r1"  # r2 was incomplete
    assert [f["status"] for f in baseline.findings.values()] == ["fail"]
    assert store.baseline("beta/aws").run_id == "r1"
    assert [r.id for r in store.runs()] == ["r2", "r1"]
    r2, r1 = store.runs()
    assert (r1.targets, r1.incomplete, r1.fails, r1.exit_code) == (2, 0, 1, 1)
    assert (r2.targets, r2.incomplete, r2.fails) == (1, 1, 0)
    assert [r.id for r in store.runs(target="beta/aws")] == ["r1"]
    assert [r.id for r in store.runs(limit=1)] == ["r2"]


def test_first_seen_is_the_earliest_run_with_the_finding(store: HistoryStore) -> None:
    t = "acme/aws"
    b1, b2 = finding("c", t, "b1", "fail"), finding("c", t, "b2", "pass")
    store.record(replace(run("r1", target(t, [b1])), started_at="2026-01-01T00:00:00+00:00"))
    store.record(replace(run("r2", target(t, [b1, b2])), started_at="2026-02-01T00:00:00+00:00"))
    store.record(replace(run("r3", target(t, [b2])), started_at="2026-03-01T00:00:00+00:00"))
    assert store.first_seen(t) == {
        b1["id"]: "2026-01-01T00:00:00+00:00",
        b2["id"]: "2026-02-01T00:00:00+00:00",
    }
    assert store.first_seen("beta/aws") == {}


def test_a_run_is_recorded_all_or_nothing(store: HistoryStore) -> None:
    t = "acme/aws"
    store.record(run("r1", target(t, [])))
    with pytest.raises(HistoryError, match="cannot record the run"):
        store.record(run("r1", target(t, [finding("c", t, "b", "fail")])))  # duplicate run id
    assert [r.id for r in store.runs()] == ["r1"]
    assert store.baseline(t).findings == {}


def test_retention_keeps_each_targets_baseline(store: HistoryStore) -> None:
    t, u = "acme/aws", "acme/slack"
    store.record(run("old", target(t, [finding("c", t, "b", "fail")]), target(u, [])))
    store.record(run("new", target(t, [], complete=False)))
    later = (datetime.now(UTC) + timedelta(days=40)).isoformat()
    removed = store.prune(30, later)
    # "new" is too old now but holds nothing complete; "old" is still both targets' baseline
    assert removed == 1
    assert [r.id for r in store.runs()] == ["old"]
    assert store.baseline(t).run_id == "old"
    assert store.prune(30, datetime.now(UTC).isoformat()) == 0


def test_drift_new_regressed_resolved() -> None:
    from scanner.history import Baseline

    t = "acme/aws"
    before = {
        f["id"]: f
        for f in (
            finding("c", t, "fixed", "fail"),
            finding("c", t, "waived-until-yesterday", "muted"),
            finding("c", t, "still-bad", "fail"),
            finding("c", t, "deleted", "fail"),
        )
    }
    now = [
        finding("c", t, "fixed", "pass"),
        finding("c", t, "waived-until-yesterday", "fail"),
        finding("c", t, "still-bad", "fail"),
        finding("c", t, "brand-new", "fail"),
        finding("c", "other/aws", "not-mine", "fail"),
    ]
    drift = diff(t, Baseline("r1", "2026-01-01", before), document(now))
    assert [f["resource"] for f in drift.new] == ["brand-new"]
    assert [(f["resource"], f["previous_status"]) for f in drift.regressed] == [
        ("waived-until-yesterday", "muted")
    ]
    assert sorted((f["resource"], f["current_status"]) for f in drift.resolved) == [
        ("deleted", "gone"),
        ("fixed", "pass"),
    ]
    assert {f["resource"] for f in drift.alarming} == {"brand-new", "waived-until-yesterday"}
    first = diff(t, None, document(now))
    assert {f["resource"] for f in first.new} == {
        "waived-until-yesterday",
        "still-bad",
        "brand-new",
    }


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    open_history(f"sqlite:///{path}").close()
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_locked_database_is_a_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with open_history(str(path)) as history:
        history.record(run("r1", target("a/aws", [])))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with open_history(str(path), timeout=0.2) as history:
            assert history.baseline("a/aws").run_id == "r1"  # WAL: readers still read
            with pytest.raises(HistoryError) as info:
                history.record(run("r2", target("a/aws", [])))
        assert str(info.value) == (
            f"history database {path} is locked by another process "
            "(waited 0.2s to record the run in it); nothing was changed"
        )
    finally:
        other.execute("ROLLBACK")
        other.close()
    with open_history(str(path)) as history:
        assert [r.id for r in history.runs()] == ["r1"]


def test_a_corrupt_database_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    garbage = b"this is not a database at all\n" * 200
    path.write_bytes(garbage)
    with pytest.raises(HistoryError) as info:
        open_history(str(path))
    assert str(info.value) == (
        f"history database {path} is corrupt or not a history database (file is not a database); "
        "it was left untouched: move it aside to start a new history"
    )
    assert path.read_bytes() == garbage


def test_postgres_errors_never_show_the_password(postgres_url: str) -> None:
    url = postgres_url.replace("scanner@", "scanner:Sup3rSecret@").replace("/postgres", "/nodb")
    with pytest.raises(HistoryError) as info:
        open_history(url, timeout=2)
    message = str(info.value)
    assert message.startswith("history database postgresql://scanner@127.0.0.1:")
    assert "/nodb: cannot connect" in message and "Sup3rSecret" not in message


def test_postgres_errors_never_quote_libpq_text(postgres_url: str) -> None:
    """libpq echoes a password with a space back in its parse error; we never show that text."""
    url = postgres_url.replace("scanner@", "scanner:Sup3r Secret@")
    with pytest.raises(HistoryError) as info:
        open_history(url, timeout=2)
    assert "Secret" not in str(info.value)
    assert str(info.value) == (
        "history database postgresql://(unparsable URL): cannot connect (ProgrammingError)"
    )


def test_a_reader_opens_postgres_read_only(fresh_postgres: str) -> None:
    with pytest.raises(HistoryError) as info:
        open_history(fresh_postgres, timeout=2, create=False)
    assert str(info.value).endswith(
        ': cannot open it (UndefinedTable: relation "meta" does not exist)'
    )
    open_history(fresh_postgres, timeout=2).close()
    with open_history(fresh_postgres, timeout=2, create=False) as reader:
        assert reader.runs() == []
        with pytest.raises(HistoryError) as info:
            reader.record(run("r1", target("a/aws", [])))
    assert "(ReadOnlySqlTransaction: cannot execute INSERT in a read-only transaction)" in str(
        info.value
    )
