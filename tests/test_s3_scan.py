"""The AWS S3 slice end to end: boto3 -> moto's server over HTTP -> checks -> report.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import urllib3

from reports.json_format import validate
from sandbox.aws import create_bucket, replicate, seed, seeding_client
from tests.conftest import run_cli

DEMO = {
    "buckets": [
        {"name": "eu-recordings", "region": "eu-central-1"},
        {"name": "chats", "region": "eu-west-1", "replicate_to": "chats-dr"},
        {"name": "chats-dr", "region": "us-west-2"},
        {"name": "legacy-us", "region": "us-east-1"},
        {"name": "london", "region": "eu-west-2"},
        {"name": "zurich", "region": "eu-central-2"},
    ]
}


def scan(moto: str, out: Path, *extra: str) -> tuple[int, dict | None, str]:
    result = run_cli(
        "scan", "aws", "--endpoint-url", moto, "--max-attempts", "1", "--services", "s3",
        "--regions", "eu-west-1", "--output-dir", str(out), *extra,
    )  # fmt: skip
    report = out / "report.json"
    document = json.loads(report.read_text()) if report.exists() else None
    if document is not None:
        validate(document)
    return result.exit_code, document, result.stderr


def by_resource(document: dict, check: str) -> dict[str, dict]:
    return {f["resource_name"]: f for f in document["findings"] if f["check_id"] == check}


def test_storage_and_replication_are_judged_by_jurisdiction(moto: str, tmp_path: Path) -> None:
    seed(moto, DEMO)
    code, document, _ = scan(moto, tmp_path)
    assert code == 1
    storage = by_resource(document, "storage-outside-allowed")
    assert {n: f["status"] for n, f in storage.items()} == {
        "eu-recordings": "pass",
        "chats": "pass",
        "chats-dr": "fail",
        "legacy-us": "fail",
        "london": "fail",
        "zurich": "fail",
    }
    assert storage["legacy-us"]["location"] == "aws:us-east-1"
    assert storage["legacy-us"]["country"] == "US"
    assert storage["london"]["jurisdiction"] == "adequate"
    assert storage["zurich"]["country"] == "CH"
    replication = by_resource(document, "replication-outside-allowed")
    assert list(replication) == ["chats -> chats-dr"]
    flow = replication["chats -> chats-dr"]
    assert flow["status"] == "fail" and flow["location"] == "aws:us-west-2"
    # AWS's DPA (with SCCs) is an Art. 46 tool on record: the copy breaches the residency policy;
    # its missing TIA is the processor-transfer-basis finding's business.
    assert flow["articles"] == ["5(2)", "24", "25"] and "residency policy" in flow["message"]


def test_adequacy_countries_are_allowed_only_when_the_policy_opts_in(
    moto: str, tmp_path: Path
) -> None:
    seed(moto, DEMO)
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nadequacy_countries: [GB]\n")
    _, document, _ = scan(moto, tmp_path / "out", "--policy", str(policy))
    storage = by_resource(document, "storage-outside-allowed")
    assert storage["london"]["status"] == "pass"
    assert "adequacy" in storage["london"]["message"]
    assert storage["zurich"]["status"] == "fail"


def test_call_budget_is_three_plus_two_per_bucket(moto: str, tmp_path: Path) -> None:
    for index in range(5):
        create_bucket(moto, f"budget-{index}", ["eu-west-1", "us-east-1"][index % 2])
    _, document, _ = scan(moto, tmp_path)
    (target,) = document["targets"]
    assert target["api_calls_total"] <= 3 + 2 * 5
    assert target["api_calls"]["s3.GetBucketReplication"] == 5
    assert document["summary"]["api_calls"] == target["api_calls_total"]


def test_legacy_location_values_are_normalised(moto: str, tmp_path: Path) -> None:
    seeding_client("s3", moto, "us-east-1").create_bucket(
        Bucket="legacy-eu", CreateBucketConfiguration={"LocationConstraint": "EU"}
    )
    create_bucket(moto, "null-location", "us-east-1")
    _, document, _ = scan(moto, tmp_path)
    storage = by_resource(document, "storage-outside-allowed")
    assert storage["legacy-eu"]["location"] == "aws:eu-west-1"
    assert storage["legacy-eu"]["status"] == "pass"
    assert storage["null-location"]["location"] == "aws:us-east-1"


def test_empty_account_is_clean(moto: str, tmp_path: Path) -> None:
    code, document, _ = scan(moto, tmp_path)
    assert code == 0
    assert document["summary"]["verdict"] == "review"  # vendor register entries to complete
    assert {f["status"] for f in document["findings"]} == {"pass", "manual"}
    assert not by_resource(document, "storage-outside-allowed")


def test_denied_bucket_location_is_a_gap_and_the_rest_is_scanned(
    moto: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(moto, DEMO)
    iam = seeding_client("iam", moto, "us-east-1")
    iam.create_user(UserName="scanner")
    iam.put_user_policy(
        UserName="scanner",
        PolicyName="read",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:ListAllMyBuckets",
                     "s3:GetReplicationConfiguration", "sts:GetCallerIdentity"], "Resource": "*"},
                    {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                     "Resource": [f"arn:aws:s3:::{b['name']}" for b in DEMO["buckets"]
                                  if b["name"] != "zurich"]},
                ],
            }
        ),
    )  # fmt: skip
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    urllib3.request("POST", f"{moto}/moto-api/reset-auth", body=b"0")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    code, document, _ = scan(moto, tmp_path)
    assert code == 3
    assert document["summary"]["verdict"] in ("fail", "incomplete")
    storage = by_resource(document, "storage-outside-allowed")
    assert storage["zurich"]["status"] == "error"
    assert storage["eu-recordings"]["status"] == "pass"
    (target,) = document["targets"]
    assert not target["complete"]
    gaps = target["coverage"]["gaps"]
    assert {(g["reason"], g["resource"]) for g in gaps} == {("access_denied", "zurich")}, gaps
    assert gaps[0]["operation"] == "HeadBucket/GetBucketLocation"
    assert key["SecretAccessKey"] not in (tmp_path / "report.json").read_text()


def test_replication_destination_region_is_located(moto: str, tmp_path: Path) -> None:
    create_bucket(moto, "src", "eu-west-1")
    create_bucket(moto, "partner-bucket", "ap-southeast-2")
    replicate(moto, "src", "eu-west-1", "partner-bucket")
    _, document, _ = scan(moto, tmp_path)
    (flow,) = by_resource(document, "replication-outside-allowed").values()
    assert flow["location"] == "aws:ap-southeast-2" and flow["status"] == "fail"
