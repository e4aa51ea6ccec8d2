"""Checks engine, policy judgement, waivers and the processor basis, on hand-made evidence."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from checks.engine import evaluate, load_catalog
from core.knowledge import default_kb
from core.models import Asset, Collection, Flow, Gap
from core.policy import Policy

KB = default_kb()
TODAY = date(2026, 11, 28)


def collection(
    *assets: Asset, flows: tuple[Flow, ...] = (), gaps: tuple[Gap, ...] = ()
) -> Collection:
    return Collection(
        target="acme",
        provider="aws",
        started_at="2026-11-28T00:00:00+00:00",
        identity={"processor": "aws"},
        assets=list(assets),
        flows=list(flows),
        gaps=list(gaps),
    )


def bucket(name: str, location: str | None) -> Asset:
    return Asset(f"aws:s3:::{name}", "aws", "s3.bucket", name, location, ["unclassified"])


def policy(tmp_path: Path, text: str) -> Policy:
    path = tmp_path / "policy.yaml"
    path.write_text("version: 1\n" + text)
    return Policy.load(path)


def statuses(findings: list, check: str) -> dict[str, str]:
    return {f.resource_name: f.status for f in findings if f.check_id == check}


def test_judge_by_jurisdiction_not_by_region_prefix() -> None:
    judge = Policy().bind(KB).judge
    assert judge(KB.resolve("aws:eu-central-1")).allowed
    assert judge(KB.resolve("aws:eusc-de-east-1")).allowed
    assert not judge(KB.resolve("aws:eu-west-2")).allowed  # London: adequate, not EU
    assert not judge(KB.resolve("aws:eu-central-2")).allowed  # Zurich
    assert not judge(KB.resolve("aws:us-east-1")).allowed
    assert judge(KB.resolve("country:NO")).allowed  # EEA


def test_unknown_is_never_allowed_even_when_listed(tmp_path: Path) -> None:
    listed = policy(tmp_path, "allowed_locations: ['aws:xx-nowhere-1']\n").bind(KB)
    verdict = listed.judge(KB.resolve("aws:xx-nowhere-1"))
    assert not verdict.allowed and verdict.basis == "unknown"


def test_macro_geo_needs_every_country_allowed(tmp_path: Path) -> None:
    eur = KB.resolve("m365:EUR")
    assert not Policy().bind(KB).judge(eur).allowed  # includes CH and IL
    assert policy(tmp_path, "adequacy_countries: [CH, IL]\n").bind(KB).judge(eur).allowed


def test_forbidden_location_wins(tmp_path: Path) -> None:
    strict = policy(tmp_path, "forbidden_locations: ['aws:eu-west-1']\n").bind(KB)
    assert not strict.judge(KB.resolve("aws:eu-west-1")).allowed


def test_findings_carry_metadata_and_stable_ids() -> None:
    evidence = collection(bucket("a", "aws:us-east-1"), bucket("b", "aws:eu-west-3"))
    first = evaluate(evidence, Policy(), KB, TODAY)
    second = evaluate(evidence, Policy(), KB, TODAY)
    assert [f.id for f in first] == [f.id for f in second]
    us = next(
        f for f in first if f.resource_name == "a" and f.check_id == "storage-outside-allowed"
    )
    assert us.status == "fail" and us.country == "US" and us.jurisdiction == "third_country"
    # AWS's DPA (SCCs) is an Art. 46 tool on record: a breach of the residency policy only
    assert us.articles == ["5(2)", "24", "25"] and us.remediation
    assert "breach of the organisation's residency policy" in us.message
    assert us.evidence["place"]["sources"]


def test_missing_location_is_an_error_not_a_pass() -> None:
    findings = evaluate(collection(bucket("x", None)), Policy(), KB, TODAY)
    assert statuses(findings, "storage-outside-allowed") == {"x": "error"}


def test_gaps_become_error_findings() -> None:
    gap = Gap("aws", "s3", "GetBucketReplication", "throttled", "Rate exceeded", "b", "eu-west-1")
    findings = evaluate(collection(bucket("b", "aws:eu-west-1"), gaps=(gap,)), Policy(), KB, TODAY)
    coverage = [f for f in findings if f.check_id == "scan-coverage"]
    assert [f.status for f in coverage] == ["error"]
    assert "throttled" in coverage[0].message


def test_replication_flows_judged_by_destination() -> None:
    flow = Flow("f1", "aws", "replication", "aws:s3:::src", "aws:us-west-2", "dst")
    disabled = Flow("f2", "aws", "replication_disabled", "aws:s3:::src", "aws:us-west-2", "dst2")
    findings = evaluate(
        collection(bucket("src", "aws:eu-west-1"), flows=(flow, disabled)), Policy(), KB, TODAY
    )
    assert statuses(findings, "replication-outside-allowed") == {"src -> dst": "fail"}


@pytest.mark.parametrize(
    ("expires", "status", "state"),
    [("2027-01-01", "muted", "active"), ("2026-01-01", "fail", "expired")],
)
def test_waivers_mute_until_they_expire(
    tmp_path: Path, expires: str, status: str, state: str
) -> None:
    rules = policy(
        tmp_path,
        "waivers:\n  - {check: storage-outside-allowed, resource: 'aws:s3:::legacy-*',"
        " reason: migration,"
        f" owner: dpo, expires: {expires}}}\n",
    )
    findings = evaluate(collection(bucket("legacy-1", "aws:us-east-1")), rules, KB, TODAY)
    (finding,) = [f for f in findings if f.check_id == "storage-outside-allowed"]
    assert finding.status == status and finding.waiver["state"] == state
    if state == "expired":
        assert "expired on 2026-01-01" in finding.message


def test_processor_basis_kb_default_register_override_and_dpf_only(tmp_path: Path) -> None:
    evidence = collection(bucket("us", "aws:us-east-1"), bucket("uk", "aws:eu-west-2"))
    default = statuses(evaluate(evidence, Policy(), KB, TODAY), "processor-transfer-basis")
    assert set(default.values()) == {"warn", "pass"}  # SCCs via AWS DPA without TIA; UK adequacy
    full = policy(
        tmp_path,
        "vendors:\n  - {id: aws, name: Amazon Web Services, kind: processor,"
        " dpa_signed: 2024-01-01, scc_module: 2, tia_date: 2024-02-01}\n",
    )
    assert set(
        statuses(evaluate(evidence, full, KB, TODAY), "processor-transfer-basis").values()
    ) == {"pass"}
    no_dpa = policy(tmp_path, "vendors:\n  - {id: aws, name: AWS, kind: processor}\n")
    assert (
        "fail"
        in statuses(evaluate(evidence, no_dpa, KB, TODAY), "processor-transfer-basis").values()
    )
    dpf = policy(
        tmp_path,
        "vendors:\n  - {id: aws, name: AWS, kind: processor, dpa_signed: 2024-01-01,"
        " relies_on_dpf: true}\n",
    )
    messages = [f.message for f in evaluate(evidence, dpf, KB, TODAY) if f.status == "warn"]
    assert any("C-703/25 P" in m for m in messages)


def test_catalog_is_valid_and_every_module_has_evaluate() -> None:
    catalog = load_catalog()
    assert len({m.id for m in catalog}) == len(catalog)
    import importlib

    for meta in catalog:
        assert callable(importlib.import_module(meta.module).evaluate), meta.id
        for article in meta.articles:
            assert KB.article(article)["url"].startswith("https://")


@pytest.mark.parametrize(
    ("location", "text", "status"),
    [
        ("m365:EUR", "", "warn"),  # may include CH, IL: lawful (adequacy), not opted in
        ("m365:EUR", "adequacy_countries: [CH, IL]\n", "pass"),
        ("m365:APC", "adequacy_countries: [JP, KR]\n", "fail"),  # SG, MY, HK: third countries
        ("aws:eu-central-2", "", "fail"),  # one adequacy country, not opted in: a plain fail
    ],
)
def test_macro_geo_with_only_adequacy_members_refused_warns(
    tmp_path: Path, location: str, text: str, status: str
) -> None:
    asset = Asset("a", "m365", "tenant", "tenant", location, ["email"])
    evidence = Collection("acme", "m365", "2026-11-28T00:00:00+00:00", assets=[asset])
    findings = evaluate(evidence, policy(tmp_path, text), KB, TODAY)
    # one verdict on the tenant: the specific check supersedes the generic storage check
    assert statuses(findings, "m365-tenant-geography") == {"tenant": status}
    assert statuses(findings, "storage-outside-allowed") == {}


def test_a_superseding_check_replaces_the_generic_verdict_on_what_it_covers() -> None:
    tenant = Asset("t", "m365", "tenant", "Contoso", "m365:FRA", ["directory"])
    satellite = Asset("u", "m365", "user_data", "users in NAM", "m365:NAM", ["email"], {"count": 2})
    default_geo = Asset(
        "d", "m365", "user_data", "users in FRA", "m365:FRA", ["email"], {"default_geo": True}
    )
    evidence = Collection(
        "acme", "m365", "2026-11-28T00:00:00+00:00", assets=[tenant, satellite, default_geo]
    )
    findings = evaluate(evidence, Policy(), KB, TODAY)
    # the default geo is judged only by the generic check; tenant and satellite only once each
    assert statuses(findings, "storage-outside-allowed") == {"users in FRA": "pass"}
    assert statuses(findings, "m365-tenant-geography") == {"Contoso": "pass"}
    (satellite_finding,) = [f for f in findings if f.check_id == "m365-multigeo-outside-policy"]
    assert satellite_finding.status == "fail" and satellite_finding.location == "m365:NAM"


def test_tenant_geography_accepts_null_evidence() -> None:
    """A saved evidence file may carry nulls where the connector had nothing to say."""
    tenant = Asset("t", "m365", "tenant", "Contoso", "m365:FRA", ["directory"], {"evidence": None})
    evidence = Collection("acme", "m365", "2026-11-28T00:00:00+00:00", assets=[tenant])
    findings = evaluate(evidence, Policy(), KB, TODAY)
    assert statuses(findings, "m365-tenant-geography") == {"Contoso": "pass"}


def test_the_report_schema_knows_every_gap_reason_and_no_other() -> None:
    """One gap vocabulary: the enum in core.models is what reports may carry."""
    import json
    from pathlib import Path

    from core.models import GapReason

    schema = json.loads(
        (Path(__file__).parents[1] / "reports/schemas/report.schema.json").read_text()
    )
    gap = schema["$defs"]["target"]["properties"]["coverage"]["properties"]["gaps"]
    assert gap["items"]["properties"]["reason"]["enum"] == [r.value for r in GapReason]
