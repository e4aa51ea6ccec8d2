"""Bad input and hostile conditions: one clear line, the documented exit code, nothing lost."""

from __future__ import annotations

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
from reports.writer import ReportWriteError, write_all_atomic
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


def test_reports_follow_the_umask_not_mkstemp_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        (path,) = write_all_atomic([(tmp_path / "r.json", "{}")])
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


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
    import time

    process = subprocess.Popen(
        [sys.executable, "-m", "scanner", "demo", "--output-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(4)  # inside the sandbox start-up or the scan
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=3)  # not the many seconds in-flight calls take
    finally:
        process.kill()
    assert process.returncode == 130
    assert "interrupted; no report written" in stderr
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


def test_debug_never_turns_on_sdk_wire_logs() -> None:
    import logging

    from scanner.terminal import NOISY_LOGGERS, setup_logging

    setup_logging("text", verbose=2, debug=True)
    try:
        assert all(logging.getLogger(name).level >= logging.WARNING for name in NOISY_LOGGERS)
        assert logging.getLogger("residency").level == logging.DEBUG
    finally:
        setup_logging("text", verbose=0, debug=False)
