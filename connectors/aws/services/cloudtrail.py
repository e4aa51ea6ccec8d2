"""CloudTrail trails and where their logs land (the S3 bucket's region).

A multi-region or organisation trail delivers every region's activity (user names, IP
addresses) to one bucket, so the bucket's region is a transfer path. Shadow trails are skipped:
each trail is read once, in its home region.
"""

from __future__ import annotations

from connectors.aws.context import AwsScan
from connectors.aws.services.s3 import bucket_region

SERVICE = "cloudtrail"


def trails(scan: AwsScan, region: str) -> None:
    found = scan.client(SERVICE, region).describe_trails(includeShadowTrails=False)
    found = [t for t in found.get("trailList") or [] if t.get("HomeRegion", region) == region]
    for trail in found:
        arn = trail.get("TrailARN") or scan.arn(SERVICE, region, f"trail/{trail['Name']}")
        scan.asset(
            id=arn,
            kind="cloudtrail.trail",
            name=trail["Name"],
            region=region,
            categories=["activity_logs"],
            multi_region=trail.get("IsMultiRegionTrail"),
            organization=trail.get("IsOrganizationTrail"),
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
    if found:
        scan.recorder.read(f"cloudtrail.trail ({scan.account_id}, {region}): {len(found)}")


READERS = (trails,)
