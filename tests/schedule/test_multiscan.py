"""`residency scan --config`: several clients against the sandboxes, end to end through the CLI.

Isolation (own targets, policy and folder per client; one failure recorded, the others finish),
drift against the history, alerts only on change, the lock, a broken history database, and the
disk filling up while a report is written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from connectors.base import Target
from reports.json_format import validate
from sandbox.aws import create_bucket, seed, seeding_client
from scanner.engines import Engine, Result
from scanner.lock import exclusive
from scanner.multiscan import MultiScan, run_targets_file
from scanner.targets import load_targets
from tests.conftest import run_cli
from tests.schedule.conftest import Receiver

BUCKETS = {
    "buckets": [
        {"name": "eu-recordings", "region": "eu-central-1"},
        {"name": "legacy-us", "region": "us-east-1"},
        {"name": "london", "region": "eu-west-2"},
    ]
}
Write = Callable[..., Path]
RESIDENCY = str(Path(sys.executable).with_name("residency"))


def aws(moto: str) -> dict[str, Any]:
    """S3 only: what these tests need (the full service list costs seconds per scan)."""
    return {"endpoint_url": moto, "max_attempts": 1, "services": ["s3"]}


def tenants(write: Write, clients: list[dict[str, Any]], **top: Any) -> Path:
    return write(yaml.safe_dump({"reports": {"dir": "out"}, **top, "clients": clients}))


def report(folder: Path) -> dict[str, Any]:
    document = json.loads((folder / "latest" / "report.json").read_text())
    validate(document)
    return document


def changes(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "latest" / "changes.json").read_text())


def attention(stdout: str) -> list[str]:
    """Our lines on stdout (moto's in-process server prints its own notes there too)."""
    return [line.split(" (report: ")[0] for line in stdout.splitlines() if " (report: " in line]


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {
        f["resource_name"]: f["status"]
        for f in document["findings"]
        if f["check_id"] == "storage-outside-allowed"
    }


def test_clients_are_isolated_and_a_failure_does_not_stop_the_others(
    moto: str, write_tenants: Write, tmp_path: Path
) -> None:
    seed(moto, BUCKETS)
    path = tenants(
        write_tenants,
        [
            {"name": "acme", "aws": aws(moto)},
            {"name": "beta", "aws": aws(moto), "policy": {"adequacy_countries": ["GB"]}},
            {"name": "broken", "aws": {"endpoint_url": "http://127.0.0.1:9", "max_attempts": 1}},
        ],
        concurrency=2,
    )
    result = run_cli("scan", "--config", str(path))
    assert result.exit_code == 2  # broken could not start; 2 beats 1
    out = tmp_path / "out"
    acme, beta, broken = report(out / "acme"), report(out / "beta"), report(out / "broken")
    assert [t["name"] for t in acme["targets"]] == ["acme/aws"]
    assert {f["target"] for f in acme["findings"]} == {"acme/aws"}
    assert [t["name"] for t in beta["targets"]] == ["beta/aws"]
    # each client's own policy: only beta accepts the UK's adequacy decision
    assert statuses(acme)["london"] == "fail" and statuses(beta)["london"] == "pass"
    assert (
        beta["policy"]["adequacy_countries"] == ["GB"]
        and acme["policy"]["adequacy_countries"] == []
    )
    assert broken["targets"][0]["error"] and broken["findings"] == []
    assert sorted(attention(result.stdout)) == [
        "acme: 2 new violation(s)",
        "beta: 1 new violation(s)",
        "broken: 1 incomplete target(s)",
    ]
    history = run_cli("history", "--config", str(path), "--json")
    assert history.exit_code == 0
    (run,) = json.loads(history.stdout)
    assert (run["targets"], run["incomplete"], run["fails"], run["exit_code"]) == (3, 1, 3, 2)


def test_drift_alerts_only_on_change_and_latest_follows(
    moto: str,
    write_tenants: Write,
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(moto, BUCKETS)
    monkeypatch.setenv("TEST_HOOK", f"{receiver.url}/hook")
    path = tenants(
        write_tenants, [{"name": "acme", "aws": aws(moto)}],
        notify=[{"type": "webhook", "url": "env:TEST_HOOK"}],
    )  # fmt: skip
    folder = tmp_path / "out" / "acme"

    first = run_cli("scan", "--config", str(path))
    assert first.exit_code == 1
    assert attention(first.stdout) == ["acme: 2 new violation(s)"]
    assert len(receiver.received) == 1
    assert {
        v["resource_name"] for v in receiver.received[0]["body"]["clients"][0]["new_violations"]
    } == {"legacy-us", "london"}

    again = run_cli("scan", "--config", str(path))
    assert (again.exit_code, attention(again.stdout), again.stderr) == (1, [], "")  # quiet
    assert len(receiver.received) == 1
    (drift,) = changes(folder)["targets"]
    assert (drift["new"], drift["regressed"], drift["resolved"]) == ([], [], [])
    assert (
        drift["baseline_run"]
        == json.loads(run_cli("history", "--config", str(path), "--json").stdout)[1]["id"]
    )

    create_bucket(moto, "new-virginia", "us-east-1")
    seeding_client("s3", moto, "us-east-1").delete_bucket(Bucket="london")
    third = run_cli("scan", "--config", str(path))
    assert attention(third.stdout) == ["acme: 1 new violation(s)"]
    (drift,) = changes(folder)["targets"]
    assert [f["resource_name"] for f in drift["new"]] == ["new-virginia"]
    assert [(f["resource_name"], f["current_status"]) for f in drift["resolved"]] == [
        ("london", "gone")
    ]
    alert = receiver.received[-1]["body"]
    assert [v["resource_name"] for v in alert["clients"][0]["new_violations"]] == ["new-virginia"]

    runs = sorted((folder / "runs").iterdir())
    assert len(runs) == 3
    assert (folder / "latest").resolve() == runs[-1].resolve()
    assert os.readlink(folder / "latest") == os.path.join("runs", runs[-1].name)


def test_the_transfer_register_says_when_each_place_was_first_seen(
    moto: str, write_tenants: Write, tmp_path: Path
) -> None:
    seed(moto, BUCKETS)
    path = tenants(
        write_tenants, [{"name": "acme", "aws": aws(moto)}],
        reports={"dir": "out", "formats": ["json", "csv"]},
    )  # fmt: skip
    folder = tmp_path / "out" / "acme"

    def register() -> dict[str, str]:
        text = (folder / "latest" / "report.csv").read_text(encoding="utf-8-sig")
        return {r["destination"]: r["first_seen"] for r in csv.DictReader(io.StringIO(text))}

    def started(newest: int) -> str:
        runs = json.loads(run_cli("history", "--config", str(path), "--json").stdout)
        return str(runs[newest]["started_at"])

    assert run_cli("scan", "--config", str(path)).exit_code == 1
    before = register()
    assert set(before) == {
        "Europe (Frankfurt) (aws:eu-central-1)",
        "US East (N. Virginia) (aws:us-east-1)",
        "Europe (London) (aws:eu-west-2)",
    }
    assert set(before.values()) == {started(0)}  # first seen now: the run is recorded too
    create_bucket(moto, "paris-exports", "eu-west-3")
    assert run_cli("scan", "--config", str(path)).exit_code == 1
    after = register()
    assert {k: v for k, v in after.items() if k in before} == {k: started(1) for k in before}
    assert after["Europe (Paris) (aws:eu-west-3)"] == started(0)  # new in the latest run


def test_an_expired_waiver_unmutes_and_alerts_in_a_scheduled_run(
    moto: str,
    write_tenants: Write,
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed(moto, {"buckets": [{"name": "legacy-us", "region": "us-east-1"}]})
    monkeypatch.setenv("TEST_HOOK", f"{receiver.url}/hook")
    waiver = {
        "check": "storage-outside-allowed", "resource": "aws:s3:::legacy-us",
        "reason": "CRM migration", "owner": "dpo@acme.example", "expires": "2026-06-30",
    }  # fmt: skip
    path = tenants(
        write_tenants,
        [{"name": "acme", "aws": aws(moto), "policy": {"waivers": [waiver]},
          "notify": [{"type": "slack", "url": "env:TEST_HOOK"}]}],
    )  # fmt: skip
    config = load_targets(path)
    folder = tmp_path / "out" / "acme"

    muted = run_targets_file(config, today=date(2026, 6, 30))
    assert statuses(report(folder))["legacy-us"] == "muted"
    assert muted.exit_code == 0 and receiver.received == []  # nothing needs attention

    expired = run_targets_file(config, today=date(2026, 7, 1))
    assert expired.exit_code == 1
    document = report(folder)
    (finding,) = [f for f in document["findings"] if f["resource_name"] == "legacy-us"]
    assert finding["status"] == "fail"
    assert (
        finding["waiver"]["state"] == "expired" and finding["waiver"]["owner"] == "dpo@acme.example"
    )
    assert "waiver by dpo@acme.example expired on 2026-06-30" in finding["message"]
    (drift,) = changes(folder)["targets"]
    assert [(f["resource_name"], f["previous_status"]) for f in drift["regressed"]] == [
        ("legacy-us", "muted")
    ]
    (alert,) = receiver.received
    assert (
        "[high] storage-outside-allowed: legacy-us (was muted)"
        in alert["body"]["blocks"][1]["text"]["text"]
    )


def test_a_second_run_while_the_lock_is_held_exits_2(
    moto: str, write_tenants: Write, tmp_path: Path
) -> None:
    path = tenants(write_tenants, [{"name": "acme", "aws": aws(moto)}])
    config = load_targets(path)
    with exclusive(config.lock_file):
        second = run_cli("scan", "--config", str(path))
    assert second.exit_code == 2
    assert second.stderr.startswith(
        f"residency: error: another run is in progress (lock {config.lock_file} held by pid "
        f"{os.getpid()} since "
    )
    assert second.stderr.rstrip().endswith("this run exits without scanning")
    assert not (tmp_path / "out" / "acme").exists()
    assert run_cli("scan", "--config", str(path)).exit_code == 0  # released


def test_a_corrupt_history_costs_no_report_and_no_data(
    moto: str, write_tenants: Write, tmp_path: Path
) -> None:
    seed(moto, BUCKETS)
    path = tenants(write_tenants, [{"name": "acme", "aws": aws(moto)}], history={"url": "h.db"})
    (tmp_path / "h.db").write_bytes(b"garbage" * 1000)
    result = run_cli("scan", "--config", str(path))
    assert result.exit_code == 2
    assert "h.db is corrupt or not a history database" in result.stderr
    assert (tmp_path / "h.db").read_bytes() == b"garbage" * 1000
    assert statuses(report(tmp_path / "out" / "acme"))["legacy-us"] == "fail"
    assert changes(tmp_path / "out" / "acme")["history"].startswith("history database ")


def test_a_locked_history_costs_no_report_and_no_data(
    moto: str, write_tenants: Write, tmp_path: Path
) -> None:
    seed(moto, BUCKETS)
    path = tenants(
        write_tenants, [{"name": "acme", "aws": aws(moto)}],
        history={"url": "h.db", "timeout": 0.2},
    )  # fmt: skip
    assert run_cli("scan", "--config", str(path)).exit_code == 1
    blocker = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        result = run_cli("scan", "--config", str(path))
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert result.exit_code == 2
    assert "h.db is locked by another process" in result.stderr
    assert len(list((tmp_path / "out" / "acme" / "runs").iterdir())) == 2
    history = json.loads(run_cli("history", "--config", str(path), "--json").stdout)
    assert len(history) == 1  # the first run is intact; the second is in its report folder


def _limit_file_size() -> None:
    """In the child only: files may not grow past 4 KiB (EFBIG, as on a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


def test_the_disk_filling_up_leaves_no_half_written_report(
    moto: str, write_tenants: Write, tmp_path: Path
) -> None:
    seed(moto, BUCKETS)
    path = tenants(write_tenants, [{"name": "acme", "aws": aws(moto)}])
    assert run_cli("scan", "--config", str(path), "--no-history").exit_code == 1
    folder = tmp_path / "out" / "acme"
    good = (folder / "latest").resolve()
    before = (good / "report.json").read_bytes()

    create_bucket(moto, "one-more", "eu-west-1")
    child = subprocess.run(
        [RESIDENCY, "scan", "--config", str(path), "--no-history"],
        capture_output=True, text=True, preexec_fn=_limit_file_size, env=os.environ,
        cwd=Path(__file__).parents[2], timeout=60, check=False,
    )  # fmt: skip
    assert child.returncode == 2, child.stderr
    assert "report.json: File too large" in child.stderr
    assert "Traceback" not in child.stderr
    assert (folder / "latest").resolve() == good  # still the last complete run
    assert (good / "report.json").read_bytes() == before
    assert [p.name for p in (folder / "runs").iterdir()] == [good.name]  # nothing half-written
    assert not list(folder.rglob("*.tmp"))


def test_a_report_that_cannot_be_written_is_said_so_and_still_recorded(
    moto: str, write_tenants: Write, tmp_path: Path, receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    seed(moto, BUCKETS)
    monkeypatch.setenv("TEST_HOOK", f"{receiver.url}/hook")
    path = tenants(
        write_tenants,
        [{"name": "acme", "aws": aws(moto)}, {"name": "beta", "aws": aws(moto)}],
        notify=[{"type": "webhook", "url": "env:TEST_HOOK"}],
    )
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "acme").write_text("a file where the report folder should be")
    result = run_cli("scan", "--config", str(path))
    assert result.exit_code == 2
    assert len(list((tmp_path / "out" / "beta" / "runs").iterdir())) == 1  # beta was written
    reason = (
        f"report not written: cannot write {tmp_path / 'out' / 'acme' / 'runs'}: "
        "Not a directory"  # the first folder that cannot be made
    )
    lines = sorted(line for line in result.stdout.splitlines() if line.startswith(("acme", "beta")))
    assert lines[0] == f"acme: 2 new violation(s), {reason}"
    assert lines[1].startswith("beta: 2 new violation(s) (report: ")
    assert "Traceback" not in result.stderr and "incomplete" not in result.stdout
    (alert,) = receiver.received
    acme = alert["body"]["clients"][0]
    assert (acme["incomplete"], acme["report"]) == ([], None)
    assert acme["report_error"] == reason
    history = json.loads(run_cli("history", "--config", str(path), "--json").stdout)
    assert (history[0]["targets"], history[0]["fails"]) == (2, 4)  # acme's results are kept


class _FinishedEngine(Engine):
    """Every target fails at once: all of a client's futures are done before the run looks."""

    def submit(self, target: Target) -> Future[Result]:
        future: Future[Result] = Future()
        future.set_result({"target": target.name, "provider": target.provider, "error": "no"})
        return future

    def close(self, cancel: bool = False) -> None:
        return None


def test_a_client_whose_targets_finish_together_is_reported_once(
    write_tenants: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_SLACK_TOKEN", "xoxb-unused")
    clients = [{"name": "acme", "aws": {"endpoint_url": "http://127.0.0.1:9"},
                "slack": {"token": "env:ACME_SLACK_TOKEN"}}]  # fmt: skip
    config = load_targets(tenants(write_tenants, clients))
    result = MultiScan(config, history=None, engine=_FinishedEngine).run()
    assert [c.client for c in result.clients] == ["acme"]
    assert len(result.clients[0].records) == 2
