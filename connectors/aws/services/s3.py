"""S3 buckets, their regions and their replication rules (the transfer path out of a region).

Calls: one paginated ListBuckets, then per bucket one HeadBucket (its region; skipped when
ListBuckets already returned ``BucketRegion``) and one GetBucketReplication. A destination bucket
outside the account costs one more HeadBucket.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from connectors.aws.context import AwsScan, paginate
from connectors.aws.errors import error_code
from scanner.models import Asset, Flow

SERVICE = "s3"
NO_REPLICATION = {"ReplicationConfigurationNotFoundError", "NoSuchReplicationConfiguration"}


def normalise_region(value: str | None) -> str:
    """GetBucketLocation/HeadBucket quirks: None or '' is us-east-1, legacy 'EU' is eu-west-1."""
    if not value:
        return "us-east-1"
    if value == "EU":
        return "eu-west-1"
    return value


def bucket_asset_id(name: str) -> str:
    return f"aws:s3:::{name}"


def collect(scan: AwsScan) -> None:
    client = scan.clients.client(SERVICE)
    try:
        buckets = paginate(client, "list_buckets", "Buckets", PaginationConfig={"PageSize": 1000})
    except (ClientError, BotoCoreError) as exc:
        scan.gap(SERVICE, "ListBuckets", exc)
        return
    scan.recorder.read(f"s3: {len(buckets)} buckets")
    regions = dict(scan.map(lambda b: (b["Name"], _bucket_region(scan, b)), buckets))
    scan.map(lambda b: _bucket(scan, b, regions), buckets)


def _bucket_region(scan: AwsScan, bucket: dict[str, Any]) -> str | None:
    if "BucketRegion" in bucket:
        return normalise_region(bucket["BucketRegion"])
    return locate_bucket(scan, bucket["Name"])


def locate_bucket(scan: AwsScan, name: str) -> str | None:
    """HeadBucket's region header, else GetBucketLocation; None (and a gap) if both fail."""
    client = scan.clients.client(SERVICE)
    try:
        return normalise_region(client.head_bucket(Bucket=name).get("BucketRegion"))
    except ClientError as exc:
        headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        if headers.get("x-amz-bucket-region"):
            return normalise_region(headers["x-amz-bucket-region"])
    except BotoCoreError:
        pass  # fall through to GetBucketLocation, whose error is the one recorded
    try:
        return normalise_region(client.get_bucket_location(Bucket=name).get("LocationConstraint"))
    except (ClientError, BotoCoreError) as exc:
        scan.gap(SERVICE, "HeadBucket/GetBucketLocation", exc, resource=name)
        return None


def _bucket(scan: AwsScan, bucket: dict[str, Any], regions: dict[str, str | None]) -> None:
    name = bucket["Name"]
    region = regions.get(name)
    rules = _replication_rules(scan, name, region)
    scan.recorder.asset(
        Asset(
            id=bucket_asset_id(name),
            provider="aws",
            kind="s3.bucket",
            name=name,
            location=f"aws:{region}" if region else None,
            data_categories=["unclassified"],
            attributes={
                "account": scan.account_id,
                "region": region,
                "created": str(bucket.get("CreationDate", "")),
                "replication_rules": len(rules),
            },
        )
    )
    for rule in rules:
        _replication_flow(scan, name, rule, regions)


def _replication_rules(scan: AwsScan, name: str, region: str | None) -> list[dict[str, Any]]:
    client = scan.clients.client(SERVICE, region)
    try:
        config = client.get_bucket_replication(Bucket=name)["ReplicationConfiguration"]
    except ClientError as exc:
        if error_code(exc) not in NO_REPLICATION:
            scan.gap(SERVICE, "GetBucketReplication", exc, resource=name, region=region)
        return []
    except BotoCoreError as exc:
        scan.gap(SERVICE, "GetBucketReplication", exc, resource=name, region=region)
        return []
    return list(config.get("Rules", []))


def _replication_flow(
    scan: AwsScan, source: str, rule: dict[str, Any], regions: dict[str, str | None]
) -> None:
    destination = rule.get("Destination", {})
    bucket = destination.get("Bucket", "").rsplit(":", 1)[-1]
    if not bucket:
        return
    region = regions[bucket] if bucket in regions else locate_bucket(scan, bucket)
    rule_id = rule.get("ID") or rule.get("Prefix") or "rule"
    scan.recorder.flow(
        Flow(
            id=f"{bucket_asset_id(source)}/replication/{rule_id}",
            provider="aws",
            kind="replication" if rule.get("Status") == "Enabled" else "replication_disabled",
            source=bucket_asset_id(source),
            destination=f"aws:{region}" if region else None,
            destination_name=bucket,
            attributes={
                "rule_id": rule_id,
                "rule_status": rule.get("Status"),
                "destination_account": destination.get("Account"),
                "destination_in_account": bucket in regions,
                "storage_class": destination.get("StorageClass"),
            },
        )
    )
