"""The simulated company's AWS account: moto's server on 127.0.0.1, seeded from a data file.

Seeding uses its own plain boto3 clients (it writes); the scanner reaches the same server only
through its read-only connector. APIs moto lacks (account regions, Connect storage, Artifact,
DynamoDB replicas) are served by :mod:`sandbox.aws_stub`, selected through the
per-service endpoint variables in the service's ``env``.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import boto3
import urllib3
import yaml
from botocore.config import Config

from sandbox.aws_stub import StubData, StubServer, stub_environment
from sandbox.service import RunningService

DATA = Path(__file__).parent / "data" / "aws_company.yaml"
ACCOUNT_ID = "123456789012"  # moto's default account
SANDBOX_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "sandbox",
    "AWS_SECRET_ACCESS_KEY": "sandbox",  # moto accepts any key; not a real secret
    "AWS_DEFAULT_REGION": "eu-central-1",
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}


def start_moto() -> tuple[Any, str]:
    """Start moto's threaded server on an ephemeral loopback port; returns (server, url)."""
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)  # moto logs unknown APIs as errors
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def seeding_client(service: str, url: str, region: str) -> Any:
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id=SANDBOX_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=SANDBOX_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        config=Config(retries={"max_attempts": 1}),
    )


def create_bucket(url: str, name: str, region: str) -> None:
    s3 = seeding_client("s3", url, region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def replicate(url: str, source: str, source_region: str, destination: str) -> None:
    s3 = seeding_client("s3", url, source_region)
    for bucket in (source, destination):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket=source,
        ReplicationConfiguration={
            "Role": "arn:aws:iam::123456789012:role/replication",
            "Rules": [
                {
                    "ID": f"to-{destination}",
                    "Priority": 1,
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
                }
            ],
        },
    )


def seed(url: str, dataset: dict[str, Any]) -> None:
    keys = {k["name"]: create_key(url, k) for k in dataset.get("kms_keys", [])}
    buckets = dataset.get("buckets", [])
    for bucket in buckets:
        create_bucket(url, bucket["name"], bucket["region"])
        protect_bucket(url, bucket, keys)
    for bucket in buckets:
        if bucket.get("replicate_to"):
            replicate(url, bucket["name"], bucket["region"], bucket["replicate_to"])
    for trail in dataset.get("trails", []):
        create_trail(url, trail)
    for snapshot in dataset.get("snapshots", []):
        create_snapshot(url, snapshot)
    for table in dataset.get("dynamodb_tables", []):
        create_table(url, table["name"], table["region"])
    if dataset.get("organization"):
        create_organization(url, dataset["organization"])


def create_key(url: str, spec: dict[str, Any]) -> str:
    """A KMS key (``multi_region`` with ``replicas: [regions]``); returns its ARN."""
    kms = seeding_client("kms", url, spec["region"])
    key = kms.create_key(
        Description=spec.get("description", spec["name"]),
        MultiRegion=spec.get("multi_region", False),
    )["KeyMetadata"]
    kms.create_alias(AliasName=f"alias/{spec['name']}", TargetKeyId=key["KeyId"])
    for region in spec.get("replicas", []):
        kms.replicate_key(KeyId=key["KeyId"], ReplicaRegion=region)
    return str(key["Arn"])


def protect_bucket(url: str, bucket: dict[str, Any], keys: dict[str, str]) -> None:
    """Default encryption as AWS sets it since 2023 (SSE-S3) unless ``encryption`` says
    ``none`` or names a KMS key; ``tls_only`` adds the standard deny-non-TLS bucket policy,
    ``shared_with: [account ids]`` lets those accounts read objects and ``expire_days`` adds a
    lifecycle rule deleting objects after that many days."""
    s3 = seeding_client("s3", url, bucket["region"])
    name, encryption = bucket["name"], bucket.get("encryption", "SSE-S3")
    if encryption != "none":
        default = {"SSEAlgorithm": "AES256"}
        if encryption != "SSE-S3":
            default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": keys[encryption]}
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": default}]
            },
        )
    statements = tls_only_policy(name)["Statement"] if bucket.get("tls_only") else []
    statements += [read_grant(name, account) for account in bucket.get("shared_with", [])]
    if statements:
        policy = {"Version": "2012-10-17", "Statement": statements}
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    if bucket.get("expire_days"):
        rule = {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""},
                "Expiration": {"Days": bucket["expire_days"]}}  # fmt: skip
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": [rule]})


def tls_only_policy(bucket: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


def read_grant(bucket: str, account: str) -> dict[str, Any]:
    return {
        "Sid": f"Read{account}",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
    }


def create_snapshot(url: str, spec: dict[str, Any]) -> str:
    """An EBS snapshot of a new volume (``region``, ``name``), shared with ``shared_with``
    (account ids, or ``all`` for everyone); returns its id."""
    ec2 = seeding_client("ec2", url, spec["region"])
    volume = ec2.create_volume(AvailabilityZone=f"{spec['region']}a", Size=1)["VolumeId"]
    tags = [{"ResourceType": "snapshot", "Tags": [{"Key": "Name", "Value": spec["name"]}]}]
    snapshot = ec2.create_snapshot(VolumeId=volume, TagSpecifications=tags)["SnapshotId"]
    ec2.delete_volume(VolumeId=volume)  # the snapshot outlives the volume it was taken of
    shared = spec.get("shared_with", [])
    groups = [s for s in shared if s == "all"]
    users = [s for s in shared if s != "all"]
    if shared:
        ec2.modify_snapshot_attribute(
            SnapshotId=snapshot, Attribute="createVolumePermission", OperationType="add",
            **({"GroupNames": groups} if groups else {}), **({"UserIds": users} if users else {}),
        )  # fmt: skip
    return str(snapshot)


def create_trail(url: str, spec: dict[str, Any]) -> None:
    """A trail (``multi_region``, ``validation``, ``logging``; ``log_group: {name, retention}``
    also delivers to CloudWatch Logs)."""
    region = spec["region"]
    extra: dict[str, Any] = {}
    if spec.get("log_group"):
        logs = seeding_client("logs", url, region)
        group = spec["log_group"]
        logs.create_log_group(logGroupName=group["name"])
        if group.get("retention"):
            logs.put_retention_policy(
                logGroupName=group["name"], retentionInDays=group["retention"]
            )
        extra = {
            "CloudWatchLogsLogGroupArn": (
                f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{group['name']}:*"
            ),
            "CloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/cloudtrail-to-logs",
        }
    cloudtrail = seeding_client("cloudtrail", url, region)
    cloudtrail.create_trail(
        Name=spec["name"],
        S3BucketName=spec["bucket"],
        IsMultiRegionTrail=spec.get("multi_region", False),
        EnableLogFileValidation=spec.get("validation", False),
        **extra,
    )
    if spec.get("logging", True):
        cloudtrail.start_logging(Name=spec["name"])


def create_table(url: str, name: str, region: str) -> None:
    seeding_client("dynamodb", url, region).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def create_organization(url: str, spec: dict[str, Any]) -> dict[str, str]:
    """An organisation with OUs, member accounts and SCPs; returns name -> id of each target.

    ``spec``: ``units: [{name, accounts: [names]}]``, ``accounts: [names]`` (under the root),
    ``policies: [{name, document | content, attach: [root | unit | account names]}]``.
    """
    org = seeding_client("organizations", url, "us-east-1")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    org.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    ids = {"root": root}

    def account(name: str, parent: str) -> None:
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")
        ids[name] = status["CreateAccountStatus"]["AccountId"]
        if parent != root:
            org.move_account(AccountId=ids[name], SourceParentId=root, DestinationParentId=parent)

    for name in spec.get("accounts", []):
        account(name, root)
    for unit in spec.get("units", []):
        ids[unit["name"]] = org.create_organizational_unit(ParentId=root, Name=unit["name"])[
            "OrganizationalUnit"
        ]["Id"]
        for name in unit.get("accounts", []):
            account(name, ids[unit["name"]])
    for policy in spec.get("policies", []):
        content = policy.get("content") or json.dumps(policy["document"])
        created = org.create_policy(
            Content=content,
            Description=policy.get("description", policy["name"]),
            Name=policy["name"],
            Type="SERVICE_CONTROL_POLICY",
        )["Policy"]["PolicySummary"]["Id"]
        for target in policy.get("attach", []):
            org.attach_policy(PolicyId=created, TargetId=ids.get(target, target))
    return ids


def start_stub(moto_url: str, dataset: dict[str, Any]) -> StubServer:
    """The loopback server for what moto lacks, serving ``dataset``."""
    return StubServer(StubData(ACCOUNT_ID, moto_url, dataset)).start()


def start_aws(dataset: dict[str, Any] | None = None) -> RunningService:
    """moto seeded with ``dataset`` (default: the sample company).

    moto keeps its accounts in process-wide state, so the sandbox starts from a reset: a second
    demo in the same process gets the same company, not a collision with the first one."""
    server, url = start_moto()
    urllib3.request("POST", f"{url}/moto-api/reset")
    data = dataset if dataset is not None else yaml.safe_load(DATA.read_text(encoding="utf-8"))
    seed(url, data)
    stub = start_stub(url, data)

    def stop() -> None:
        stub.stop()
        server.stop()

    return RunningService(
        name="aws-sandbox",
        provider="aws",
        url=url,
        settings={"endpoint_url": url, "region": "eu-central-1", "max_attempts": 2},
        stop=stop,
        env={**SANDBOX_CREDENTIALS, **stub_environment(stub.url)},
    )
