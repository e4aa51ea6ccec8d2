"""Art. 32 measures read from configuration, each with a violating and a clean case over HTTP:
S3 default encryption and TLS-only policies, encryption at rest of the other data stores, KMS key
location, CloudTrail coverage and log file validation, and the AWS log sources for Art. 33."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.aws import create_bucket, seeding_client, tls_only_policy
from tests.aws.conftest import AwsSandbox, by_check, findings

REGION = "eu-west-1"
PASSWORD = "not-a-secret-1A"


def statuses(collection: Any, check: str) -> dict[str, str]:
    return {name: f.status for name, f in by_check(collection, check).items()}


def put_policy(aws: AwsSandbox, bucket: str, document: dict[str, Any]) -> None:
    seeding_client("s3", aws.moto, REGION).put_bucket_policy(
        Bucket=bucket, Policy=json.dumps(document)
    )


def test_bucket_encryption_and_tls_only_policy(aws: AwsSandbox) -> None:
    aws.seed({"buckets": [
        {"name": "plain-legacy", "region": REGION, "encryption": "none"},
        {"name": "sse-tls", "region": REGION, "tls_only": True},
        {"name": "allow-if-tls", "region": REGION},
        {"name": "tls-version-only", "region": REGION},
        {"name": "deny-one-role", "region": REGION},
        {"name": "deny-one-account", "region": REGION},
    ]})  # fmt: skip
    allow = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::allow-if-tls/*",
             "Condition": {"Bool": {"aws:SecureTransport": "true"}}}  # fmt: skip
    put_policy(aws, "allow-if-tls", {"Version": "2012-10-17", "Statement": [allow]})
    version = tls_only_policy("tls-version-only")
    version["Statement"][0]["Condition"] = {"NumericLessThan": {"s3:TlsVersion": "1.2"}}
    put_policy(aws, "tls-version-only", version)
    one_role = tls_only_policy("deny-one-role")
    one_role["Statement"][0]["Principal"] = {"AWS": "arn:aws:iam::123456789012:role/app"}
    put_policy(aws, "deny-one-role", one_role)
    one_account = tls_only_policy("deny-one-account")  # narrowed: only that account's callers
    one_account["Statement"][0]["Condition"]["StringEquals"] = {
        "aws:PrincipalAccount": "123456789012"
    }
    put_policy(aws, "deny-one-account", one_account)
    collection = aws.collect(services=["s3-security"], regions=[REGION])
    assert collection.gaps == []
    assert statuses(collection, "aws-encryption-at-rest") == {
        "plain-legacy": "fail", "sse-tls": "pass", "allow-if-tls": "pass",
        "tls-version-only": "pass", "deny-one-role": "pass", "deny-one-account": "pass",
    }  # fmt: skip
    assert statuses(collection, "aws-s3-tls-only") == {
        "plain-legacy": "fail", "sse-tls": "pass", "allow-if-tls": "fail",
        "tls-version-only": "fail", "deny-one-role": "fail", "deny-one-account": "manual",
    }  # fmt: skip
    narrowed = by_check(collection, "aws-s3-tls-only")["deny-one-account"].message
    assert "only under further conditions" in narrowed
    # security assets carry no data categories: the storage check judges the bucket once
    assert not by_check(collection, "storage-outside-allowed")
    assert "DenyInsecureTransport" in by_check(collection, "aws-s3-tls-only")["sse-tls"].message


def test_customer_data_is_named_and_the_bucket_list_is_read_once(aws: AwsSandbox) -> None:
    aws.seed({
        "buckets": [{"name": "recordings", "region": REGION},
                    {"name": "scratch", "region": "us-east-1", "tls_only": True}],
        "connect_instances": [{"id": "c1", "region": "eu-central-1", "storage": [
            {"type": "CALL_RECORDINGS", "bucket": "recordings", "prefix": "rec"}]}],
    })  # fmt: skip
    collection = aws.collect(services=["s3", "s3-security", "connect"], regions=["eu-central-1"])
    assert collection.gaps == []
    tls = by_check(collection, "aws-s3-tls-only")
    assert (
        tls["recordings"].status == "fail" and "holds call_recordings" in tls["recordings"].message
    )
    assert tls["scratch"].status == "pass" and tls["scratch"].location == "aws:us-east-1"
    assert collection.calls["s3.ListBuckets"] == 1
    for op in ("HeadBucket", "GetBucketReplication", "GetBucketEncryption", "GetBucketPolicy"):
        assert collection.calls[f"s3.{op}"] == 2, op


def test_unreadable_policy_is_a_gap_and_manual_and_the_rest_is_judged(aws: AwsSandbox) -> None:
    aws.seed({"buckets": [{"name": "locked", "region": REGION, "tls_only": True},
                          {"name": "open", "region": REGION}]})  # fmt: skip
    aws.fault("s3", "AccessDenied", status=403, operation="GetBucketPolicy", resource="locked")
    collection = aws.collect(through_stub=True, services=["s3-security"], regions=[REGION])
    assert [(g.operation, g.reason, g.resource) for g in collection.gaps] == [
        ("GetBucketPolicy", "access_denied", "locked")
    ]
    assert statuses(collection, "aws-s3-tls-only") == {"locked": "manual", "open": "fail"}
    assert statuses(collection, "aws-encryption-at-rest") == {"locked": "pass", "open": "pass"}


def seed_data_stores(aws: AwsSandbox, key: str) -> None:
    rds = seeding_client("rds", aws.moto, REGION)
    for name, encrypted in (("crm-legacy", False), ("crm", True)):
        rds.create_db_instance(
            DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro",
            MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
            StorageEncrypted=encrypted, **({"KmsKeyId": key} if encrypted else {}),
        )  # fmt: skip
    ec2 = seeding_client("ec2", aws.moto, REGION)
    for name, encrypted in (("disk-plain", False), ("disk-kms", True)):
        ec2.create_volume(
            AvailabilityZone=f"{REGION}a", Size=8, Encrypted=encrypted,
            **({"KmsKeyId": key} if encrypted else {}),
            TagSpecifications=[{"ResourceType": "volume",
                                "Tags": [{"Key": "Name", "Value": name}]}],
        )  # fmt: skip
    efs = seeding_client("efs", aws.moto, REGION)
    efs.create_file_system(
        CreationToken="share-plain", Tags=[{"Key": "Name", "Value": "share-plain"}]
    )
    efs.create_file_system(
        CreationToken="share-kms", Encrypted=True, KmsKeyId=key,
        Tags=[{"Key": "Name", "Value": "share-kms"}],
    )  # fmt: skip
    dynamodb = seeding_client("dynamodb", aws.moto, REGION)
    for name, sse in (("owned", None), ("customer-key", key)):
        dynamodb.create_table(
            TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            **({"SSESpecification": {"Enabled": True, "SSEType": "KMS",
                                     "KMSMasterKeyId": sse}} if sse else {}),
        )  # fmt: skip
    logs = seeding_client("logs", aws.moto, REGION)
    logs.create_log_group(logGroupName="/app/service-key")
    logs.create_log_group(logGroupName="/app/kms", kmsKeyId=key)


def test_data_stores_are_judged_by_their_encryption_at_rest(aws: AwsSandbox) -> None:
    key = seeding_client("kms", aws.moto, REGION).create_key()["KeyMetadata"]["Arn"]
    seed_data_stores(aws, key)
    collection = aws.collect(
        through_stub=True, services=["rds", "ec2", "efs", "dynamodb", "logs"], regions=[REGION]
    )
    assert collection.gaps == []
    verdicts = by_check(collection, "aws-encryption-at-rest")
    snapshots = {n.rsplit("-", 5)[0]: f.status for n, f in verdicts.items() if n[:4] == "rds:"}
    assert snapshots == {"rds:crm-legacy": "fail", "rds:crm": "pass"}  # moto's automated ones
    assert {n: f.status for n, f in verdicts.items() if n[:4] != "rds:"} == {
        "crm-legacy": "fail", "crm": "pass", "disk-plain": "fail", "disk-kms": "pass",
        "share-plain": "fail", "share-kms": "pass", "owned": "pass", "customer-key": "pass",
        "/app/service-key": "pass", "/app/kms": "pass",
    }  # fmt: skip
    assert key in verdicts["crm"].message and key in verdicts["customer-key"].message
    assert "AWS owned key" in verdicts["owned"].message
    assert "service managed" in verdicts["/app/service-key"].message
    assert verdicts["crm-legacy"].articles[0] == "32(1)(a)"


@pytest.mark.parametrize(
    ("replicas", "status"), [(["us-east-1"], "fail"), (["eu-central-1"], "pass"), ([], "pass")]
)
def test_key_material_outside_the_eu_fails_for_eu_data(
    aws: AwsSandbox, replicas: list[str], status: str
) -> None:
    aws.seed({
        "kms_keys": [{"name": "data", "region": REGION, "multi_region": bool(replicas),
                      "replicas": replicas}],
        "buckets": [{"name": "eu-data", "region": REGION, "encryption": "data"},
                    {"name": "us-data", "region": "us-east-1", "encryption": "data"}],
    })  # fmt: skip
    collection = aws.collect(
        through_stub=True, services=["s3-security", "kms"], regions=[REGION, *replicas]
    )
    assert collection.gaps == []
    [verdict] = by_check(collection, "aws-kms-key-location").values()
    assert verdict.status == status
    assert verdict.evidence["protects"] == ["aws:s3:::eu-data/security"]  # US data: not EU data
    if status == "fail":
        assert "multi-Region key with key material in us-east-1" in verdict.message
        assert verdict.location == "aws:us-east-1"


@pytest.mark.parametrize("multi_region", [True, False])
def test_key_that_cannot_be_described_is_manual_never_pass(
    aws: AwsSandbox, multi_region: bool
) -> None:
    aws.seed({
        "kms_keys": [{"name": "data", "region": REGION, "multi_region": multi_region,
                      "replicas": ["us-east-1"] if multi_region else []}],
        "buckets": [{"name": "eu-data", "region": REGION, "encryption": "data"}],
    })  # fmt: skip
    aws.fault("kms", "AccessDeniedException", operation="DescribeKey")
    collection = aws.collect(through_stub=True, services=["s3-security", "kms"], regions=[REGION])
    assert {(g.operation, g.reason) for g in collection.gaps} == {("DescribeKey", "access_denied")}
    [verdict] = by_check(collection, "aws-kms-key-location").values()
    assert verdict.status == "manual"
    assert "could not be described" in verdict.message


def test_key_named_in_another_region_or_unread_replicas(aws: AwsSandbox) -> None:
    us_key = seeding_client("kms", aws.moto, "us-east-1").create_key()["KeyMetadata"]["Arn"]
    mrk = seeding_client("kms", aws.moto, REGION).create_key(MultiRegion=True)["KeyMetadata"]
    aws.seed({"buckets": [{"name": "us-keyed", "region": REGION},
                          {"name": "mrk-keyed", "region": REGION}]})  # fmt: skip
    s3 = seeding_client("s3", aws.moto, REGION)
    for bucket, key in (("us-keyed", us_key), ("mrk-keyed", mrk["Arn"])):
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                    "KMSMasterKeyID": key}}]})  # fmt: skip
    collection = aws.collect(services=["s3-security"], regions=[REGION])  # kms not read
    verdicts = {f.resource: f for f in findings(collection) if f.check_id == "aws-kms-key-location"}
    assert verdicts[us_key].status == "fail" and verdicts[us_key].location == "aws:us-east-1"
    assert verdicts[mrk["Arn"]].status == "manual"
    assert "replicas were not read" in verdicts[mrk["Arn"]].message


def test_alias_references_join_their_key(aws: AwsSandbox) -> None:
    aws.seed({
        "kms_keys": [{"name": "recordings", "region": REGION, "multi_region": True,
                      "replicas": ["us-east-1"]}],
        "buckets": [{"name": "by-alias", "region": REGION}, {"name": "by-arn", "region": REGION,
                                                            "encryption": "recordings"}],
    })  # fmt: skip
    seeding_client("s3", aws.moto, REGION).put_bucket_encryption(
        Bucket="by-alias", ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                    "KMSMasterKeyID": "alias/recordings"}}]},
    )  # fmt: skip
    read = aws.collect(through_stub=True, services=["s3-security", "kms"])
    [verdict] = [f for f in findings(read) if f.check_id == "aws-kms-key-location"]
    assert verdict.status == "fail"  # one key, whether named by alias or by ARN
    assert sorted(verdict.evidence["protects"]) == [
        "aws:s3:::by-alias/security", "aws:s3:::by-arn/security"
    ]  # fmt: skip
    unread = aws.collect(services=["s3-security"])
    by_alias = [f for f in findings(unread) if f.resource.endswith(":alias/recordings")]
    assert [f.status for f in by_alias] == ["manual"]


def trail(aws: AwsSandbox, **spec: Any) -> dict[str, Any]:
    create_bucket(aws.moto, "trail-logs", REGION)
    return {"name": "main", "region": REGION, "bucket": "trail-logs", **spec}


TRAILS: dict[str, tuple[dict[str, Any], str, str]] = {
    # case: (trail spec, coverage status, validation status)
    "multi-region, validated": ({"multi_region": True, "validation": True}, "pass", "pass"),
    "home region only": ({"validation": True}, "fail", "pass"),
    "stopped": ({"multi_region": True, "logging": False}, "fail", "fail"),
}


@pytest.mark.parametrize("case", sorted(TRAILS))
def test_cloudtrail_must_log_every_region_with_validation(aws: AwsSandbox, case: str) -> None:
    spec, coverage, validation = TRAILS[case]
    aws.seed({"trails": [trail(aws, **spec)]})
    collection = aws.collect(services=["cloudtrail"])
    assert collection.gaps == []
    [account] = by_check(collection, "aws-cloudtrail-all-regions").values()
    assert account.status == coverage
    if case == "home region only":
        assert account.evidence["uncovered"] == ["us-east-1"]
    assert statuses(collection, "aws-cloudtrail-log-validation") == {"main": validation}


def test_no_trail_fails_and_cloudtrail_not_read_is_not_judged(aws: AwsSandbox) -> None:
    collection = aws.collect(services=["cloudtrail"])
    [account] = by_check(collection, "aws-cloudtrail-all-regions").values()
    assert account.status == "fail" and "no trail records activity in eu-west-1" in account.message
    skipped = aws.collect(services=["s3"])
    assert not by_check(skipped, "aws-cloudtrail-all-regions")


def test_unreadable_trail_status_is_manual_never_pass(aws: AwsSandbox) -> None:
    aws.seed({"trails": [trail(aws, multi_region=True, validation=True)]})
    aws.fault("cloudtrail", "AccessDeniedException", operation="GetTrailStatus")
    collection = aws.collect(services=["cloudtrail"])
    assert [(g.operation, g.reason) for g in collection.gaps] == [
        ("GetTrailStatus", "access_denied")
    ]
    [account] = by_check(collection, "aws-cloudtrail-all-regions").values()
    assert account.status == "manual"


@pytest.mark.parametrize("denied_in", ["*", REGION])
def test_trails_that_cannot_be_listed_are_manual_never_fail(
    aws: AwsSandbox, denied_in: str
) -> None:
    aws.seed({"trails": [trail(aws, multi_region=True, validation=True)]})
    aws.fault("cloudtrail", "AccessDeniedException", operation="DescribeTrails", region=denied_in)
    collection = aws.collect(services=["cloudtrail"])
    assert {(g.operation, g.reason) for g in collection.gaps} == {
        ("DescribeTrails", "access_denied")
    }
    [account] = by_check(collection, "aws-cloudtrail-all-regions").values()
    assert account.status == "manual"
    assert f"trails could not be listed in {REGION}" in account.message


def test_log_sources_for_breach_readiness(aws: AwsSandbox) -> None:
    aws.seed({
        "trails": [trail(aws, multi_region=True, validation=True,
                         log_group={"name": "/trail/main", "retention": 400})],
        "event_history": [{"name": "ConsoleLogin", "time": datetime(2026, 11, 27, 8, tzinfo=UTC)},
                          {"name": "CreateBucket", "time": datetime(2026, 11, 1, tzinfo=UTC)}],
    })  # fmt: skip
    rules = [
        {"ID": "tagged", "Status": "Enabled", "Filter": {"Tag": {"Key": "tmp", "Value": "1"}},
         "Expiration": {"Days": 1}},
        {"ID": "other", "Status": "Enabled", "Filter": {"Prefix": "exports/"},
         "Expiration": {"Days": 7}},
        {"ID": "logs", "Status": "Enabled", "Filter": {"Prefix": "AWSLogs/"},
         "Expiration": {"Days": 730}},
    ]  # fmt: skip
    seeding_client("s3", aws.moto, REGION).put_bucket_lifecycle_configuration(
        Bucket="trail-logs", LifecycleConfiguration={"Rules": rules}
    )
    collection = aws.collect(services=["cloudtrail"])
    assert collection.gaps == []
    logs = {a.name: a.attributes for a in collection.assets if a.kind == "audit_log"}
    history = logs[f"CloudTrail event history (123456789012, {REGION})"]
    assert history["available"] is True and history["retention_days"] == 90
    assert history["newest_entry"].startswith("2026-11-27 08:00")
    files = logs["CloudTrail trail main (s3://trail-logs)"]
    assert files["available"] is True and files["retention_days"] == 730  # tag/prefix rules skip
    copy = logs["CloudTrail trail main -> CloudWatch Logs /trail/main"]
    assert copy["available"] is True and copy["retention_days"] == 400
    assert set(statuses(collection, "aws-audit-logs").values()) == {"pass"}
    [breach] = by_check(collection, "breach-readiness").values()
    assert "CloudWatch Logs /trail/main: available, kept 400 days" in breach.message


def test_log_groups_are_listed_once_per_region_for_trails_and_the_logs_reader(
    aws: AwsSandbox,
) -> None:
    first = trail(aws, log_group={"name": "/trail/main", "retention": 30})
    second = {**first, "name": "audit", "log_group": {"name": "/trail/audit"}}
    aws.seed({"trails": [first, second]})
    collection = aws.collect(services=["cloudtrail", "logs"])
    assert collection.gaps == []
    assert collection.calls["logs.DescribeLogGroups"] == 2  # one per region, not per trail
    logs = {a.name: a.attributes for a in collection.assets if a.kind == "audit_log"}
    assert logs["CloudTrail trail main -> CloudWatch Logs /trail/main"]["retention_days"] == 30
    audit = logs["CloudTrail trail audit -> CloudWatch Logs /trail/audit"]
    assert audit["available"] is True and audit["retention_days"] is None
    groups = {a.name for a in collection.assets if a.kind == "logs.log_group"}
    assert groups == {"/trail/main", "/trail/audit"}


def test_unlisted_log_groups_are_a_gap_for_the_trail(aws: AwsSandbox) -> None:
    aws.seed({"trails": [trail(aws, log_group={"name": "/trail/main"})]})
    aws.fault("logs", "AccessDeniedException", operation="DescribeLogGroups")
    collection = aws.collect(through_stub=True, services=["cloudtrail"])
    assert [(g.operation, g.reason, g.resource) for g in collection.gaps] == [
        (
            "DescribeLogGroups",
            "access_denied",
            f"arn:aws:logs:{REGION}:123456789012:log-group:/trail/main:*",
        )
    ]
    copy = {a.name: a.attributes for a in collection.assets if a.kind == "audit_log"}[
        "CloudTrail trail main -> CloudWatch Logs /trail/main"
    ]
    assert copy["available"] is None


def test_denied_event_history_is_unconfirmed_not_absent(aws: AwsSandbox) -> None:
    aws.fault("cloudtrail", "AccessDeniedException", operation="LookupEvents")
    collection = aws.collect(services=["cloudtrail"])
    assert [(g.operation, g.reason) for g in collection.gaps] == [("LookupEvents", "access_denied")]
    [history] = [a for a in collection.assets if a.kind == "audit_log"]
    assert history.attributes["available"] is None
    assert statuses(collection, "aws-audit-logs") == {history.name: "manual"}
    [account] = by_check(collection, "aws-cloudtrail-all-regions").values()
    assert account.status == "fail"  # no trail at all


def test_trail_of_an_unscanned_home_region_is_read_once_where_it_shows(aws: AwsSandbox) -> None:
    create_bucket(aws.moto, "trail-logs", "eu-central-1")
    aws.seed({"trails": [{"name": "central", "region": "eu-central-1", "bucket": "trail-logs",
                          "multi_region": True, "validation": True}]})  # fmt: skip
    collection = aws.collect(services=["cloudtrail"])  # eu-west-1 and us-east-1 only
    assert collection.gaps == []
    [found] = [a for a in collection.assets if a.kind == "cloudtrail.trail"]
    assert found.location == "aws:eu-central-1"
    assert collection.calls["cloudtrail.GetTrailStatus"] == 1
    assert statuses(collection, "aws-cloudtrail-all-regions") == {"account 123456789012": "pass"}


def test_trail_files_without_lifecycle_are_kept_until_deleted(aws: AwsSandbox) -> None:
    aws.seed({"trails": [trail(aws, multi_region=True)]})
    collection = aws.collect(services=["cloudtrail"])
    [files] = [a for a in collection.assets if a.id.endswith("trail/main/log")]
    assert files.attributes["retention_days"] is None
    assert "until deleted (no lifecycle rules)" in files.attributes["detail"]
