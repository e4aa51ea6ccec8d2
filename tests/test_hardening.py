"""Issue 15: what a cloud name, a config value or an odd exception can do to the user.

Each test here failed on the code before the hardening; the bad-input catalogue
(tests/test_bad_input_catalogue.py) holds the one-row cases.
"""

from __future__ import annotations

import io
import json
import os
import stat
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from rich.console import Console

from checks.engine import evaluate
from core.knowledge import default_kb
from core.models import Asset, Collection
from core.policy import Policy
from core.text import inert
from reports.registry import FORMATS
from reports.writer import write_all_atomic
from scanner.cli import friendly
from scanner.history import HistoryError, open_history, parse_url
from scanner.terminal import print_summary
from tests.conftest import run_cli
from tests.test_cli import EMPTY_EVIDENCE

SURROGATE = "bad\ud800name"
HOSTILE_TERMINAL = "x\x1b[2K\rPASS  \x1b]0;owned\x07"


def _bucket(name: str, location: str = "aws:us-east-1") -> Asset:
    return Asset(f"aws:s3:::{name}", "aws", "s3.bucket", name, location, ["unclassified"])


def _evidence(tmp_path: Path, *assets: Asset) -> Path:
    collection = Collection("acme", "aws", "2026-11-28T10:00:00+00:00", assets=list(assets))
    collection.identity = {"account_id": "123456789012", "services": ["s3"]}
    data = {**EMPTY_EVIDENCE, "collections": [collection.to_dict()]}
    path = tmp_path / "evidence.json"
    path.write_text(json.dumps(data))  # ensure_ascii: the surrogate travels as \ud800, as in JSON
    return path


# ----------------------------------------------------------------------------- 1 exceptions


def test_a_lone_surrogate_from_a_cloud_renders_in_every_format(tmp_path: Path) -> None:
    evidence = _evidence(tmp_path, _bucket(SURROGATE))
    args = [arg for name in sorted(FORMATS) for arg in ("--format", name)]
    result = run_cli("evaluate", str(evidence), *args, "--output-dir", str(tmp_path / "out"))
    assert result.exit_code == 1, result.stderr  # the US bucket fails; no crash, no "2"
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(written) == len(FORMATS) and not [n for n in written if n.endswith(".tmp")]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert {f["resource_name"] for f in report["findings"]} >= {"bad\ufffdname"}


def run_document(collection: Collection, findings: list) -> dict:
    from reports.document import build_document

    return build_document(
        collections=[collection],
        failures=[],
        findings=findings,
        kb_version="test",
        policy=Policy().summary(),
        started_at=collection.started_at,
        finished_at=collection.finished_at,
    )


def test_staged_files_are_removed_whatever_the_error(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        write_all_atomic([(tmp_path / "a.json", "{}"), (tmp_path / "b.md", SURROGATE)])
    assert list(tmp_path.iterdir()) == []


def test_an_unexpected_exception_is_one_line_and_exit_2_not_1() -> None:
    """Any exception that is not a ScannerError used to escape with a traceback and exit 1,
    which the README defines as "violations"."""

    @click.command()
    @friendly
    def crash() -> None:
        raise RuntimeError("unforeseen: token xoxb-1111-2222-abcdef\n\x1b]0;title\x07")

    result = CliRunner().invoke(crash, [])
    assert result.exit_code == 2
    assert result.stderr.startswith("residency: internal error: RuntimeError: unforeseen")
    assert result.stderr.count("\n") == 1 and "\x1b" not in result.stderr
    assert "Traceback" not in result.stderr and "xoxb-1111" not in result.stderr


# ----------------------------------------------------------------------------- 2 history URL


@pytest.mark.parametrize(
    ("url", "kind", "where"),
    [
        ("postgresql+psycopg://u:PW@db.example/h", "postgresql", "postgresql://u:PW@db.example/h"),
        ("postgres://db.example/h", "postgresql", "postgresql://db.example/h"),
        ("sqlite:///history.sqlite", "sqlite", "history.sqlite"),
        ("reports/history.sqlite", "sqlite", "reports/history.sqlite"),
    ],
)
def test_history_urls_are_parsed(url: str, kind: str, where: str) -> None:
    assert parse_url(url) == (kind, where)


@pytest.mark.parametrize(
    "url", ["mysql://u:SECRETPW@db/h", "sqlite://host/x", "u:SECRETPW@db/h://", "sqlite:///"]
)
def test_other_history_urls_are_refused_without_quoting_them(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(HistoryError) as error:
        open_history(url)
    assert "SECRETPW" not in str(error.value) and "unsupported URL (not shown)" in str(error.value)
    assert list(tmp_path.iterdir()) == []  # no folder named after the URL


def test_history_db_option_with_a_bad_scheme_is_refused_without_echo(tmp_path: Path) -> None:
    result = run_cli("history", "--db", "mysql://scanner:SECRETPW@db.example/h")
    assert result.exit_code == 2 and "SECRETPW" not in result.stderr + result.stdout


def test_a_postgres_password_never_reaches_the_error_line() -> None:
    with pytest.raises(HistoryError) as error:
        open_history("postgresql+psycopg://scanner:p@ssw0rd@127.0.0.1:9/h", timeout=1)
    assert "w0rd" not in str(error.value) and "cannot connect" in str(error.value)


# ----------------------------------------------------------------------------- 4 terminal


def test_the_terminal_table_prints_no_control_characters(tmp_path: Path) -> None:
    findings = evaluate(
        Collection("acme", "aws", "2026-11-28T10:00:00+00:00", assets=[_bucket(HOSTILE_TERMINAL)]),
        Policy(),
        default_kb(),
        date(2026, 11, 28),
    )
    collection = Collection("acme", "aws", "2026-11-28T10:00:00+00:00")
    buffer = io.StringIO()
    out = Console(file=buffer, color_system=None, width=200)
    print_summary(run_document(collection, findings), out, show_passes=True)
    table = buffer.getvalue()
    assert "\x1b" not in table and "\x07" not in table and "\r" not in table
    assert " ".join(inert(HOSTILE_TERMINAL).split())[:15] in table  # shown, inert, one line


# ----------------------------------------------------------------------------- 6 file modes


def test_the_history_database_is_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o002)
    try:
        with open_history(str(tmp_path / "h" / "history.sqlite")):
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "h" / "history.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "h").stat().st_mode) == 0o700


def test_evidence_written_by_collect_is_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = tmp_path / "o" / "deep" / "er"  # parents we create are owner-only too
        result = run_cli("evaluate", str(_evidence(tmp_path)), "--output-dir", str(out))
    finally:
        os.umask(old)
    assert result.exit_code == 0
    assert stat.S_IMODE((out / "report.json").stat().st_mode) == 0o600
    for folder in (tmp_path / "o", tmp_path / "o" / "deep", out):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


# ----------------------------------------------------------------------------- 8 fail-open


def test_cloudtrail_with_no_known_region_is_manual_not_pass() -> None:
    collection = Collection("acme", "aws", "2026-11-28T10:00:00+00:00")
    collection.identity = {"account_id": "123456789012", "regions": [], "services": ["cloudtrail"]}
    findings = evaluate(collection, Policy(), default_kb(), date(2026, 11, 28))
    (finding,) = [f for f in findings if f.check_id == "aws-cloudtrail-all-regions"]
    assert finding.status == "manual"


def test_waivers_match_the_immutable_id_unless_they_say_name(tmp_path: Path) -> None:
    """Anyone who can name a bucket `legacy-...` must not fall under a name-glob waiver."""
    path = tmp_path / "policy.yaml"
    waiver = "{check: storage-outside-allowed, resource: 'legacy-*', reason: r, owner: o, "
    path.write_text(f"version: 1\nwaivers:\n  - {waiver}expires: 2099-01-01}}\n")
    by_id = Policy.load(path)
    path.write_text(f"version: 1\nwaivers:\n  - {waiver}expires: 2099-01-01, match: name}}\n")
    by_name = Policy.load(path)
    evidence = Collection("a", "aws", "2026-11-28T10:00:00+00:00", assets=[_bucket("legacy-1")])

    def status(policy: Policy) -> str:
        (finding,) = [
            f
            for f in evaluate(evidence, policy, default_kb(), date(2026, 11, 28))
            if f.check_id == "storage-outside-allowed"
        ]
        return finding.status

    assert status(by_id) == "fail"
    assert status(by_name) == "muted"
