"""`residency demo`: the simulated company scanned through the normal code path."""

from __future__ import annotations

import json
from pathlib import Path

from reports.json_format import validate
from tests.conftest import run_cli


def test_demo_shows_the_sample_company(tmp_path: Path) -> None:
    result = run_cli("demo", "--output-dir", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    document = json.loads((tmp_path / "report.json").read_text())
    validate(document)
    assert {t["provider"] for t in document["targets"]} == {"aws", "m365", "slack"}
    assert not [t["error"] for t in document["targets"] if t["error"]]
    storage = {
        f["resource_name"]: f
        for f in document["findings"]
        if f["check_id"] == "storage-outside-allowed" and f["provider"] == "aws"
    }
    assert storage["kn-crm-exports-legacy-us"]["status"] == "fail"  # us-east-1; waiver expired
    assert storage["kn-crm-exports-legacy-us"]["waiver"]["state"] == "expired"
    assert storage["kn-uk-support-tickets"]["jurisdiction"] == "adequate"  # London
    assert storage["kn-uk-support-tickets"]["status"] == "fail"  # GB not opted in
    assert storage["kn-ch-partner-exports"]["jurisdiction"] == "adequate"  # Zurich
    assert storage["kn-ch-partner-exports"]["status"] == "pass"  # CH opted in by the policy
    for eu_bucket in ("kn-call-recordings", "kn-chat-transcripts", "kn-crm-exports"):
        assert storage[eu_bucket]["status"] == "pass"
    replication = [
        f
        for f in document["findings"]
        if f["check_id"] == "replication-outside-allowed"
        and f["resource_name"].startswith("kn-chat-transcripts ->")
    ]
    assert [(f["status"], f["location"]) for f in replication] == [("fail", "aws:us-west-2")]
    failing = {f["check_id"] for f in document["findings"] if f["status"] == "fail"}
    assert {"slack-app-content-access", "m365-third-party-app-dpa"} <= failing
    assert "vendor-incident-readiness" in failing  # Slack's 96-hour window
    assert "vendor-certifications" in failing  # AWS's expired ISO 27001
    assert "kn-crm-exports-legacy-us" in result.stdout and "Verdict:" in result.stdout
    # severity ranks: recordings copied to the US > a UK bucket not opted in > plain HTTP in the EU
    severity = {(f["check_id"], f["resource_name"]): f["severity"] for f in document["findings"]}
    assert severity["storage-outside-allowed", "kn-connect-recordings-dr"] == "critical"
    assert severity["storage-outside-allowed", "kn-uk-support-tickets"] == "medium"
    assert severity["aws-s3-tls-only", "kn-crm-exports"] == "low"


def test_demo_states_breach_readiness_per_target(tmp_path: Path) -> None:
    assert run_cli("demo", "--output-dir", str(tmp_path)).exit_code == 0
    document = json.loads((tmp_path / "report.json").read_text())
    readiness = [f for f in document["findings"] if f["check_id"] == "breach-readiness"]
    assert sorted(f["provider"] for f in readiness) == ["aws", "m365", "slack"]
    assert all("72" in f["message"] for f in readiness)
    slack = next(f for f in readiness if f["provider"] == "slack")
    assert "96" in slack["message"]
