"""Vendor register: each rule with a violating and a clean case, and bad register input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from checks.engine import evaluate
from core.errors import ConfigError
from core.knowledge import default_kb
from core.models import Asset, Collection
from core.policy import Policy
from tests.conftest import run_cli
from tests.test_cli import EMPTY_EVIDENCE

KB = default_kb()
TODAY = date(2026, 11, 28)
TERMS = """
    dpa_terms:
      data_location: {value: true, reference: s1}
      security_measures: {value: true, reference: s2}
      incident_notification_hours: {value: HOURS, reference: s3}
      audit_right: {value: true}
      deletion_or_return: {value: true}
      subject_matter_duration: {value: true}
      nature_purpose: {value: true}
      data_types_subjects: {value: true}
      controller_obligations: {value: true}
      documented_instructions: {value: true}
      confidentiality: {value: true}
      subprocessor_conditions: {value: true}
      data_subject_rights: {value: true}
      assistance_32_36: {value: true}
      subprocessor_list: {value: true}
      subprocessor_notice: {value: true}
"""
CLEAN = """version: 1
vendors:
  - id: aws
    name: Amazon Web Services
    kind: processor
    dpa_signed: 2024-01-01
    transfer_tool: scc
    scc_module: 2
    tia_date: 2024-02-01
    review_date: 2027-06-01
    certifications:
      - {standard: ISO 27001, issuer: X, issuer_accredited: true, scope: Amazon Web Services,
         expires: 2027-01-01}
    incident_contact: {email: sec@aws.example, available_24_7: true}
""" + TERMS.replace("HOURS", "48")


def results(tmp_path: Path, text: str, *assets: Asset) -> dict[str, tuple[str, str]]:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    evidence = Collection(
        "acme",
        "aws",
        "2026-11-28T00:00:00+00:00",
        identity={"processor": "aws"},
        assets=list(assets),
    )
    findings = evaluate(evidence, Policy.load(path), KB, TODAY)
    return {f.check_id: (f.status, f.message) for f in findings if f.check_id.startswith("vendor-")}


def test_clean_register_passes(tmp_path: Path) -> None:
    found = results(tmp_path, CLEAN)
    assert {k: v[0] for k, v in found.items()} == {
        "vendor-dpa": "pass",
        "vendor-certifications": "pass",
        "vendor-incident-readiness": "pass",
        "vendor-review": "pass",
    }


@pytest.mark.parametrize(
    ("change", "check", "status", "words"),
    [
        (("    dpa_signed: 2024-01-01\n", ""), "vendor-dpa", "fail", "no signed"),
        (("      audit_right: {value: true}\n", ""), "vendor-dpa", "warn", "(Art. 28(3)(h))"),
        (("expires: 2027-01-01", "expires: 2026-06-30"), "vendor-certifications", "fail", "expir"),
        (("{value: 48,", "{value: 96,"), "vendor-incident-readiness", "fail", "96 h"),
        (("_24_7: true", "_24_7: false"), "vendor-incident-readiness", "manual", "24/7"),
        (("review_date: 2027-06-01", "review_date: 2026-01-01"), "vendor-review", "warn", "due"),
        (("    tia_date: 2024-02-01\n", ""), "vendor-review", "warn", "TIA"),
        (("transfer_tool: scc", "transfer_tool: dpf"), "vendor-review", "warn", "C-703/25 P"),
    ],
)  # fmt: skip
def test_each_rule_catches_its_violation(
    tmp_path: Path, change: tuple[str, str], check: str, status: str, words: str
) -> None:
    assert change[0] in CLEAN
    found = results(tmp_path, CLEAN.replace(*change))
    assert found[check][0] == status
    assert words in found[check][1]


def test_provider_without_entry_falls_back_to_knowledge_base(tmp_path: Path) -> None:
    found = results(tmp_path, "version: 1\n")
    assert found["vendor-dpa"][0] == "pass" and "terms" in found["vendor-dpa"][1]
    assert found["vendor-certifications"][0] == "pass"
    assert "provider-published" in found["vendor-certifications"][1]
    assert "vendor-review" not in found


def test_app_found_by_a_connector_is_matched_by_alias(tmp_path: Path) -> None:
    text = CLEAN + "  - {id: transcribe, name: TranscribeIt, kind: app, aliases: [A0TRANS]}\n"
    app = Asset(
        "slack:app:A0TRANS", "slack", "app", "Transcriber", None, attributes={"app_id": "A0TRANS"}
    )
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    evidence = Collection("acme", "slack", "2026-11-28T00:00:00+00:00", assets=[app])
    findings = evaluate(evidence, Policy.load(path), KB, TODAY)
    dpa = [f for f in findings if f.check_id == "vendor-dpa"]
    assert [(f.resource, f.status) for f in dpa] == [("vendor:transcribe", "fail")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (CLEAN + "  - {id: aws, name: Other, kind: processor}\n", "duplicate vendor 'aws'"),
        (CLEAN.replace("dpa_signed: 2024-01-01", "dpa_signed: 01-01-2024"), "dpa_signed"),
        (CLEAN.replace("expires: 2027-01-01", "expires: 2023-01-01"), "before the DPA signing"),
        (CLEAN.replace("review_date: 2027-06-01", "review_date: 2023-06-01"), "review date"),
        (CLEAN + "  - {id: x, name: X, kind: processor, extends: oracle}\n", "extends"),
    ],
)
def test_bad_register_entries_name_file_and_line(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        Policy.load(path)
    message = str(error.value)
    assert message.startswith(f"{path}:") and words in message
    assert message.split(":")[1].isdigit()


OWN = CLEAN.replace(
    "vendors:", "own_apps:\n  - {provider: slack, app_id: A0DIGEST, owner: Ops}\nvendors:"
)


def test_own_apps_are_read_from_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(OWN)
    [own] = Policy.load(path).own_apps
    assert (own.provider, own.app_id, own.owner) == ("slack", "A0DIGEST", "Ops")


@pytest.mark.parametrize(
    ("entry", "line", "words"),
    [
        ("{provider: slack, app_id: A0X}", 4, "own_apps.1: 'owner' is required"),
        ("{provider: slack, owner: Ops}", 4, "app_id' | 'name"),
        ("{provider: teams, app_id: A0X, owner: Ops}", 4, "own_apps.1.provider"),
        ("{provider: slack, app_id: a0digest, owner: Ops}", 4, "already declared in own_apps.0"),
    ],
)
def test_a_bad_own_app_names_file_and_line_and_exits_2(
    tmp_path: Path, entry: str, line: int, words: str
) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(OWN.replace("vendors:", f"  - {entry}\nvendors:"))
    with pytest.raises(ConfigError) as error:
        Policy.load(path)
    assert str(error.value).startswith(f"{path}:{line}:") and words in str(error.value)
    evidence = tmp_path / "evidence.json"
    evidence.write_text(json.dumps(EMPTY_EVIDENCE))
    result = run_cli(
        "evaluate", str(evidence), "--policy", str(path), "--output-dir", str(tmp_path)
    )
    assert result.exit_code == 2 and f"{path}:{line}:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
