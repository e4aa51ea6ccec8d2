"""Severity that ranks: unlawful transfer > lawful transfer outside the policy > missing
security control, and sensitive data one grade up (checks/grading.yaml)."""

from __future__ import annotations

from datetime import date
from typing import Any

from checks.engine import evaluate, load_catalog
from checks.grading import grading
from core.knowledge import default_kb
from core.models import Asset, Collection, Flow
from core.policy import Policy
from scanner.scan import ScanOutcome, evaluate_outcome, exit_code

KB = default_kb()
TODAY = date(2026, 11, 28)


def collection(*assets: Asset, processor: str | None = "aws", flows: list[Flow] = ()) -> Collection:
    return Collection(
        target="acme",
        provider="aws",
        started_at="2026-11-28T00:00:00+00:00",
        identity={"processor": processor} if processor else {},
        assets=list(assets),
        flows=list(flows),
    )


def bucket(name: str, region: str, categories: tuple[str, ...] = ("unclassified",)) -> Asset:
    return Asset(f"aws:s3:::{name}", "aws", "s3.bucket", name, f"aws:{region}", list(categories))


def severities(c: Collection, check: str = "storage-outside-allowed") -> dict[str, str]:
    return {
        f.resource_name: f.severity
        for f in evaluate(c, Policy(), KB, TODAY)
        if f.check_id == check and f.status == "fail"
    }


def test_a_third_country_without_a_basis_ranks_above_one_with_a_basis() -> None:
    # AWS's DPA with SCCs is in the knowledge base; an unknown host has nothing on record
    assert severities(collection(bucket("us", "us-east-1"))) == {"us": "high"}
    assert severities(collection(bucket("us", "us-east-1"), processor=None)) == {"us": "critical"}


def test_an_adequacy_country_not_opted_in_ranks_below_a_third_country() -> None:
    found = severities(collection(bucket("london", "eu-west-2"), bucket("us", "us-east-1")))
    assert found == {"london": "medium", "us": "high"}


def test_sensitive_data_raises_the_grade_and_travels_with_its_copy() -> None:
    recordings = bucket("rec", "eu-central-1", ("call_recordings",))
    replica = bucket("rec-dr", "us-east-1")
    london = bucket("uk", "eu-west-2", ("chat",))
    copy = Flow("flow:rec", "aws", "replication", recordings.id, "aws:us-east-1", "rec-dr")
    c = collection(recordings, replica, london, flows=[copy])
    assert severities(c) == {"rec-dr": "critical", "uk": "high"}
    (finding,) = [f for f in evaluate(c, Policy(), KB, TODAY) if f.check_id.startswith("repl")]
    assert finding.severity == "critical"
    basis = finding.evidence["severity_basis"]
    assert basis["profile"] == "transfer" and basis["sensitive"] is True
    assert basis["transfer_basis"] == "recorded" and "call_recordings" in basis["data_categories"]


def test_a_missing_security_control_on_an_eu_bucket_ranks_lowest() -> None:
    def open_to_http(name: str) -> Asset:
        attributes = {"tls_enforced": False, "tls_detail": "the bucket has no bucket policy"}
        return Asset(
            f"aws:s3:::{name}#security", "aws", "s3.bucket_security", name, "aws:eu-central-1",
            [], attributes,
        )  # fmt: skip

    c = collection(
        bucket("plain", "eu-central-1"),
        bucket("rec", "eu-central-1", ("call_recordings",)),
        open_to_http("plain"),
        open_to_http("rec"),
    )
    assert severities(c, "aws-s3-tls-only") == {"plain": "low", "rec": "medium"}


def test_every_graded_check_names_a_profile_with_a_rationale() -> None:
    profiles = grading().profiles
    graded = [m for m in load_catalog() if m.grading]
    assert {m.id for m in graded} >= {"storage-outside-allowed", "replication-outside-allowed"}
    assert all(len(profiles[m.grading]["rationale"]) > 50 for m in graded)


def test_fail_on_keeps_working_on_the_new_grades() -> None:
    def code(c: Collection, fail_on: str) -> int:
        outcome: Any = ScanOutcome(collections=[c], finished_at="2026-11-28T00:00:01+00:00")
        document = evaluate_outcome(outcome, Policy(), KB, TODAY)
        return exit_code(document, fail_on)

    adequate = collection(bucket("london", "eu-west-2"))
    assert code(adequate, "medium") == 1 and code(adequate, "high") == 0
    unlawful = collection(bucket("us", "us-east-1"), processor=None)
    assert code(unlawful, "critical") == 1
