"""Vendor certifications: required standards, validity, scope, accreditation, ISO 26000, and the
providers' published certifications when the register has none."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checks.engine import evaluate
from core.errors import ConfigError
from core.knowledge import KnowledgeBase, default_kb
from core.knowledge.loader import DATA_DIR
from core.models import Collection
from core.policy import Policy

KB = default_kb()
TODAY = date(2026, 11, 28)
CERT_27001 = (
    "{standard: ISO/IEC 27001, issuer: EY CertifyPoint, issuer_accredited: true, "
    "scope: ISMS supporting Amazon Web Services, certificate_number: '1234', "
    "valid_from: 2024-01-01, expires: 2027-01-01}"
)


def policy_text(*certs: str, extra: str = "", top: str = "") -> str:
    lines = "\n".join(f"      - {c}" for c in certs)
    return (
        f"version: 1\n{top}vendors:\n  - id: aws\n    name: Amazon Web Services\n"
        f"    kind: processor\n{extra}    certifications:\n{lines}\n"
    )


def judged(tmp_path: Path, text: str, processor: str = "aws") -> dict[str, Any]:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    evidence = Collection(
        "acme", processor, "2026-11-28T00:00:00+00:00", identity={"processor": processor}
    )
    findings = evaluate(evidence, Policy.load(path), KB, TODAY)
    (finding,) = [f for f in findings if f.check_id == "vendor-certifications"]
    return {"status": finding.status, "message": finding.message, "evidence": finding.evidence}


def test_every_required_standard_current_passes(tmp_path: Path) -> None:
    found = judged(tmp_path, policy_text(CERT_27001))
    assert found["status"] == "pass", found["message"]
    assert found["evidence"]["required"] == [
        {
            "standard": "ISO/IEC 27001",
            "held": "ISO/IEC 27001",
            "state": "current",
            "expires": "2027-01-01",
            "origin": "register",
            "as_of": None,
        }
    ]
    (held,) = found["evidence"]["held"]
    assert held["certificate_number"] == "1234" and held["valid_from"] == "2024-01-01"


def test_iso_9001_alone_fails_a_policy_requiring_27001(tmp_path: Path) -> None:
    cert = CERT_27001.replace("ISO/IEC 27001", "ISO 9001")
    found = judged(tmp_path, policy_text(cert))
    assert found["status"] == "fail"
    assert "ISO/IEC 27001 (missing)" in found["message"]
    assert found["evidence"]["required"][0]["held"] is None


def test_expired_27001_fails_even_beside_a_current_9001(tmp_path: Path) -> None:
    expired = CERT_27001.replace("expires: 2027-01-01", "expires: 2026-06-30")
    found = judged(tmp_path, policy_text(expired, CERT_27001.replace("ISO/IEC 27001", "ISO 9001")))
    assert found["status"] == "fail"
    assert "ISO/IEC 27001 (expired 2026-06-30)" in found["message"]


def test_certificate_not_yet_valid_does_not_count(tmp_path: Path) -> None:
    future = CERT_27001.replace("valid_from: 2024-01-01", "valid_from: 2026-12-15")
    found = judged(tmp_path, policy_text(future))
    assert found["status"] == "fail" and "not yet valid" in found["message"]


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("scope: ISMS supporting Amazon Web Services", "scope: Amazon retail warehouses",
         "scope does not name the service in use (Amazon Web Services, AWS)"),
        ("scope: ISMS supporting Amazon Web Services, ", "", "scope not recorded"),
        ("issuer_accredited: true", "issuer_accredited: false",
         "issuer EY CertifyPoint is not accredited"),
        ("issuer_accredited: true, ", "", "accreditation is not recorded"),
    ],
)  # fmt: skip
def test_scope_and_accreditation_problems_warn(
    tmp_path: Path, old: str, new: str, words: str
) -> None:
    assert old in CERT_27001
    found = judged(tmp_path, policy_text(CERT_27001.replace(old, new)))
    assert found["status"] == "warn"
    assert words in found["message"]


def test_scope_is_matched_against_the_services_the_register_names(tmp_path: Path) -> None:
    cert = CERT_27001.replace("scope: ISMS supporting Amazon Web Services", "covers: [Amazon S3]")
    assert judged(tmp_path, policy_text(cert))["status"] == "warn"
    found = judged(tmp_path, policy_text(cert, extra="    services: [Amazon S3]\n"))
    assert found["status"] == "pass", found["message"]


def test_a_26000_certificate_is_flagged_and_counts_only_as_a_declaration(tmp_path: Path) -> None:
    cert_26000 = "{standard: ISO 26000, issuer: CSR Certifiers Ltd, expires: 2027-01-01}"
    extra = "    required_certifications: [ISO/IEC 27001, ISO 26000]\n"
    found = judged(tmp_path, policy_text(CERT_27001, cert_26000, extra=extra))
    assert found["status"] == "warn"
    assert "ISO 26000: is guidance and cannot be certified" in found["message"]
    rows = {r["standard"]: r["state"] for r in found["evidence"]["required"]}
    assert rows == {"ISO/IEC 27001": "current", "ISO 26000": "self-declaration"}
    declared = "{standard: ISO 26000, type: self_declaration, expires: 2027-01-01}"
    assert judged(tmp_path, policy_text(CERT_27001, declared, extra=extra))["status"] == "pass"


def test_a_flagged_26000_certificate_warns_even_when_not_required(tmp_path: Path) -> None:
    cert_26000 = "{standard: ISO 26000:2010, issuer: CSR Certifiers Ltd, expires: 2027-01-01}"
    found = judged(tmp_path, policy_text(CERT_27001, cert_26000))
    assert found["status"] == "warn" and "cannot be certified" in found["message"]


def test_requirements_per_kind_and_per_vendor(tmp_path: Path) -> None:
    top = "certification_requirements:\n  processor: [ISO/IEC 27001, ISO/IEC 27701]\n"
    found = judged(tmp_path, policy_text(CERT_27001, top=top))
    assert found["status"] == "fail" and "ISO/IEC 27701 (missing)" in found["message"]
    cert_9001 = CERT_27001.replace("ISO/IEC 27001", "ISO 9001:2015")
    extra = "    required_certifications: [ISO 9001]\n"
    assert judged(tmp_path, policy_text(cert_9001, top=top, extra=extra))["status"] == "pass"


@pytest.mark.parametrize("processor", ["aws", "microsoft", "slack"])
def test_providers_without_register_entry_get_their_published_certifications(
    tmp_path: Path, processor: str
) -> None:
    found = judged(tmp_path, "version: 1\n", processor)
    assert found["status"] == "pass", found["message"]
    assert "provider-published" in found["message"]
    evidence = found["evidence"]
    assert evidence["attestations"].startswith("https://")
    assert evidence["required"][0]["origin"] == "provider-published"
    assert evidence["held"], processor
    for held in evidence["held"]:
        assert held["origin"] == "provider-published"
        assert held["source"] and held["as_of"] and held["status"], held


def test_register_certificates_win_over_published_ones(tmp_path: Path) -> None:
    cert = CERT_27001.replace("expires: 2027-01-01", "expires: 2026-01-01")
    text = policy_text(cert.replace("Amazon Web Services", "Slack"))
    text = text.replace("id: aws\n    name: Amazon Web Services", "id: slack\n    name: Slack")
    found = judged(tmp_path, text, "slack")
    assert found["status"] == "fail"
    assert {h["origin"] for h in found["evidence"]["held"]} == {"register"}


def test_unconfirmed_published_fact_warns_when_relied_on(tmp_path: Path) -> None:
    top = "certification_requirements:\n  processor: [ISO/IEC 27017]\n"
    found = judged(tmp_path, f"version: 1\n{top}", "slack")
    assert found["status"] == "warn"
    assert "published status is uncertain" in found["message"]


def test_vendor_unknown_to_the_knowledge_base_without_certificates_is_manual(
    tmp_path: Path,
) -> None:
    text = "version: 1\nvendors:\n  - {id: acme-saas, name: Acme SaaS, kind: processor}\n"
    found = judged(tmp_path, text, "acme-saas")
    assert found["status"] == "manual" and "ISO/IEC 27001" in found["message"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (policy_text(CERT_27001, top="certification_requirements:\n  app: [ISO 2700]\n"),
         "certification_requirements.app.0: 'ISO 2700' is not a standard"),
        (policy_text(CERT_27001, extra="    required_certifications: [PCI-DSS]\n"),
         "vendors.0.required_certifications.0: 'PCI-DSS' is not a standard"),
        (policy_text(CERT_27001.replace("valid_from: 2024-01-01", "valid_from: 2027-02-01")),
         "valid from 2027-02-01, after it expires"),
    ],
)  # fmt: skip
def test_bad_requirements_name_file_and_line(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        Policy.load(path)
    message = str(error.value)
    assert message.startswith(f"{path}:") and words in message
    assert message.split(":")[1].isdigit()


def test_knowledge_base_standards_and_published_certifications() -> None:
    assert KB.standard("iso/iec 27001:2022")["id"] == "iso27001"
    assert KB.standard("ISO 26000")["kind"] == "guidance"
    assert KB.standard("ISO 2700") is None
    for provider in ("aws", "microsoft", "slack"):
        published = KB.published_certifications(provider)
        assert published is not None and published["services"]
        for cert in published["certifications"]:
            assert KB.standard(cert["standard"]) is not None, cert["standard"]
            assert cert["source"] and cert["as_of"] and cert["status"], cert


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("aliases: [ISO 9001:2015, ISO/IEC 9001]", "aliases: [ISO 27001]",
         "'ISO 27001' of iso9001 also names iso27001"),
        ("      - standard: ISO 9001\n", "      - standard: ISO 9002\n",
         "providers.aws.certifications[3].standard: 'ISO 9002' is not listed"),
    ],
)  # fmt: skip
def test_knowledge_base_rejects_ambiguous_or_unknown_standards(
    tmp_path: Path, old: str, new: str, words: str
) -> None:
    data_dir = _copy_data(tmp_path)
    path = data_dir / "certifications.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"certifications\.yaml") as error:
        KnowledgeBase.load(data_dir)
    assert words in str(error.value)
