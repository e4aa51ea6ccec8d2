"""`residency demo`: the simulated company scanned through the normal code path."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from reports import html
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
    certifications = {
        f["resource"]: f for f in document["findings"] if f["check_id"] == "vendor-certifications"
    }
    assert certifications["vendor:aws"]["status"] == "fail"
    assert "ISO/IEC 27001 (expired 2026-06-30)" in certifications["vendor:aws"]["message"]
    microsoft = certifications["vendor:microsoft"]  # no register entry: published certificates
    assert microsoft["status"] == "pass" and "provider-published" in microsoft["message"]
    assert all(h["source"] and h["as_of"] for h in microsoft["evidence"]["held"])
    assert "kn-crm-exports-legacy-us" in result.stdout and "Verdict:" in result.stdout
    # severity ranks: recordings copied to the US > a UK bucket not opted in > plain HTTP in the EU
    severity = {(f["check_id"], f["resource_name"]): f["severity"] for f in document["findings"]}
    assert severity["storage-outside-allowed", "kn-connect-recordings-dr"] == "critical"
    assert severity["storage-outside-allowed", "kn-uk-support-tickets"] == "medium"
    assert severity["aws-s3-tls-only", "kn-crm-exports"] == "low"


def test_demo_shows_who_else_can_read_aws_data(tmp_path: Path) -> None:
    result = run_cli("demo", "--output-dir", str(tmp_path), "--format", "html", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "report.html").read_text()
    blob = re.search(r'data-page-size="\d+">([A-Za-z0-9+/=]+)</script>', page)
    assert blob is not None
    payload = html.decode_payload(blob.group(1))
    rules = [rule["id"] for rule in payload["rules"]]
    shown = {  # rows: id, rule, target, provider, resource, name, status, ...
        row[5]: row[6]
        for row in payload["rows"]
        if rules[row[1]] in ("aws-public-access", "aws-cross-account-access")
    }
    assert shown == {
        "kn-transcription-exchange -> account 210987654321": "pass",  # VoxScript, registered
        "kn-crm-exports-partner -> account 555566667777": "fail",  # nobody can name it
        "kn-crm-db-snapshot -> anyone (public)": "fail",
    }
    text = (tmp_path / "report.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    grants = {r["resources"]: r for r in rows if r["entry"] == "disclosure"}
    assert set(grants) == set(shown)  # the register lists each disclosure once
    vendor = grants["kn-transcription-exchange -> account 210987654321"]
    assert (vendor["recipient"], vendor["country"]) == ("VoxScript GmbH", "DE")
    assert vendor["transfer_tool"] == "not needed (EU/EEA)"
    public = grants["kn-crm-db-snapshot -> anyone (public)"]
    assert (public["recipient"], public["verdict"]) == ("anyone (public)", "fail")
    assert public["transfer_tool"] == "unknown (location unknown)"


def test_demo_states_breach_readiness_per_target(tmp_path: Path) -> None:
    assert run_cli("demo", "--output-dir", str(tmp_path)).exit_code == 0
    document = json.loads((tmp_path / "report.json").read_text())
    readiness = [f for f in document["findings"] if f["check_id"] == "breach-readiness"]
    assert sorted(f["provider"] for f in readiness) == ["aws", "m365", "slack"]
    assert all("72" in f["message"] for f in readiness)
    slack = next(f for f in readiness if f["provider"] == "slack")
    assert "96" in slack["message"]
