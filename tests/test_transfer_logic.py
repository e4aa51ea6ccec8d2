"""Issue 14: transfer verdicts a DPO would sign, one test (or more) per legal rule.

Each test builds evidence that exhibits the rule and asserts the verdict the law gives, with the
structured reasons (transfer tool, articles) later TIA drafts read from the evidence.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from checks.engine import evaluate, load_catalog
from core.knowledge import KnowledgeBase, default_kb
from core.knowledge.loader import DATA_DIR
from core.models import Asset, Collection, Finding, Flow
from core.policy import Policy
from tests.conftest import run_cli

KB = default_kb()
TODAY = dt.date(2026, 12, 2)


def bucket(region: str, name: str = "") -> Asset:
    name = name or f"data-{region}"
    return Asset(f"aws:s3:::{name}", "aws", "s3.bucket", name, f"aws:{region}", ["customer"])


def collection(*assets: Asset, processor: str = "aws", flows: tuple[Flow, ...] = ()) -> Collection:
    provider = {"microsoft": "m365"}.get(processor, processor)
    return Collection(
        "acme",
        provider,
        "2026-12-02T00:00:00+00:00",
        identity={"processor": processor},
        assets=list(assets),
        flows=list(flows),
    )


def policy(tmp_path: Path, text: str = "") -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text("version: 1\n" + text)
    return Policy.load(path)


def register(tmp_path: Path, fields: str, vendor: str = "aws", name: str = "AWS") -> Policy:
    return policy(
        tmp_path,
        f"vendors:\n  - {{id: {vendor}, name: {name}, kind: processor, dpa_signed: 2024-01-01,"
        f" {fields}}}\n",
    )


def found(
    evidence: Collection, rules: Policy, check: str, on: dt.date = TODAY
) -> dict[str, Finding]:
    findings = evaluate(evidence, rules, KB, on)
    return {f.location or f.resource: f for f in findings if f.check_id == check}


BASIS = "processor-transfer-basis"


# 1. DPF: only organisations in the United States on the DPF List -------------------------------


def test_dpf_is_no_basis_outside_the_united_states(tmp_path: Path) -> None:
    rules = register(tmp_path, "relies_on_dpf: true")
    out = found(collection(bucket("ap-south-1"), bucket("cn-northwest-1")), rules, BASIS)
    india = out["aws:ap-south-1"]
    assert india.status == "fail"
    assert "only organisations in the United States on the DPF List" in india.message
    assert india.evidence["transfer_tool"] is None and india.evidence["basis_record"]


def test_dpf_in_the_us_needs_the_recipient_on_the_list_and_uses_the_kb_fact(
    tmp_path: Path,
) -> None:
    aws = found(collection(bucket("us-east-1")), register(tmp_path, "relies_on_dpf: true"), BASIS)
    us = aws["aws:us-east-1"]
    assert us.status == "warn" and us.evidence["transfer_tool"] == "dpf"
    assert "only while it is on the DPF List" in us.message
    assert "has not verified" in us.message  # the KB records AWS's DPF status as unknown
    assert us.articles[-2:] == ["44", "45"]  # the DPF is an Art. 45 decision
    ms_rules = register(tmp_path, "relies_on_dpf: true", "microsoft", "Microsoft")
    nam = Asset("m365:t:geo:NAM", "m365", "user_data", "users in NAM", "m365:NAM", ["email"])
    ms = found(collection(nam, processor="microsoft"), ms_rules, BASIS)["m365:NAM"]
    assert ms.status == "warn" and "records Microsoft Corporation on the DPF List" in ms.message


# 2. BCRs and SCC modules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ("transfer_tool: bcr, tia_date: 2024-02-01", "pass", "BCRs (Art. 46(2)(b), 47)"),
        ("transfer_tool: bcr", "warn", "BCR recorded without a TIA date"),
        ("transfer_tool: scc, tia_date: 2024-02-01", "warn", "without the module"),
        ("scc_module: 1, tia_date: 2024-02-01", "warn", "module 1 (controller to controller)"),
        ("scc_module: 4, tia_date: 2024-02-01", "warn", "module 4 (processor to controller)"),
        ("scc_module: 3, tia_date: 2024-02-01", "pass", "SCC module 3"),
    ],
)
def test_bcrs_and_scc_modules(tmp_path: Path, fields: str, status: str, words: str) -> None:
    rules = register(tmp_path, fields + ", review_date: 2027-06-01")
    finding = found(collection(bucket("us-east-1")), rules, BASIS)["aws:us-east-1"]
    assert (finding.status, words in finding.message) == (status, True), finding.message
    review = found(collection(bucket("us-east-1")), rules, "vendor-review")["vendor:aws"]
    assert review.status == ("pass" if status == "pass" else "warn")


def test_bcr_basis_cites_article_47_in_the_evidence(tmp_path: Path) -> None:
    rules = register(tmp_path, "transfer_tool: bcr, tia_date: 2024-02-01")
    finding = found(collection(bucket("us-east-1")), rules, BASIS)["aws:us-east-1"]
    assert finding.evidence["transfer_tool"] == "bcr"
    assert finding.evidence["basis_articles"] == ["44", "46(2)(b)", "47"]


# 3. Data stored in the EU/EEA is not "no transfer" while the provider documents transfers ------


@pytest.mark.parametrize(
    ("processor", "asset", "words"),
    [
        ("aws", bucket("eu-central-1"), "transfers of data outside the chosen region"),
        (
            "microsoft",
            Asset("m365:t:geo:FRA", "m365", "user_data", "users", "m365:FRA", ["email"]),
            "remote access by personnel outside the region",
        ),
        (
            "slack",
            Asset("slack:T1", "slack", "workspace", "ws", "slack:frankfurt", ["chat"]),
            "transfers of data outside the chosen region",
        ),
    ],
)
def test_eu_storage_with_documented_transfers_is_never_no_transfer(
    processor: str, asset: Asset, words: str
) -> None:
    (finding,) = found(collection(asset, processor=processor), Policy(), BASIS).values()
    assert finding.status == "manual"
    assert words in finding.message and "no Chapter V transfer" not in finding.message
    assert finding.evidence["basis_facts"]  # the provider's own statements, with sources


def test_eu_storage_with_a_complete_tool_covers_the_documented_transfers(tmp_path: Path) -> None:
    rules = register(tmp_path, "scc_module: 2, tia_date: 2024-02-01")
    (finding,) = found(collection(bucket("eu-west-1")), rules, BASIS).values()
    assert finding.status == "pass" and "covered by the register's SCC" in finding.message


# 4. Art. 28(3) in full --------------------------------------------------------------------------


def test_the_kb_lists_every_art_28_3_term_with_its_letter() -> None:
    articles = [t["article"] for t in KB.processor_contract_terms()]
    assert {f"28(3)({x})" for x in "abcdefgh"} <= set(articles)
    assert articles.count("28(3)") == 4  # subject/duration, nature/purpose, data, controller


def test_missing_art_28_3_terms_are_named_with_their_letter(tmp_path: Path) -> None:
    terms = ", ".join(
        f"{t['key']}: {{value: true}}"
        for t in KB.processor_contract_terms()
        if t["article"] not in ("28(3)(b)", "28(3)(g)")
    )
    rules = register(
        tmp_path,
        f"dpa_terms: {{{terms}, data_location: {{value: true}}, subprocessor_list: "
        "{value: true}, subprocessor_notice: {value: true}}",
    )
    finding = found(collection(bucket("eu-west-1")), rules, "vendor-dpa")["vendor:aws"]
    assert finding.status == "warn"
    assert "confidentiality of authorised persons (Art. 28(3)(b))" in finding.message
    assert "deletion or return of the data at the end" in finding.message
    assert [t["article"] for t in finding.evidence["missing_terms"]] == ["28(3)(b)", "28(3)(g)"]


# 5. Uncertain knowledge-base facts are not proof ------------------------------------------------


def test_an_uncertain_kb_dpa_asks_for_confirmation() -> None:
    workspace = Asset("slack:T1", "slack", "workspace", "ws", "country:US", ["chat"])
    evidence = collection(workspace, processor="slack")
    dpa = found(evidence, Policy(), "vendor-dpa")["vendor:slack"]
    assert dpa.status == "manual" and "cannot confirm Slack's DPA" in dpa.message
    basis = found(evidence, Policy(), BASIS)["country:US"]
    assert basis.status == "manual" and "cannot confirm" in basis.message
    verified = found(collection(bucket("eu-west-1")), Policy(), "vendor-dpa")["vendor:aws"]
    assert verified.status == "pass"  # AWS's DPA is a verified, published fact


# 6. A residency-policy refusal is not by itself a breach of Art. 44 -----------------------------


def test_policy_refusal_with_a_basis_on_record_cites_the_policy_not_chapter_v(
    tmp_path: Path,
) -> None:
    london = found(collection(bucket("eu-west-2")), Policy(), "storage-outside-allowed")
    uk = london["aws:eu-west-2"]
    assert uk.status == "fail"  # the policy verdict stays
    assert "breach of the organisation's residency policy" in uk.message
    assert uk.articles == ["5(2)", "24", "25"]
    no_basis = policy(tmp_path, "vendors:\n  - {id: aws, name: AWS, kind: processor}\n")
    us = found(collection(bucket("us-east-1")), no_basis, "storage-outside-allowed")
    assert us["aws:us-east-1"].articles == ["5(2)", "24", "25", "44", "45", "46"]
    assert "no Art. 45/46 basis is on record" in us["aws:us-east-1"].message


# 7. Entra's EU scope is EMEA, not the Microsoft 365 EUR data location ---------------------------


def test_entra_eu_scope_is_a_region_with_unknown_country() -> None:
    place = KB.resolve("entra:EU", TODAY)
    assert (place.jurisdiction, place.region, place.countries) == ("unknown", "EMEA", ())
    tenant = Asset("m365:t:tenant", "m365", "tenant", "Contoso", "entra:EU", ["directory"])
    partner = Flow(
        "m365:t:partner:p", "m365", "external_sharing", "m365:t", "entra:EU", "p",
        attributes={"type": "cross_tenant_partner"},
    )  # fmt: skip
    evidence = collection(tenant, processor="microsoft", flows=(partner,))
    rules = Policy(adequacy_countries=frozenset({"CH", "IL"}))
    geo = found(evidence, rules, "m365-tenant-geography")["entra:EU"]
    shared = found(evidence, rules, "m365-cross-tenant-outside-policy")["entra:EU"]
    for finding in (geo, shared):
        assert finding.status == "manual", finding.message
        assert "only the region (EMEA) is known" in finding.message


# 8. Partial adequacy: within scope for the providers, to be confirmed for other recipients ------


def test_partial_adequacy_passes_for_the_provider_and_asks_for_other_recipients() -> None:
    rules = Policy(adequacy_countries=frozenset({"JP", "CH", "IL"}))
    tokyo = found(collection(bucket("ap-northeast-1")), rules, BASIS)["aws:ap-northeast-1"]
    assert tokyo.status == "pass" and "falls within its scope" in tokyo.message
    assert "45" in tokyo.articles
    partner = Flow(
        "m365:t:partner:jp", "m365", "external_sharing", "m365:t", "country:JP", "jp",
        attributes={"type": "cross_tenant_partner"},
    )  # fmt: skip
    evidence = collection(processor="microsoft", flows=(partner,))
    shared = found(evidence, rules, "m365-cross-tenant-outside-policy")["country:JP"]
    assert shared.status == "manual" and "adequate within scope only" in shared.message
    assert shared.evidence["transfer_tool"] == "adequacy"


# 9. Facts added or refreshed --------------------------------------------------------------------


def test_kb_lookup_of_saudi_arabia_region() -> None:
    result = run_cli("kb", "lookup", "aws:me-west-1", "--json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0
    assert (data["country"], data["jurisdiction"]) == ("SA", "third_country")
    assert "Saudi Arabia" in run_cli("kb", "lookup", "aws:me-west-1").stdout


def test_aws_china_is_not_covered_by_the_aws_dpa(tmp_path: Path) -> None:
    rules = register(tmp_path, "scc_module: 2, tia_date: 2024-02-01")
    china = found(collection(bucket("cn-north-1")), rules, BASIS)["aws:cn-north-1"]
    assert china.status == "fail" and "not covered by AWS's DPA" in china.message


def test_breach_notification_commitments_from_kb_and_register(tmp_path: Path) -> None:
    assert KB.processor("aws")["breach_notification"]["commitment"] == "without undue delay"
    assert "promptly" in KB.processor("microsoft")["breach_notification"]["commitment"]
    assert KB.processor("slack")["breach_notification"]["commitment"] is None
    kb_only = found(collection(bucket("eu-west-1")), Policy(), "vendor-incident-readiness")
    message = kb_only["vendor:aws"].message
    assert "without undue delay (Art. 33(2)) per the knowledge_base" in message
    rules = register(
        tmp_path,
        "dpa_terms: {incident_notification_hours: {value: without undue delay}}, "
        "incident_contact: {email: sec@aws.example, available_24_7: true}",
    )
    (ok,) = found(collection(bucket("eu-west-1")), rules, "vendor-incident-readiness").values()
    assert ok.status == "pass" and "without undue delay" in ok.message


def test_dpf_status_never_false_when_unverified() -> None:
    for vendor in ("aws", "microsoft", "slack"):
        assert KB.processor(vendor)["dpf"]["certified"] is not False


# 10. Smaller points -----------------------------------------------------------------------------


def test_findings_follow_the_evaluation_date_not_the_wall_clock() -> None:
    london = collection(bucket("eu-west-2"))
    before = found(london, Policy(), BASIS, on=dt.date(2031, 12, 26))["aws:eu-west-2"]
    after = found(london, Policy(), BASIS, on=dt.date(2032, 1, 1))["aws:eu-west-2"]
    assert (before.status, before.jurisdiction) == ("pass", "adequate")
    assert (after.status, after.jurisdiction) == ("warn", "third_country")  # SCCs, no TIA


def test_adequacy_applies_from_entry_into_force(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    path = data_dir / "adequacy.yaml"
    text = path.read_text(encoding="utf-8")
    old = '    adopted: "2026-01-26"\n'
    assert old in text
    path.write_text(text.replace(old, old + '    in_force: "2026-02-17"\n'), encoding="utf-8")
    edited = KnowledgeBase.load(data_dir)
    assert edited.resolve("country:BR", dt.date(2026, 2, 1)).jurisdiction == "third_country"
    assert edited.on(dt.date(2026, 2, 17)).resolve("country:BR").jurisdiction == "adequate"


def test_checks_deciding_on_adequacy_cite_article_45() -> None:
    catalog = {m.id: m for m in load_catalog()}
    for check in ("storage-outside-allowed", "replication-outside-allowed", BASIS):
        assert "45" in catalog[check].articles, check
    assert "33(2)" in catalog["vendor-incident-readiness"].articles


@pytest.mark.parametrize("code", ["IC", "EA"])
def test_canary_islands_ceuta_and_melilla_are_spain(code: str) -> None:
    place = KB.country(code, TODAY)
    assert (place.countries, place.jurisdiction) == (("ES",), "eu")


@pytest.mark.parametrize(
    "code", ["aws:xx-none-1", "m365:XXX", "entra:XX", "slack:mars", "country:ZZ", "x:y", "nope"]
)
def test_unknown_codes_exit_2_in_every_namespace(code: str) -> None:
    assert run_cli("kb", "lookup", code).exit_code == 2


def test_verified_adequacy_facts_have_a_primary_source() -> None:
    primary = ("https://eur-lex.europa.eu/", "http://eur-lex.europa.eu/", "https://commission.")
    for decision in KB.adequacy_decisions():
        if decision["status"] == "verified":
            assert decision["source"].startswith(primary), decision["id"]


def test_extends_links_a_register_entry_to_its_provider(tmp_path: Path) -> None:
    rules = policy(
        tmp_path,
        "vendors:\n  - {id: cloud-contract, name: Our cloud contract, kind: processor, "
        "extends: aws, dpa_signed: 2024-01-01, scc_module: 2, tia_date: 2024-02-01}\n",
    )
    us = found(collection(bucket("us-east-1")), rules, BASIS)["aws:us-east-1"]
    assert us.status == "pass" and us.evidence["vendor_register"]["id"] == "cloud-contract"
