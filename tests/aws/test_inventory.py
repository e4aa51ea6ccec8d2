"""Inventory: one data-bearing resource per service, each located in its region; no call twice."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from connectors.aws.connector import split_workers
from sandbox.aws import create_bucket, seeding_client
from tests.aws.conftest import AwsSandbox, by_check

REGION = "eu-west-1"
PASSWORD = "not-a-secret-1A"
KINDS = {
    "ec2.instance", "ec2.volume", "ec2.snapshot", "ec2.image", "rds.instance", "rds.cluster",
    "rds.snapshot", "dynamodb.table", "lambda.function", "efs.file_system", "ecr.repository",
    "sqs.queue", "sns.topic", "kms.key", "secretsmanager.secret", "logs.log_group",
    "kinesis.stream", "elasticache.cluster", "redshift.cluster", "opensearch.domain",
    "backup.vault", "cloudtrail.trail", "s3.bucket",
}  # fmt: skip
ENCRYPTABLE = {
    "ec2.volume", "ec2.snapshot", "rds.instance", "rds.cluster", "rds.snapshot",
    "dynamodb.table", "efs.file_system", "logs.log_group", "cloudtrail.trail",
}  # fmt: skip


def seed_one_of_each(moto: str) -> None:
    def client(service: str) -> object:
        return seeding_client(service, moto, REGION)

    ec2 = client("ec2")
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]
    volume = ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=8)
    ec2.create_snapshot(VolumeId=volume["VolumeId"])
    ec2.create_image(InstanceId=instance["InstanceId"], Name="golden")
    rds = client("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="crm", Engine="postgres", DBInstanceClass="db.t3.micro",
        MasterUsername="admin", MasterUserPassword=PASSWORD, AllocatedStorage=20,
    )  # fmt: skip
    rds.create_db_snapshot(DBInstanceIdentifier="crm", DBSnapshotIdentifier="crm-snap")
    rds.create_db_cluster(DBClusterIdentifier="orders", Engine="aurora-postgresql",
                          MasterUsername="admin", MasterUserPassword=PASSWORD)  # fmt: skip
    client("dynamodb").create_table(
        TableName="profiles", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )  # fmt: skip
    role = seeding_client("iam", moto, "us-east-1").create_role(
        RoleName="fn",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    client("lambda").create_function(
        FunctionName="export", Runtime="python3.12", Role=role, Handler="handler.handler",
        Code={"ZipFile": code.getvalue()},
    )  # fmt: skip
    client("efs").create_file_system(CreationToken="shared")
    client("ecr").create_repository(repositoryName="app")
    client("sqs").create_queue(QueueName="tickets")
    client("sns").create_topic(Name="alerts")
    client("kms").create_key(Description="app key")
    client("secretsmanager").create_secret(Name="db", SecretString="not-a-secret")
    client("logs").create_log_group(logGroupName="/app/web")
    client("kinesis").create_stream(StreamName="events", ShardCount=1)
    client("elasticache").create_cache_cluster(
        CacheClusterId="sessions", Engine="redis", CacheNodeType="cache.t3.micro", NumCacheNodes=1
    )
    client("redshift").create_cluster(
        ClusterIdentifier="dwh", NodeType="dc2.large", MasterUsername="admin",
        MasterUserPassword=PASSWORD,
    )  # fmt: skip
    client("opensearch").create_domain(DomainName="search")
    client("backup").create_backup_vault(BackupVaultName="vault")
    create_bucket(moto, "trail-logs", REGION)
    client("cloudtrail").create_trail(Name="main", S3BucketName="trail-logs")


def test_one_asset_per_service_located_in_its_region(aws: AwsSandbox) -> None:
    seed_one_of_each(aws.moto)
    collection = aws.collect(
        services=[
            "ec2", "rds", "dynamodb", "lambda", "efs", "ecr", "sqs", "sns", "kms",
            "secretsmanager", "logs", "kinesis", "elasticache", "redshift", "opensearch",
            "backup", "cloudtrail", "s3",
        ]
    )  # fmt: skip
    assert collection.gaps == []
    data = [a for a in collection.assets if a.kind != "audit_log"]  # log sources: no location
    assert {a.kind for a in data} == KINDS
    for asset in data:
        assert asset.location == f"aws:{REGION}", asset
        assert asset.data_categories, asset
        assert "encrypted" in asset.attributes or asset.kind not in ENCRYPTABLE, asset
    storage = by_check(collection, "storage-outside-allowed")
    assert {f.status for f in storage.values()} == {"pass"}
    # no call repeated: every list call once per region, per-resource calls once per resource
    regional = [op for op in collection.calls if op.split(".")[0] != "s3" and op not in (
        "sts.GetCallerIdentity", "dynamodb.DescribeTable", "kms.DescribeKey", "kms.ListAliases",
        "secretsmanager.DescribeSecret", "cloudtrail.GetTrailStatus",
        "cloudtrail.LookupEvents")]  # fmt: skip
    once = {"rds.DescribeGlobalClusters"}  # answers for every region at once
    assert {op: collection.calls[op] for op in regional} == {
        op: 1 if op in once else 2 for op in regional
    }
    assert collection.calls["dynamodb.DescribeTable"] == 1
    assert collection.calls["secretsmanager.DescribeSecret"] == 1
    assert collection.calls["cloudtrail.GetTrailStatus"] == 1  # one trail, read in its home region
    assert collection.calls["cloudtrail.LookupEvents"] == 1  # event history: once per account
    assert collection.calls["kms.ListAliases"] == 1  # only where keys exist


def test_s3_only_call_budget(aws: AwsSandbox) -> None:
    regions = ["eu-west-1", "eu-central-1", "us-east-1", "eu-north-1"]
    for index in range(20):
        create_bucket(aws.moto, f"budget-{index:02d}", regions[index % 4])
    collection = aws.collect(services=["s3"], regions=None)
    assert sum(collection.calls.values()) <= 3 + 2 * 20
    assert collection.calls["s3.HeadBucket"] == collection.calls["s3.GetBucketReplication"] == 20
    assert "account.ListRegions" not in collection.calls  # S3 needs no region list


def test_workers_bound_the_calls_in_flight_across_both_pools(aws: AwsSandbox) -> None:
    """Units and their per-key fan-out share --workers: with 2, never more than 2 calls at once
    (two pools of 2 each let list units run beside two DescribeKey calls)."""
    kms = seeding_client("kms", aws.moto, REGION)
    for _ in range(12):
        kms.create_key(Description="many keys, a long fan-out")
    aws.stub.faults.latency_s = 0.02  # calls overlap whenever the pools let them
    try:
        collection = aws.collect(
            through_stub=True, services=["kms", "sqs", "sns", "kinesis", "logs"], workers=2
        )
    finally:
        aws.stub.faults.latency_s = 0.0
    assert collection.gaps == []
    assert len([a for a in collection.assets if a.kind == "kms.key"]) == 12
    assert aws.stub.peak_in_flight <= 2


@pytest.mark.parametrize(
    ("workers", "pools"), [(1, (1, 1)), (2, (1, 1)), (3, (1, 2)), (8, (4, 4)), (9, (4, 5))]
)
def test_workers_are_split_between_the_pools(workers: int, pools: tuple[int, int]) -> None:
    assert split_workers(workers) == pools
    assert sum(pools) == max(workers, 2)
