"""CloudTrail trails: where their logs land, whether they log, and the logs they give for Art. 33.

A multi-region or organisation trail delivers every region's activity (user names, IP
addresses) to one bucket, so the bucket's region is a transfer path. Each trail is read once: in
its home region, or, when the scan skips that region, in the first scanned region that shows it
(``includeShadowTrails`` shows a multi-region trail in every region). An organisation
trail seen from a member account is recorded as covering that account, but its status and
delivery belong to the management account's scan.

Calls per region: one DescribeTrails; per trail of this account one GetTrailStatus, one
GetBucketLifecycleConfiguration when its bucket is in this account (how long log files are
kept); a trail that also delivers to CloudWatch Logs finds that group's retention in the log
group region's listing, shared with the ``logs`` reader (one DescribeLogGroups per region).
Each trail is also an ``audit_log`` source (see ``checks/breach_readiness.py``).
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AWS_ERRORS, AwsScan, arn_account, arn_region
from connectors.aws.services.encryption import at_rest
from connectors.aws.services.logs import listed_log_groups
from connectors.aws.services.s3 import bucket_region, expiry_days, listed_buckets

SERVICE = "cloudtrail"


def trails(scan: AwsScan, region: str) -> None:
    found = scan.client(SERVICE, region).describe_trails(includeShadowTrails=True)
    found = [t for t in found.get("trailList") or [] if _reader_region(scan, t, region) == region]
    for trail in found:
        home = trail.get("HomeRegion") or region
        arn = trail.get("TrailARN") or scan.arn(SERVICE, region, f"trail/{trail['Name']}")
        owner = arn_account(arn) or scan.account_id
        if owner != scan.account_id:
            _organization_trail(scan, home, trail, arn, owner)
            continue
        status = scan.call(SERVICE, region, "get_trail_status", resource=arn, Name=arn)
        logging = status.get("IsLogging") if status else None
        key = trail.get("KmsKeyId")
        scan.asset(
            id=arn,
            kind="cloudtrail.trail",
            name=trail["Name"],
            region=home,
            categories=["activity_logs"],
            **_settings(trail, logging),
            **at_rest(True, key, "SSE-KMS" if key else "SSE-S3"),
        )
        bucket = trail.get("S3BucketName")
        if bucket:
            scan.flow(
                id=f"{arn}/delivery",
                kind="replication",
                source=arn,
                region=bucket_region(scan, bucket),
                destination_name=bucket,
                path="cloudtrail_log_delivery",
                multi_region=trail.get("IsMultiRegionTrail"),
            )
        _audit_logs(scan, trail, arn, status)
    if found:
        scan.recorder.read(f"cloudtrail.trail ({scan.account_id}, {region}): {len(found)}")


READERS = (trails,)


def _reader_region(scan: AwsScan, trail: dict[str, Any], region: str) -> str:
    home = trail.get("HomeRegion") or region
    return home if home in scan.regions else sorted(scan.regions)[0]


def _settings(trail: dict[str, Any], logging: bool | None) -> dict[str, Any]:
    return {
        "multi_region": trail.get("IsMultiRegionTrail"),
        "organization": trail.get("IsOrganizationTrail"),
        "log_file_validation": trail.get("LogFileValidationEnabled"),
        "is_logging": logging,
        "home_region": trail.get("HomeRegion"),
        "s3_bucket": trail.get("S3BucketName"),
        "cloudwatch_log_group": trail.get("CloudWatchLogsLogGroupArn"),
    }


def _organization_trail(
    scan: AwsScan, region: str, trail: dict[str, Any], arn: str, owner: str
) -> None:
    """The management account's organisation trail as this member sees it (no data of its own
    here: the logs and the bucket are the management account's)."""
    scan.asset(
        id=f"{arn}@{scan.account_id}",
        kind="cloudtrail.trail",
        name=trail["Name"],
        region=region,
        categories=[],
        managed_by=owner,
        trail=arn,
        **_settings(trail, None),
    )


def _audit_logs(
    scan: AwsScan, trail: dict[str, Any], arn: str, status: dict[str, Any] | None
) -> None:
    """The trail's log files in S3 and, if configured, its copy in a CloudWatch Logs group."""
    logging = status.get("IsLogging") if status else None
    newest = (status or {}).get("LatestDeliveryTime")
    stopped = "logging is stopped: no new events are recorded" if logging is False else None
    bucket = trail.get("S3BucketName")
    days, kept = _bucket_retention(scan, trail)
    scan.audit_log(
        id=f"{arn}/log",
        name=f"CloudTrail trail {trail['Name']} (s3://{bucket})",
        available=logging,
        retention_days=days,
        source="cloudtrail GetTrailStatus, s3 GetBucketLifecycleConfiguration",
        reason="logging_stopped" if logging is False else None,
        detail=stopped or ("status unreadable (see the scan gaps)" if logging is None else kept),
        newest_entry=str(newest) if newest else None,
    )
    group_arn = trail.get("CloudWatchLogsLogGroupArn")
    if not group_arn:
        return
    group = group_arn.split(":log-group:", 1)[-1].removesuffix(":*")
    region = arn_region(group_arn) or trail.get("HomeRegion")
    answer: list[dict[str, Any]] | None = None
    try:
        answer = listed_log_groups(scan, region)
    except AWS_ERRORS as exc:
        operation = getattr(exc, "operation_name", None) or "DescribeLogGroups"
        scan.failed("logs", operation, exc, resource=group_arn, region=region)
    found = [g for g in answer or [] if g.get("logGroupName") == group]
    days = found[0].get("retentionInDays") if found else None
    if answer is None:
        available, detail = None, "the log group could not be read (see the scan gaps)"
    elif not found:
        available, detail = False, f"log group {group} does not exist"
    else:
        available = logging
        detail = stopped or (f"kept {days} days" if days else "never expires")
    scan.audit_log(
        id=f"{arn}/cloudwatch-log",
        name=f"CloudTrail trail {trail['Name']} -> CloudWatch Logs {group}",
        available=available,
        retention_days=days,
        source="logs DescribeLogGroups",
        reason="log_group_missing" if answer is not None and not found else None,
        detail=detail,
        newest_entry=None,
    )


def _bucket_retention(scan: AwsScan, trail: dict[str, Any]) -> tuple[int | None, str]:
    """How long the trail's log files stay in its bucket, when the bucket is this account's
    (another account's bucket would only answer AccessDenied)."""
    bucket = str(trail.get("S3BucketName") or "")
    try:
        own = {b["Name"] for b in listed_buckets(scan)}
    except AWS_ERRORS:
        return None, f"the account's buckets could not be listed, so s3://{bucket} was not read"
    if bucket not in own:
        return None, f"delivered to s3://{bucket} in another account; ask its owner"
    prefix = "/".join(p for p in (trail.get("S3KeyPrefix"), "AWSLogs/") if p)
    return expiry_days(scan, bucket, prefix)
