"""Bad input and hostile conditions: one clear line, the documented exit code, nothing lost."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path

import pytest

from checks.base import CheckMeta
from checks.engine import evaluate
from core.knowledge import default_kb
from core.models import Asset, Collection
from core.policy import Policy
from core.secrets import redact
from reports.writer import ReportWriteError, allow_group_access, write_all_atomic
from tests.conftest import run_cli
from tests.test_cli import EMPTY_EVIDENCE


def evidence_file(tmp_path: Path, data: object = EMPTY_EVIDENCE) -> Path:
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(data))
    return path


def test_literal_secret_on_the_command_line_is_refused_without_echo(tmp_path: Path) -> None:
    result = run_cli(
        "scan", "slack", "--token", "xoxb-LITERAL-SECRET1", "--output-dir", str(tmp_path)
    )
    assert result.exit_code == 2
    assert "must be a secret reference" in result.stderr
    assert "LITERAL-SECRET1" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ('cannot connect: "postgresql://scanner:PWSECRET2@db.example/residency"', "PWSECRET2"),
        ("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig", "eyJhbGciOiJSUzI1NiJ9"),
        ("invalid token xoxp-1111-2222-abcdef", "xoxp-1111"),
        ("client_secret=Zx8Q~abcdefghijklmnop", "Zx8Q~abc"),
        ("'body': {'ExternalId': 'zz-ExtId-Secret-9f8e7d'}", "zz-ExtId"),
        ("<SecretAccessKey>qiAa1234567890abcdef</SecretAccessKey>", "qiAa1234"),
        ("<SessionToken>FQoGZXIvYXdzEabc</SessionToken>", "FQoGZX"),
    ],
)
def test_redact_masks_secrets_and_keeps_prose(text: str, secret: str) -> None:
    assert secret not in redact(text)
    assert redact("the pre-obtained access token has expired") == (
        "the pre-obtained access token has expired"
    )


def test_output_dir_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    result = run_cli("evaluate", str(evidence_file(tmp_path)), "--output-dir", str(blocker / "sub"))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and "Not a directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_set_of_formats_is_replaced_together_or_not_at_all(tmp_path: Path) -> None:
    (tmp_path / "report.json").write_text("OLD")
    (tmp_path / "report.md").mkdir()
    with pytest.raises(ReportWriteError, match=r"report\.md"):
        write_all_atomic([(tmp_path / "report.json", "NEW"), (tmp_path / "report.md", "NEW")])
    assert (tmp_path / "report.json").read_text() == "OLD"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "report.md"]


def test_reports_are_owner_only_unless_group_access_is_asked_for(tmp_path: Path) -> None:
    """Reports hold personal data (user addresses, guest names): 0600 in a 0700 folder we
    create, even under a permissive umask; --group-access widens to 0640/0750."""
    old = os.umask(0o002)
    try:
        (path,) = write_all_atomic([(tmp_path / "new" / "r.json", "{}")])
        allow_group_access(True)
        (shared,) = write_all_atomic([(tmp_path / "shared" / "r.json", "{}")])
    finally:
        allow_group_access(False)
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640
    assert stat.S_IMODE(shared.parent.stat().st_mode) == 0o750


def test_debug_keeps_the_exit_code(tmp_path: Path) -> None:
    bogus = evidence_file(tmp_path, {"hello": 1})
    result = run_cli("--debug", "evaluate", str(bogus), "--output-dir", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "not an evidence file" in result.stderr


@pytest.mark.parametrize(
    "data",
    [
        {**EMPTY_EVIDENCE, "collections": ["not a collection"]},
        {**EMPTY_EVIDENCE, "collections": [{"target": "x"}]},
        {**EMPTY_EVIDENCE, "started_at": None, "collections": None},
    ],
)
def test_malformed_evidence_is_a_clear_error(tmp_path: Path, data: dict) -> None:
    result = run_cli("evaluate", str(evidence_file(tmp_path, data)), "--output-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "malformed evidence" in result.stderr
    assert not (tmp_path / "report.json").exists()


def test_files_that_are_not_utf8_are_clear_errors(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_bytes(b"\xff\xfe")
    result = run_cli(
        "evaluate",
        str(evidence_file(tmp_path)),
        "--policy",
        str(policy),
        "--output-dir",
        str(tmp_path),
    )
    assert result.exit_code == 2 and "not UTF-8" in result.stderr
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe")
    result = run_cli("evaluate", str(binary), "--output-dir", str(tmp_path))
    assert result.exit_code == 2 and "not UTF-8" in result.stderr


def test_a_crashing_check_becomes_an_error_finding_and_the_rest_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Evidence with a null where a mapping is expected must not stop the evaluation."""
    import checks.engine as engine

    broken = CheckMeta(
        "broken-check", "checks.storage_location", "A check that meets odd evidence", "low",
        ("5(2)",), "rationale here", "remediation here", ("*",), (),
    )  # fmt: skip

    def explode(ctx: object) -> list:
        raise AttributeError("'NoneType' object has no attribute 'get'")

    real_function, real_catalog = engine.check_function, engine.load_catalog()
    monkeypatch.setattr(engine, "load_catalog", lambda: (broken, *real_catalog))
    monkeypatch.setattr(
        engine,
        "check_function",
        lambda meta: explode if meta.id == "broken-check" else real_function(meta),
    )
    bucket = Asset("aws:s3:::b", "aws", "s3.bucket", "b", "aws:eu-west-1", ["unclassified"])
    evidence = Collection("acme", "aws", "2026-11-28T00:00:00+00:00", assets=[bucket])
    findings = evaluate(evidence, Policy(), default_kb())
    broken_findings = [f for f in findings if f.check_id == "broken-check"]
    assert [f.status for f in broken_findings] == ["error"]
    assert "AttributeError" in broken_findings[0].message
    assert any(f.check_id == "storage-outside-allowed" and f.status == "pass" for f in findings)


def test_kb_lookup_of_an_unknown_code_exits_2() -> None:
    result = run_cli("kb", "lookup", "aws:xx-nowhere-9")
    assert result.exit_code == 2
    assert "unknown" in result.stdout.lower()


def test_ctrl_c_stops_promptly_and_writes_nothing(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import threading

    process = subprocess.Popen(
        [sys.executable, "-m", "scanner", "--debug", "demo", "--output-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    scanning = threading.Event()

    def read_stderr() -> None:  # the readiness signal: the first API call of the scan
        for line in process.stderr:  # type: ignore[union-attr]
            lines.append(line)
            if line.startswith("DEBUG ") and " call " in line:
                scanning.set()
        scanning.set()  # the process ended before any call: the asserts below say so

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert scanning.wait(timeout=120), "the demo never started scanning"
        process.send_signal(signal.SIGINT)
        process.wait(timeout=5)  # not the many seconds in-flight calls with retries take
        reader.join(timeout=5)
    finally:
        process.kill()
    assert process.returncode == 130, "".join(lines[-5:])
    assert any("interrupted; no report written" in line for line in lines), "".join(lines[-5:])
    assert not list(tmp_path.glob("report*"))


def test_missing_options_are_named_as_options(tmp_path: Path) -> None:
    m365 = run_cli("scan", "m365", "--output-dir", str(tmp_path))
    assert m365.exit_code == 2 and "--tenant-id is required" in m365.stderr
    slack = run_cli("scan", "slack", "--output-dir", str(tmp_path))
    assert slack.exit_code == 2
    assert "needs at least one of --token | --user-token | --org-token" in slack.stderr


def test_bad_values_are_quoted_not_turned_into_option_names(tmp_path: Path) -> None:
    result = run_cli("scan", "aws", "--regions", "eu-west-1,nope", "--output-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "'nope' does not match" in result.stderr and "--nope" not in result.stderr


def test_debug_logs_only_the_scanners_own_lines(tmp_path: Path) -> None:
    """A real --debug run over the simulated clouds: no library's wire trace (httpcore logs
    request headers, bearer tokens included), only the scanner's own debug lines."""
    result = run_cli("--debug", "demo", "--no-summary", "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "DEBUG" in result.stderr  # --debug does log: the scanner's own calls
    for leak in ("send_request_headers", "Authorization", "authorization", "xoxb-", "httpcore"):
        assert leak not in result.stderr, leak


def test_ctrl_c_in_a_targets_file_run_says_which_reports_were_written(tmp_path: Path) -> None:
    """One client finishes (its report is published), the other waits on a server that never
    answers: Ctrl-C must not wait for it, and must not claim that no report was written."""
    import signal
    import socket
    import subprocess
    import sys

    silent = socket.socket()  # accepts connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, not listening: connection refused at once
    (tmp_path / "tenants.yaml").write_text(
        "version: 1\nhistory: {enabled: false}\nclients:\n"
        "  - name: fast\n"
        "    aws: {regions: [eu-west-1], services: [s3], max_attempts: 1,"
        f" endpoint_url: 'http://127.0.0.1:{closed.getsockname()[1]}'}}\n"
        "  - name: slow\n"
        "    slack: {token: env:SLOW_SLACK_TOKEN,"
        f" api_url: 'http://127.0.0.1:{silent.getsockname()[1]}/api/'}}\n"
    )
    env = {
        **os.environ,
        "SLOW_SLACK_TOKEN": "xoxb-1111-2222-slowslowslow",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "scanner", "scan", "--config", str(tmp_path / "tenants.yaml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        latest = tmp_path / "reports" / "fast" / "latest" / "report.json"
        silent.settimeout(120)
        silent.accept()  # the slow client's call is in flight...
        while not latest.exists() and process.poll() is None:  # ...and the readiness signal:
            silent.settimeout(0.2)  # the fast client's published report
            with contextlib.suppress(TimeoutError):
                silent.accept()
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)  # not the 30 s the slow call may take
    finally:
        process.kill()
        silent.close()
        closed.close()
    assert process.returncode == 130, stderr
    assert "interrupted; reports written for fast; no report for the other clients" in stderr
    assert not (tmp_path / "reports" / "slow" / "latest").exists()
