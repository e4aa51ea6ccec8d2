"""Each transfer path out of a region: a planted copy to the US fails, its EU twin passes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from sandbox.aws import create_bucket, seeding_client
from tests.aws.conftest import AwsSandbox, by_check

SOURCE = "eu-west-1"
Seeder = Callable[[AwsSandbox, str], None]


def dynamodb(aws: AwsSandbox, destination: str) -> None:
    aws.seed(
        {"dynamodb_tables": [{"name": "profiles", "region": SOURCE, "replicas": [destination]}]}
    )


def rds_read_replica(aws: AwsSandbox, destination: str) -> None:
    source = seeding_client("rds", aws.moto, SOURCE)
    db = source.create_db_instance(
        DBInstanceIdentifier="crm", Engine="postgres", DBInstanceClass="db.t3.micro",
        MasterUsername="admin", MasterUserPassword="not-a-secret-1", AllocatedStorage=20,
    )["DBInstance"]  # fmt: skip
    seeding_client("rds", aws.moto, destination).create_db_instance_read_replica(
        DBInstanceIdentifier="crm-replica", SourceDBInstanceIdentifier=db["DBInstanceArn"],
        SourceRegion=SOURCE,
    )  # fmt: skip


def aurora_global(aws: AwsSandbox, destination: str) -> None:
    seeding_client("rds", aws.moto, SOURCE).create_global_cluster(
        GlobalClusterIdentifier="orders-global", Engine="aurora-postgresql"
    )
    for region in (SOURCE, destination):
        seeding_client("rds", aws.moto, region).create_db_cluster(
            DBClusterIdentifier=f"orders-{region}", Engine="aurora-postgresql",
            MasterUsername="admin", MasterUserPassword="not-a-secret-1",
            GlobalClusterIdentifier="orders-global",
        )  # fmt: skip


def rds_snapshot_copy(aws: AwsSandbox, destination: str) -> None:
    source = seeding_client("rds", aws.moto, SOURCE)
    source.create_db_instance(
        DBInstanceIdentifier="billing", Engine="postgres", DBInstanceClass="db.t3.micro",
        MasterUsername="admin", MasterUserPassword="not-a-secret-1", AllocatedStorage=20,
    )  # fmt: skip
    snap = source.create_db_snapshot(DBInstanceIdentifier="billing", DBSnapshotIdentifier="nightly")
    arn = snap["DBSnapshot"]["DBSnapshotArn"]
    seeding_client("rds", aws.moto, destination).copy_db_snapshot(
        SourceDBSnapshotIdentifier=arn, TargetDBSnapshotIdentifier="nightly-copy",
        SourceRegion=SOURCE,
    )  # fmt: skip
    # moto leaves SourceRegion empty on the copy; the stub adds it as AWS does
    aws.seed({"rds_snapshot_copies": [{"region": destination, "snapshot": "nightly-copy",
                                       "source_region": SOURCE, "source": arn}]})  # fmt: skip


def rds_backup_replication(aws: AwsSandbox, destination: str) -> None:
    seeding_client("rds", aws.moto, SOURCE).create_db_instance(
        DBInstanceIdentifier="tickets", Engine="postgres", DBInstanceClass="db.t3.micro",
        MasterUsername="admin", MasterUserPassword="not-a-secret-1", AllocatedStorage=20,
        BackupRetentionPeriod=7,
    )  # fmt: skip
    target = f"arn:aws:rds:{destination}:123456789012:auto-backup:ab-tickets"
    # moto lacks StartDBInstanceAutomatedBackupsReplication; the stub adds its result
    aws.seed({"rds_backup_replications": [{"region": SOURCE, "instance": "tickets",
                                           "destination_arn": target}]})  # fmt: skip


def ebs_snapshot_copy(aws: AwsSandbox, destination: str) -> None:
    ec2 = seeding_client("ec2", aws.moto, SOURCE)
    volume = ec2.create_volume(AvailabilityZone=f"{SOURCE}a", Size=8)
    snap = ec2.create_snapshot(VolumeId=volume["VolumeId"])["SnapshotId"]
    seeding_client("ec2", aws.moto, destination).copy_snapshot(
        SourceSnapshotId=snap, SourceRegion=SOURCE,
        Description=f"[Copied {snap} from {SOURCE}]",  # the description AWS writes on a copy
    )  # fmt: skip


def ami_copy(aws: AwsSandbox, destination: str) -> None:
    ec2 = seeding_client("ec2", aws.moto, SOURCE)
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1)["Instances"][0]
    image = ec2.create_image(InstanceId=instance["InstanceId"], Name="golden")["ImageId"]
    seeding_client("ec2", aws.moto, destination).copy_image(
        SourceImageId=image, SourceRegion=SOURCE, Name="golden-copy",
        Description=f"[Copied {image} from {SOURCE}]",  # moto fills no SourceImageRegion
    )  # fmt: skip


def ecr_replication(aws: AwsSandbox, destination: str) -> None:
    seeding_client("ecr", aws.moto, SOURCE).put_replication_configuration(
        replicationConfiguration={
            "rules": [{"destinations": [{"region": destination, "registryId": "123456789012"}]}]
        }
    )


def backup_copy(aws: AwsSandbox, destination: str) -> None:
    backup = seeding_client("backup", aws.moto, SOURCE)
    backup.create_backup_vault(BackupVaultName="primary")
    backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "daily",
            "Rules": [{
                "RuleName": "daily", "TargetBackupVaultName": "primary",
                "CopyActions": [{"DestinationBackupVaultArn":
                                 f"arn:aws:backup:{destination}:123456789012:backup-vault:dr"}],
            }],
        }
    )  # fmt: skip


def secret_replica(aws: AwsSandbox, destination: str) -> None:
    seeding_client("secretsmanager", aws.moto, SOURCE).create_secret(
        Name="crm-db", SecretString="not-a-secret", AddReplicaRegions=[{"Region": destination}]
    )


def kms_replica(aws: AwsSandbox, destination: str) -> None:
    key = seeding_client("kms", aws.moto, SOURCE).create_key(MultiRegion=True)["KeyMetadata"]
    seeding_client("kms", aws.moto, SOURCE).replicate_key(
        KeyId=key["KeyId"], ReplicaRegion=destination
    )


def cloudtrail_bucket(aws: AwsSandbox, destination: str) -> None:
    create_bucket(aws.moto, "audit-logs", destination)
    seeding_client("cloudtrail", aws.moto, SOURCE).create_trail(
        Name="org-trail", S3BucketName="audit-logs", IsMultiRegionTrail=True
    )


def s3_mrap(aws: AwsSandbox, destination: str) -> None:
    create_bucket(aws.moto, "mrap-eu", SOURCE)
    create_bucket(aws.moto, "mrap-other", destination)
    control = seeding_client("s3control", aws.moto, "us-west-2")
    host = urlsplit(aws.moto).netloc

    def strip_account(request: Any, **_: Any) -> None:  # moto: see the field guide, section 5.5
        parts = urlsplit(request.url)
        if parts.netloc != host and parts.netloc.endswith(host):
            request.url = urlunsplit(parts._replace(netloc=host))
            request.headers["Host"] = f"{parts.netloc.split('.')[0]}.s3-control.amazonaws.com"

    control.meta.events.register("before-send.s3-control", strip_account)
    control.create_multi_region_access_point(
        AccountId="123456789012", ClientToken="t1",
        Details={"Name": "global", "Regions": [{"Bucket": "mrap-eu"}, {"Bucket": "mrap-other"}]},
    )  # fmt: skip


def efs_replication(aws: AwsSandbox, destination: str) -> None:
    # moto answers DescribeReplicationConfigurations with 500; the stub serves it
    copy = {"region": destination, "file_system": "fs-9f8e7d6c"}
    aws.seed({"efs_replications": [
        {"file_system": "fs-0a1b2c3d", "region": SOURCE, "destinations": [copy]}
    ]})  # fmt: skip


def elasticache_global(aws: AwsSandbox, destination: str) -> None:
    # moto answers DescribeGlobalReplicationGroups with 500; the stub serves it
    aws.seed({"elasticache_global_datastores": [{"id": "ldgnf-sessions", "members": [
        {"group": "sessions-dr", "region": destination},
        {"group": "sessions", "region": SOURCE, "role": "PRIMARY"},
    ]}]})  # fmt: skip


def dynamodb_legacy(aws: AwsSandbox, destination: str) -> None:
    # moto answers ListGlobalTables with 500; the stub serves the 2017.11.29 version
    aws.seed({"dynamodb_legacy_global_tables": [
        {"name": "aaa-other", "regions": ["ap-south-1", "sa-east-1"]},
        {"name": "orders", "regions": [SOURCE, destination]},
    ]})  # fmt: skip


PATHS: dict[str, tuple[Seeder, list[str], str]] = {
    # name: (seeder, services to read, path attribute of the flow)
    "dynamodb": (dynamodb, ["dynamodb"], "dynamodb_global_table"),
    "rds_read_replica": (rds_read_replica, ["rds"], "rds_read_replica"),
    "aurora_global": (aurora_global, ["rds"], "aurora_global_database"),
    "rds_snapshot_copy": (rds_snapshot_copy, ["rds"], "rds_snapshot_copy"),
    "rds_backup_replication": (rds_backup_replication, ["rds"], "rds_backup_replication"),
    "ebs_snapshot_copy": (ebs_snapshot_copy, ["ec2"], "ec2_snapshot_copy"),
    "ami_copy": (ami_copy, ["ec2"], "ec2_image_copy"),
    "ecr": (ecr_replication, ["ecr"], "ecr_replication"),
    "backup": (backup_copy, ["backup"], "backup_copy_action"),
    "secrets": (secret_replica, ["secretsmanager"], "secretsmanager_replica"),
    "kms": (kms_replica, ["kms"], "kms_multi_region_replica"),
    "cloudtrail": (cloudtrail_bucket, ["cloudtrail", "s3"], "cloudtrail_log_delivery"),
    "mrap": (s3_mrap, ["s3control", "s3"], "s3_multi_region_access_point"),
    "efs": (efs_replication, ["efs"], "efs_replication"),
    "elasticache": (elasticache_global, ["elasticache"], "elasticache_global_datastore"),
    "dynamodb_legacy": (dynamodb_legacy, ["dynamodb"], "dynamodb_legacy_global_table"),
}


@pytest.mark.parametrize("name", sorted(PATHS))
@pytest.mark.parametrize(
    ("destination", "status"), [("us-east-1", "fail"), ("eu-central-1", "pass")]
)
def test_transfer_path_is_judged_by_its_destination(
    aws: AwsSandbox, name: str, destination: str, status: str
) -> None:
    seeder, services, path = PATHS[name]
    seeder(aws, destination)
    collection = aws.collect(through_stub=True, regions=[SOURCE, destination], services=services)
    assert collection.gaps == []
    flows = [f for f in collection.flows if f.attributes.get("path") == path]
    assert flows, f"no {path} flow in {[f.attributes.get('path') for f in collection.flows]}"
    assert {f.destination for f in flows} >= {f"aws:{destination}"}
    verdicts = by_check(collection, "replication-outside-allowed")
    judged = [verdicts[n] for n in verdicts if any(f.id == verdicts[n].resource for f in flows)]
    assert judged and {f.status for f in judged if f.location == f"aws:{destination}"} == {status}


@pytest.mark.parametrize(
    ("bucket_region", "status"), [("us-east-1", "fail"), ("eu-central-1", "pass")]
)
def test_connect_recordings_are_judged_where_the_bucket_is(
    aws: AwsSandbox, bucket_region: str, status: str
) -> None:
    create_bucket(aws.moto, "contact-centre-media", bucket_region)
    aws.seed({"connect_instances": [{
        "id": "inst-1", "alias": "support", "region": "eu-central-1",
        "storage": [{"type": "CALL_RECORDINGS", "bucket": "contact-centre-media", "prefix": "rec"},
                    {"type": "CHAT_TRANSCRIPTS", "bucket": "contact-centre-media",
                     "prefix": "chat"},
                    {"type": "MEDIA_STREAMS", "prefix": "live"}],
    }]})  # fmt: skip
    collection = aws.collect(services=["connect"], regions=["eu-central-1", "eu-west-1"])
    assert collection.gaps == []
    assert "connect: not offered in eu-west-1" in collection.read
    storage = {a.attributes["resource_type"]: a for a in collection.assets
               if a.kind == "connect.storage"}  # fmt: skip
    assert set(storage) == {"CALL_RECORDINGS", "CHAT_TRANSCRIPTS", "MEDIA_STREAMS"}
    assert storage["CALL_RECORDINGS"].location == f"aws:{bucket_region}"
    assert storage["CALL_RECORDINGS"].data_categories == ["call_recordings"]
    assert storage["MEDIA_STREAMS"].location == "aws:eu-central-1"
    verdicts = by_check(collection, "storage-outside-allowed")
    recordings = [f for n, f in verdicts.items() if "call recordings" in n]
    assert [f.status for f in recordings] == [status]
    assert collection.calls["connect.ListInstanceStorageConfigs"] == 13  # one per resource type


@pytest.mark.parametrize(
    ("price_class", "edges"), [("PriceClass_100", "Israel"), ("PriceClass_All", "worldwide")]
)
def test_cloudfront_edge_caching_warns_with_the_price_class(
    aws: AwsSandbox, price_class: str, edges: str
) -> None:
    create_bucket(aws.moto, "site-assets", SOURCE)
    seeding_client("cloudfront", aws.moto, "us-east-1").create_distribution(
        DistributionConfig={
            "CallerReference": "site", "Comment": "", "Enabled": True, "PriceClass": price_class,
            "Origins": {"Quantity": 1, "Items": [{
                "Id": "s3", "DomainName": "site-assets.s3.amazonaws.com",
                "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "allow-all",
                                     "MinTTL": 0, "ForwardedValues": {"QueryString": False,
                                     "Cookies": {"Forward": "none"}}},
        }
    )  # fmt: skip
    collection = aws.collect(services=["cloudfront"])
    (flow,) = collection.flows
    assert flow.kind == "edge_cache" and flow.source == "aws:s3:::site-assets"
    (finding,) = by_check(collection, "aws-cloudfront-edge").values()
    assert finding.status == "warn" and price_class in finding.message and edges in finding.message


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("elasticfilesystem", "DescribeReplicationConfigurations"),
        ("elasticache", "DescribeGlobalReplicationGroups"),
        ("dynamodb", "ListGlobalTables"),
    ],
)
def test_unreadable_replication_settings_are_a_gap(
    aws: AwsSandbox, service: str, operation: str
) -> None:
    efs_replication(aws, "us-east-1")
    aws.fault(service, "AccessDeniedException", status=403, operation=operation, region=SOURCE)
    collection = aws.collect(services=["efs", "elasticache", "dynamodb"], regions=[SOURCE])
    assert [(g.operation, g.reason, g.region) for g in collection.gaps] == [
        (operation, "access_denied", SOURCE)
    ]
