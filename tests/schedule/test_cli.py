"""The CLI surface of scheduled runs: `scan --config` usage errors, JSON logs, `history`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_cli

Write = Callable[..., Path]


def test_scan_without_provider_or_config_shows_help_and_exits_2() -> None:
    result = run_cli("scan")
    assert result.exit_code == 2
    assert "--config FILE" in result.stdout


def test_only_needs_config_and_config_excludes_a_provider(write_tenants: Write) -> None:
    result = run_cli("scan", "--only", "acme")
    assert result.exit_code == 2
    assert "--only, --processes and --broker need --config" in result.stderr
    path = write_tenants("clients:\n  - name: a\n    aws: {}\n")
    result = run_cli("scan", "--config", str(path), "aws")
    assert result.exit_code == 2 and "drop the provider name" in result.stderr
    result = run_cli("scan", "--processes", "2", "aws")  # not silently ignored
    assert result.exit_code == 2 and "drop the provider name" in result.stderr


def test_a_bad_targets_file_is_one_line_and_exit_2(write_tenants: Write) -> None:
    path = write_tenants(
        "clients:\n  - name: a\n    aws: {profile: x}\n    slack: {token: xoxb-9}\n"
    )
    result = run_cli("scan", "--config", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"residency: error: {path}:4: clients[0].slack.token: a literal secret is not allowed "
        "here; write a reference such as env:NAME or file:PATH (value not shown)\n"
    )


def test_json_logs_for_a_scheduled_run(moto: str, write_tenants: Write) -> None:
    path = write_tenants(
        f"clients:\n  - name: down\n    aws: {{endpoint_url: 'http://127.0.0.1:9', "
        f"max_attempts: 1}}\n  - name: up\n    aws: {{endpoint_url: '{moto}', "
        "max_attempts: 1, services: [s3]}\n"
    )
    result = run_cli("--log-format", "json", "scan", "--config", str(path))
    assert result.exit_code == 2
    entries = [json.loads(line) for line in result.stderr.splitlines()]
    assert entries and all(e["level"] == "error" for e in entries)
    assert entries[0]["message"].startswith("down/aws: ")


def test_history_lists_runs_and_reports_a_corrupt_database(
    moto: str, write_tenants: Write, tmp_path: Path
) -> None:
    path = write_tenants(
        f"clients:\n  - name: up\n    aws: {{endpoint_url: '{moto}', max_attempts: 1, "
        "services: [s3]}\n"
    )
    assert run_cli("scan", "--config", str(path)).exit_code == 0
    assert run_cli("scan", "--config", str(path)).exit_code == 0
    listing = run_cli("history", "--config", str(path))
    assert listing.exit_code == 0
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["RUN", "STARTED", "EXIT", "TARGETS", "INCOMPLETE", "FAILS"]
    assert len(lines) == 3 and lines[1].split()[2:] == ["0", "1", "0", "0"]
    db = tmp_path / "reports" / "history.sqlite"
    assert len(json.loads(run_cli("history", "--db", str(db), "--json").stdout)) == 2
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"x" * 4096)
    result = run_cli("history", "--db", str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"residency: error: history database {bad} is corrupt")
    assert run_cli("history").exit_code == 2


def test_history_never_creates_a_database(tmp_path: Path) -> None:
    typo = tmp_path / "typo.sqlite"
    result = run_cli("history", "--db", str(typo))
    assert (result.exit_code, result.stderr) == (
        2,
        f"residency: error: history database {typo} does not exist\n",
    )
    assert not typo.exists()
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    result = run_cli("history", "--db", str(empty))
    assert result.exit_code == 2 and "not a history database" in result.stderr
    assert empty.read_bytes() == b"" and sorted(p.name for p in tmp_path.iterdir()) == [
        "empty.sqlite"
    ]


def test_history_db_takes_a_secret_reference(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.history import open_history

    open_history(postgres_url).close()  # the scheduler made the tables
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HURL", postgres_url)
    result = run_cli("history", "--db", "env:HURL", "--json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])
    assert not (tmp_path / "env:HURL").exists()
    (tmp_path / "url").write_text(postgres_url + "\n")
    assert run_cli("history", "--db", "file:url", "--json").exit_code == 0
    monkeypatch.delenv("HURL")
    result = run_cli("history", "--db", "env:HURL")
    assert (result.exit_code, result.stderr) == (
        2,
        "residency: error: --db: environment variable HURL is not set or empty\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["url"]


def test_history_needs_no_client_credentials(write_tenants: Write) -> None:
    """Listing past runs reads the database only: the clients' secrets may live elsewhere."""
    path = write_tenants(
        "clients:\n  - name: a\n    slack: {token: env:RESIDENCY_TEST_UNSET_TOKEN}\n"
    )
    result = run_cli("history", "--config", str(path))
    assert "RESIDENCY_TEST_UNSET_TOKEN" not in result.stderr
    assert result.exit_code == 2 and "history" in result.stderr  # no database yet
