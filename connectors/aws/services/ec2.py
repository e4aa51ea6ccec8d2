"""EC2 instances, EBS volumes and snapshots, AMIs; snapshot and AMI copies from other regions.

EBS has no back-reference field for a copied snapshot, so the copy is recognised by the
description AWS writes on it (``[Copied snap-... from <region>]``); AMIs also carry
``SourceImageRegion``. The copy is an asset in its region, and a backup-copy flow from the source.
"""

from __future__ import annotations

import re
from typing import Any

from connectors.aws.context import AwsScan, paginate
from connectors.aws.services.encryption import flagged
from connectors.aws.services.inventory import list_assets, tag_name

SERVICE = "ec2"
COPIED = re.compile(r"\[Copied ((?:snap|ami)-[0-9a-f]+) from ([a-z0-9-]+)\]")
GONE = {"terminated", "shutting-down"}


def instances(scan: AwsScan, region: str) -> None:
    pages = paginate(scan.client(SERVICE, region), "describe_instances", "Reservations", 1000)
    found = [i for r in pages for i in r.get("Instances", []) if i["State"]["Name"] not in GONE]
    for item in found:
        scan.asset(
            id=scan.arn(SERVICE, region, f"instance/{item['InstanceId']}"),
            kind="ec2.instance",
            name=tag_name(item, item["InstanceId"]),
            region=region,
            categories=["unclassified"],
            availability_zone=item.get("Placement", {}).get("AvailabilityZone"),
        )
    if found:
        scan.recorder.read(f"ec2.instance ({scan.account_id}, {region}): {len(found)}")


def volumes(scan: AwsScan, region: str) -> None:
    list_assets(
        scan,
        region,
        service=SERVICE,
        operation="describe_volumes",
        key="Volumes",
        kind="ec2.volume",
        categories=["unclassified"],
        page_size=500,
        identify=lambda v: (
            scan.arn(SERVICE, region, f"volume/{v['VolumeId']}"),
            tag_name(v, v["VolumeId"]),
        ),
        describe=lambda v: {
            "availability_zone": v.get("AvailabilityZone"),
            **flagged(v, "Encrypted"),
        },
    )


def snapshots(scan: AwsScan, region: str) -> None:
    found = list_assets(
        scan,
        region,
        service=SERVICE,
        operation="describe_snapshots",
        key="Snapshots",
        kind="ec2.snapshot",
        categories=["backups"],
        page_size=1000,
        OwnerIds=["self"],
        identify=lambda s: (
            _snapshot_arn(scan, region, s["SnapshotId"]),
            tag_name(s, s["SnapshotId"]),
        ),
        describe=lambda s: {"volume_id": s.get("VolumeId"), **flagged(s, "Encrypted")},
    )
    for item in found:
        _copy_flow(scan, region, _snapshot_arn(scan, region, item["SnapshotId"]), item, None)


def images(scan: AwsScan, region: str) -> None:
    found = list_assets(
        scan,
        region,
        service=SERVICE,
        operation="describe_images",
        key="Images",
        kind="ec2.image",
        categories=["unclassified"],
        page_size=1000,
        Owners=["self"],
        identify=lambda i: (_image_arn(scan, region, i["ImageId"]), i.get("Name") or i["ImageId"]),
    )
    for item in found:
        source = None
        if item.get("SourceImageRegion") and item.get("SourceImageId"):
            source = (item["SourceImageId"], item["SourceImageRegion"])
        _copy_flow(scan, region, _image_arn(scan, region, item["ImageId"]), item, source)


READERS = (instances, volumes, snapshots, images)


def _snapshot_arn(scan: AwsScan, region: str, snapshot_id: str) -> str:
    return f"arn:{scan.partition}:ec2:{region}::snapshot/{snapshot_id}"


def _image_arn(scan: AwsScan, region: str, image_id: str) -> str:
    return f"arn:{scan.partition}:ec2:{region}::image/{image_id}"


def _copy_flow(
    scan: AwsScan,
    region: str,
    copy_arn: str,
    item: dict[str, Any],
    source: tuple[str, str] | None,
) -> None:
    """A copy made from another region: a backup-copy flow from the source into ``region``."""
    if source is None:
        match = COPIED.search(item.get("Description") or "")
        if not match:
            return
        source = (match.group(1), match.group(2))
    source_id, source_region = source
    if source_region == region:
        return
    kind = "image" if source_id.startswith("ami-") else "snapshot"
    source_arn = f"arn:{scan.partition}:ec2:{source_region}::{kind}/{source_id}"
    scan.flow(
        id=f"{copy_arn}/copied-from",
        kind="backup_copy",
        source=source_arn,
        region=region,
        destination_name=copy_arn.rsplit("/", 1)[-1],
        path=f"ec2_{kind}_copy",
        source_region=source_region,
    )
