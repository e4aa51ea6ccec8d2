"""S3 buckets, their regions and their replication rules (the transfer path out of a region).

Calls: one paginated ListBuckets, then per bucket one HeadBucket (its region; skipped when
ListBuckets already returned ``BucketRegion``) and one GetBucketReplication. A destination bucket
outside the account costs one more HeadBucket. Bucket regions are remembered for the whole scan,
so CloudTrail, Connect and CloudFront never ask again.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from connectors.aws.context import AWS_ERRORS, AwsScan, paginate

SERVICE = "s3"
SCOPE = "account"
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


def bucket_region(scan: AwsScan, name: str) -> str | None:
    """The bucket's region, asked at most once per scan."""
    return scan.shared.bucket_regions.get(name, lambda: locate_bucket(scan, name))


def locate_bucket(scan: AwsScan, name: str) -> str | None:
    """HeadBucket's region header, else GetBucketLocation; None (and a gap) if both fail."""
    client = scan.client(SERVICE)
    try:
        return normalise_region(client.head_bucket(Bucket=name).get("BucketRegion"))
    except ClientError as exc:
        headers = exc.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        if headers.get("x-amz-bucket-region"):
            return normalise_region(headers["x-amz-bucket-region"])
    except AWS_ERRORS:
        pass  # fall through to GetBucketLocation, whose error is the one recorded
    try:
        return normalise_region(client.get_bucket_location(Bucket=name).get("LocationConstraint"))
    except AWS_ERRORS as exc:
        scan.failed(SERVICE, "HeadBucket/GetBucketLocation", exc, resource=name)
        return None


def listed_buckets(scan: AwsScan) -> list[dict[str, Any]]:
    """The account's buckets, listed once per scan however many readers ask."""
    return scan.shared.listings.get(("s3", scan.account_id), lambda: _list_buckets(scan))


def _list_buckets(scan: AwsScan) -> list[dict[str, Any]]:
    listed = paginate(scan.client(SERVICE), "list_buckets", "Buckets", page_size=1000)
    scan.recorder.read(f"s3 ({scan.account_id}): {len(listed)} buckets")
    for bucket in listed:
        if "BucketRegion" in bucket:
            scan.shared.bucket_regions.put(bucket["Name"], normalise_region(bucket["BucketRegion"]))
    return listed


def located_buckets(scan: AwsScan) -> list[tuple[dict[str, Any], str | None]]:
    """Every bucket of the account with its region (one HeadBucket each, at most once)."""
    listed = listed_buckets(scan)
    return scan.map(lambda b: (b, bucket_region(scan, b["Name"])), listed)


def buckets(scan: AwsScan, _region: str) -> None:
    located = located_buckets(scan)
    names = {b["Name"] for b, _ in located}
    scan.map(lambda item: _bucket(scan, item[0], item[1], names), located)


READERS = (buckets,)


def _bucket(scan: AwsScan, bucket: dict[str, Any], region: str | None, names: set[str]) -> None:
    name = bucket["Name"]
    rules = _replication_rules(scan, name, region)
    scan.asset(
        id=bucket_asset_id(name),
        kind="s3.bucket",
        name=name,
        region=region,
        categories=["unclassified"],
        created=str(bucket.get("CreationDate", "")),
        replication_rules=len(rules),
    )
    for rule in rules:
        _replication_flow(scan, name, rule, names)


def _replication_rules(scan: AwsScan, name: str, region: str | None) -> list[dict[str, Any]]:
    answer, _ = scan.call_optional(
        SERVICE, region, "get_bucket_replication", NO_REPLICATION, name, Bucket=name
    )
    return list(((answer or {}).get("ReplicationConfiguration") or {}).get("Rules", []))


def _replication_flow(scan: AwsScan, source: str, rule: dict[str, Any], names: set[str]) -> None:
    destination = rule.get("Destination", {})
    bucket = destination.get("Bucket", "").rsplit(":", 1)[-1]
    if not bucket:
        return
    rule_id = rule.get("ID") or rule.get("Prefix") or "rule"
    scan.flow(
        id=f"{bucket_asset_id(source)}/replication/{rule_id}",
        kind="replication" if rule.get("Status") == "Enabled" else "replication_disabled",
        source=bucket_asset_id(source),
        region=bucket_region(scan, bucket),
        destination_name=bucket,
        path="s3_replication",
        rule_id=rule_id,
        rule_status=rule.get("Status"),
        destination_account=destination.get("Account"),
        destination_in_account=bucket in names,
        storage_class=destination.get("StorageClass"),
    )


NO_LIFECYCLE = {"NoSuchLifecycleConfiguration"}


def expiry_days(scan: AwsScan, bucket: str, key_prefix: str) -> tuple[int | None, str]:
    """Days after which the bucket's lifecycle deletes objects under ``key_prefix`` (None: never,
    or unreadable), with a one-line reason. Rules filtered on tags never match untagged log
    files; a rule whose prefix does not cover ``key_prefix`` does not apply."""
    region = bucket_region(scan, bucket)
    answer, absent = scan.call_optional(
        SERVICE, region, "get_bucket_lifecycle_configuration", NO_LIFECYCLE, bucket, Bucket=bucket
    )
    if absent:
        return None, f"kept in s3://{bucket} until deleted (no lifecycle rules)"
    if answer is None:
        return None, f"the lifecycle rules of s3://{bucket} could not be read"
    days = [
        int(rule["Expiration"]["Days"])
        for rule in answer.get("Rules") or []
        if rule.get("Status") == "Enabled"
        and (rule.get("Expiration") or {}).get("Days")
        and _applies(rule, key_prefix)
    ]
    if not days:
        return None, f"kept in s3://{bucket} until deleted (no expiring lifecycle rule)"
    return min(days), f"s3://{bucket} lifecycle deletes log files after {min(days)} days"


def _applies(rule: dict[str, Any], key_prefix: str) -> bool:
    rule_filter = rule.get("Filter") or {}
    combined = rule_filter.get("And") or {}
    if "Tag" in rule_filter or combined.get("Tags"):
        return False
    prefix = rule_filter.get("Prefix", combined.get("Prefix", rule.get("Prefix"))) or ""
    return key_prefix.startswith(prefix)
