"""Which regions are scanned, and bad input: each failure is a gap with its reason, exit 3."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.models import GapReason
from sandbox.aws import create_bucket, create_organization, seeding_client
from tests.aws.conftest import AwsSandbox, by_check
from tests.conftest import run_cli

STATUSES = [
    {"name": "eu-west-1", "status": "ENABLED_BY_DEFAULT"},
    {"name": "eu-central-1", "status": "ENABLED"},
    {"name": "eu-south-1", "status": "ENABLING"},
    {"name": "eu-north-1", "status": "DISABLING"},
    {"name": "ap-southeast-5", "status": "DISABLED"},
]


def test_every_enabled_region_is_scanned(aws: AwsSandbox) -> None:
    aws.seed({"regions": STATUSES})
    collection = aws.collect(regions=None, services=["sqs"])
    assert collection.identity["regions"] == [
        "eu-central-1",
        "eu-north-1",
        "eu-south-1",
        "eu-west-1",
    ]
    assert collection.calls == {
        "account.ListRegions": 1,
        "sqs.ListQueues": 4,
        "sts.GetCallerIdentity": 1,
    }
    assert collection.gaps == []


def test_region_list_falls_back_to_ec2(aws: AwsSandbox) -> None:
    aws.seed({"regions": STATUSES})
    aws.fault("account", "AccessDeniedException", status=403)
    collection = aws.collect(regions=None, services=["sqs"])
    regions = collection.identity["regions"]
    assert "eu-west-1" in regions and "us-east-1" in regions
    assert not [r for r in regions if r.startswith(("us-gov-", "cn-"))]  # moto lists them; AWS not
    assert collection.calls["ec2.DescribeRegions"] == 1
    assert collection.calls["sqs.ListQueues"] == len(regions)
    assert collection.gaps == []


def test_requested_regions_skip_discovery(aws: AwsSandbox) -> None:
    collection = aws.collect(regions=["eu-west-3"], services=["sqs"])
    assert collection.calls == {"sqs.ListQueues": 1, "sts.GetCallerIdentity": 1}


def test_a_region_the_knowledge_base_does_not_know_is_scanned_and_reported(aws: AwsSandbox) -> None:
    aws.seed({
        "regions": [{"name": "eu-central-1"}, {"name": "ap-east-9"}],
        "connect_instances": [{"id": "i-new", "alias": "newplace", "region": "ap-east-9",
                               "storage": [{"type": "CALL_RECORDINGS", "prefix": "rec"}]}],
    })  # fmt: skip
    collection = aws.collect(regions=None, services=["connect"])
    assert collection.identity["regions"] == ["ap-east-9", "eu-central-1"]
    (warning,) = by_check(collection, "aws-unknown-region").values()
    assert warning.status == "warn" and "ap-east-9" in warning.message
    storage = by_check(collection, "storage-outside-allowed")
    assert {f.status for f in storage.values()} == {"fail"}
    assert {f.jurisdiction for f in storage.values()} == {"unknown"}


# ------------------------------------------------------------------------------- bad input


def test_throttling_past_retries_is_a_gap_and_the_rest_completes(aws: AwsSandbox) -> None:
    aws.seed({"dynamodb_tables": [{"name": "kept", "region": "us-east-1"}]})
    aws.fault("dynamodb", "ThrottlingException", operation="ListTables", region="eu-west-1")
    collection = aws.collect(services=["dynamodb"], max_attempts=2)
    (gap,) = collection.gaps
    assert (gap.reason, gap.region, gap.operation) == ("throttled", "eu-west-1", "ListTables")
    tries = [s for s in aws.stub.seen if s[:3] == ("dynamodb", "ListTables", "eu-west-1")]
    assert len(tries) == 2  # the retry happened, then the gap
    assert [a.name for a in collection.assets] == ["kept"]


def test_access_denied_on_one_service(aws: AwsSandbox) -> None:
    seeding_client("sqs", aws.moto, "eu-west-1").create_queue(QueueName="tickets")
    aws.fault("kms", "AccessDeniedException", status=400)
    collection = aws.collect(through_stub=True, services=["kms", "sqs"])
    assert {(g.service, g.region, g.reason) for g in collection.gaps} == {
        ("kms", "eu-west-1", "access_denied"), ("kms", "us-east-1", "access_denied")}  # fmt: skip
    assert [a.name for a in collection.assets] == ["tickets"]


def test_access_denied_in_one_region(aws: AwsSandbox) -> None:
    for region in ("eu-west-1", "us-east-1"):
        seeding_client("sns", aws.moto, region).create_topic(Name=f"alerts-{region}")
    aws.fault("sns", "AuthorizationError", status=403, region="us-east-1")
    collection = aws.collect(through_stub=True, services=["sns"])
    (gap,) = collection.gaps
    assert (gap.reason, gap.region) == ("access_denied", "us-east-1")
    assert [a.name for a in collection.assets] == ["alerts-eu-west-1"]


def test_malformed_answer_is_a_gap_and_the_scan_completes(aws: AwsSandbox) -> None:
    create_organization(aws.moto, {"units": [], "policies": []})
    seeding_client("sqs", aws.moto, "eu-west-1").create_queue(QueueName="still-read")
    aws.fault("organizations", "Malformed", operation="ListRoots", answer={"Roots": []})
    collection = aws.collect(through_stub=True, services=["organizations", "sqs"])
    assert [(g.service, g.reason) for g in collection.gaps] == [
        ("organizations", "malformed_response")
    ]
    assert "IndexError" in collection.gaps[0].message
    assert "still-read" in [a.name for a in collection.assets]


@pytest.mark.parametrize(
    ("status", "reason"),
    [("ENABLED", "region_disabled"), ("ENABLED_BY_DEFAULT", "credentials_rejected")],
)
def test_region_disabled_mid_scan_or_credentials_expired(
    aws: AwsSandbox, status: str, reason: str
) -> None:
    # only an opt-in region can be switched off; elsewhere the credentials were rejected
    aws.seed({"regions": [{"name": "eu-west-1"}, {"name": "eu-south-1", "status": status}]})
    seeding_client("sqs", aws.moto, "eu-west-1").create_queue(QueueName="still-read")
    aws.fault("*", "UnrecognizedClientException", region="eu-south-1")
    collection = aws.collect(through_stub=True, regions=None, services=["sqs", "sns"])
    off = {(g.service, g.region, g.reason) for g in collection.gaps}
    assert off == {(s, "eu-south-1", reason) for s in ("sqs", "sns")}
    assert [a.name for a in collection.assets] == ["still-read"]


def test_incomplete_scan_exits_3_with_the_gap_in_the_report(
    aws: AwsSandbox, tmp_path: Path
) -> None:
    create_bucket(aws.moto, "eu-only", "eu-west-1")
    aws.fault("s3", "SlowDown", status=503, operation="GetBucketReplication")
    result = run_cli(
        "scan", "aws", "--endpoint-url", aws.stub.url, "--services", "s3", "--max-attempts", "1",
        "--output-dir", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 3, result.stderr
    assert "Traceback" not in result.stderr
    document = json.loads((tmp_path / "report.json").read_text())
    (target,) = document["targets"]
    (gap,) = target["coverage"]["gaps"]
    assert gap["reason"] == GapReason.THROTTLED and gap["resource"] == "eu-only"


def test_unknown_service_name_is_a_usage_error(aws: AwsSandbox, tmp_path: Path) -> None:
    result = run_cli("scan", "aws", "--endpoint-url", aws.moto, "--services", "s3,floppy",
                     "--output-dir", str(tmp_path))  # fmt: skip
    assert result.exit_code == 2 and "floppy" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("operator", ["DateLessThan", "NumericGreaterThan"])
def test_scp_with_an_unexpected_operator_exits_3(
    aws: AwsSandbox, tmp_path: Path, operator: str
) -> None:
    statement = {"Effect": "Deny", "Action": "*", "Resource": "*",
                 "Condition": {operator: {"aws:CurrentTime": "1"}}}  # fmt: skip
    policy = {"name": "odd", "attach": ["root"], "document": {"Statement": [statement]}}
    aws.seed({"organization": {"accounts": ["prod"], "policies": [policy]}})
    result = run_cli("scan", "aws", "--endpoint-url", aws.moto, "--services", "organizations",
                     "--output-dir", str(tmp_path))  # fmt: skip
    assert result.exit_code == 3
    (gap,) = json.loads((tmp_path / "report.json").read_text())["targets"][0]["coverage"]["gaps"]
    assert gap["reason"] == GapReason.UNSUPPORTED_CONTENT and operator in gap["message"]
