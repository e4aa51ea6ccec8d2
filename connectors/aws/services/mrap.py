"""S3 Multi-Region Access Points: a write through one may land in any member bucket's region.

Control-plane calls go to us-west-2. Each member's region is the one the API returns in
``Regions[].Region``; only a member listed without one is located through its bucket.
"""

from __future__ import annotations

from connectors.aws.context import AwsScan
from connectors.aws.services.s3 import bucket_asset_id, bucket_region

SERVICE = "s3control"
SCOPE = "account"
CONTROL_REGION = "us-west-2"


def access_points(scan: AwsScan, _region: str) -> None:
    client = scan.client(SERVICE, CONTROL_REGION)
    found = []
    token = None
    while True:
        page = client.list_multi_region_access_points(
            AccountId=scan.account_id, MaxResults=100, **({"NextToken": token} if token else {})
        )
        found.extend(page.get("AccessPoints") or [])
        token = page.get("NextToken")
        if not token:
            break
    for point in found:
        alias = point.get("Alias") or point["Name"]
        arn = f"arn:{scan.partition}:s3::{scan.account_id}:accesspoint/{alias}"
        regions = {
            r["Bucket"]: r.get("Region") for r in point.get("Regions") or [] if r.get("Bucket")
        }
        members = list(regions)
        for bucket, region in regions.items():
            scan.flow(
                id=f"{arn}/member/{bucket}",
                kind="replication",
                source=arn,
                region=region or bucket_region(scan, bucket),
                destination_name=bucket,
                path="s3_multi_region_access_point",
                access_point=point["Name"],
                members=[bucket_asset_id(b) for b in members],
            )
    if found:
        scan.recorder.read(f"s3.mrap ({scan.account_id}): {len(found)}")


READERS = (access_points,)
