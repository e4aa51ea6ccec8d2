"""The command line: bad input gets one clear line, the right exit code and no report file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reports.json_format import validate
from sandbox.aws import create_bucket, seed
from tests.conftest import run_cli


def test_no_credentials_exit_2_without_traceback_or_report(
    moto: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = run_cli(
        "scan", "aws", "--services", "s3", "--endpoint-url", moto, "--output-dir", str(tmp_path)
    )
    assert result.exit_code == 2
    assert "no AWS credentials found" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert list(tmp_path.iterdir()) == []


def test_unreachable_endpoint_exit_2(moto: str, tmp_path: Path) -> None:
    result = run_cli(
        "scan", "aws", "--endpoint-url", "http://127.0.0.1:9", "--max-attempts", "1",
        "--output-dir", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 2
    assert "cannot reach the AWS endpoint" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("regions", ["eu west 1", "EU-WEST-1", "eu-west-1,../etc"])
def test_malformed_region_code_exit_2(moto: str, tmp_path: Path, regions: str) -> None:
    result = run_cli(
        "scan",
        "aws",
        "--services",
        "s3",
        "--endpoint-url",
        moto,
        "--regions",
        regions,
        "--output-dir",
        str(tmp_path),
    )
    assert result.exit_code == 2
    assert "regions" in result.stderr and "does not match" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_policy_typo_names_file_and_line(moto: str, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\n# comment\nalowed_jurisdictions: [eu]\n")
    out = tmp_path / "out"
    result = run_cli(
        "scan",
        "aws",
        "--services",
        "s3",
        "--endpoint-url",
        moto,
        "--policy",
        str(policy),
        "--output-dir",
        str(out),
    )
    assert result.exit_code == 2
    assert f"{policy}:3:" in result.stderr
    assert "unknown key 'alowed_jurisdictions'" in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("version: 1\nallowed_jurisdictions: [eu, mars]\n", ":2:"),
        ("version: 1\nwaivers:\n  - check: x\n    resource: y\n", "is required"),
        ("version: 1\nvendors: [{id: aws, name: AWS, kind: processor, dpa_signed: 2024-13-01}]\n",
         "policy.yaml"),
        ("version: [1\n", "not valid YAML"),
    ],
)  # fmt: skip
def test_bad_policies_exit_2(tmp_path: Path, text: str, expected: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(text)
    evidence = tmp_path / "evidence.json"
    evidence.write_text(json.dumps(EMPTY_EVIDENCE))
    result = run_cli(
        "evaluate", str(evidence), "--policy", str(policy), "--output-dir", str(tmp_path / "o")
    )
    assert result.exit_code == 2, result.stderr
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


EMPTY_EVIDENCE = {
    "evidence_version": "1.0",
    "tool": {"name": "eu-residency-scanner", "version": "0"},
    "started_at": "2026-11-28T10:00:00+00:00",
    "finished_at": "2026-11-28T10:00:01+00:00",
    "collections": [],
    "failures": [],
}


def test_collect_then_evaluate_offline_gives_the_same_findings(moto: str, tmp_path: Path) -> None:
    seed(moto, {"buckets": [{"name": "a-bucket", "region": "us-east-2"}]})
    collected = run_cli(
        "collect",
        "aws",
        "--services",
        "s3",
        "--endpoint-url",
        moto,
        "--output-dir",
        str(tmp_path / "ev"),
    )
    assert collected.exit_code == 0, collected.stderr
    evidence = tmp_path / "ev" / "evidence.json"
    assert "sandbox" not in evidence.read_text().lower().replace("sandbox-http", "")
    online = run_cli(
        "scan",
        "aws",
        "--services",
        "s3",
        "--endpoint-url",
        moto,
        "--output-dir",
        str(tmp_path / "on"),
    )
    offline = run_cli("evaluate", str(evidence), "--output-dir", str(tmp_path / "off"))
    assert online.exit_code == offline.exit_code == 1
    docs = [json.loads((tmp_path / d / "report.json").read_text()) for d in ("on", "off")]
    for document in docs:
        validate(document)
    assert [(f["id"], f["status"]) for f in docs[0]["findings"]] == [
        (f["id"], f["status"]) for f in docs[1]["findings"]
    ]


def test_evaluate_rejects_a_file_that_is_not_evidence(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.json"
    bogus.write_text('{"hello": 1}')
    result = run_cli("evaluate", str(bogus), "--output-dir", str(tmp_path))
    assert result.exit_code == 2
    assert "not an evidence file" in result.stderr


def test_fail_on_threshold(moto: str, tmp_path: Path) -> None:
    create_bucket(moto, "us-bucket", "us-east-1")
    args = (
        "scan",
        "aws",
        "--services",
        "s3",
        "--endpoint-url",
        moto,
        "--output-dir",
        str(tmp_path),
    )
    assert run_cli(*args).exit_code == 1
    assert run_cli(*args, "--fail-on", "critical").exit_code == 0


def test_report_rerenders_a_saved_report(moto: str, tmp_path: Path) -> None:
    create_bucket(moto, "b-one", "eu-west-1")
    run_cli(
        "scan",
        "aws",
        "--services",
        "s3",
        "--endpoint-url",
        moto,
        "--output-dir",
        str(tmp_path / "a"),
    )
    result = run_cli(
        "report", str(tmp_path / "a" / "report.json"), "--output-dir", str(tmp_path / "b")
    )
    assert result.exit_code == 0
    assert json.loads((tmp_path / "b" / "report.json").read_text())["findings"]


def test_kb_lookup_text_and_json() -> None:
    text = run_cli("kb", "lookup", "aws:eu-west-2")
    assert text.exit_code == 0
    assert "United Kingdom" in text.stdout
    data = json.loads(run_cli("kb", "lookup", "m365:NAM", "--json").stdout)
    assert data["countries"] == ["US"] and data["jurisdiction"] == "third_country"
    assert data["sources"] and all(s["as_of"] for s in data["sources"])
    lookup_unknown = run_cli("kb", "lookup", "aws:xx-nowhere-9", "--json")
    assert lookup_unknown.exit_code == 2
    unknown = json.loads(lookup_unknown.stdout)
    assert unknown["jurisdiction"] == "unknown"
    assert lookup_unknown.stderr.strip() == (
        "residency: error: aws:xx-nowhere-9 is not in the knowledge base"
    )
    emea = run_cli("kb", "lookup", "entra:EU")  # known: a region whose country is open
    assert emea.exit_code == 0 and "EMEA" in emea.stdout and not emea.stderr


def test_checks_list_has_articles() -> None:
    checks = json.loads(run_cli("checks", "list", "--json").stdout)
    ids = {c["id"] for c in checks}
    assert {"storage-outside-allowed", "replication-outside-allowed", "scan-coverage"} <= ids
    assert all(c["articles"] for c in checks)


def test_permissions_aws_is_an_iam_read_policy() -> None:
    policy = json.loads(run_cli("permissions", "aws").stdout)["iam_policy"]
    actions = policy["Statement"][0]["Action"]
    assert "s3:GetReplicationConfiguration" in actions
    assert not [a for a in actions if a.split(":")[1].startswith(("Put", "Delete", "Create"))]


def test_help_does_not_import_heavy_sdks() -> None:
    code = (
        "import sys; from click.testing import CliRunner; from scanner.cli import main;"
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0;"
        "heavy = [m for m in ('msgraph', 'boto3', 'slack_sdk', 'moto') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_provider_and_format_are_usage_errors(tmp_path: Path) -> None:
    assert run_cli("scan", "gcp").exit_code == 2
    assert run_cli("permissions", "gcp").exit_code == 2
    assert run_cli("report", "x.json", "--format", "pdf").exit_code == 2


def test_duplicate_policy_key_is_refused_with_its_line(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nadequacy_countries: [GB]\nadequacy_countries: [CH]\n")
    evidence = tmp_path / "evidence.json"
    evidence.write_text(json.dumps(EMPTY_EVIDENCE))
    result = run_cli(
        "evaluate", str(evidence), "--policy", str(policy), "--output-dir", str(tmp_path)
    )
    assert result.exit_code == 2
    assert f"{policy}:3: not valid YAML: duplicate key 'adequacy_countries'" in result.stderr
