"""Who else can use the account's EBS snapshots and AMIs: their create-volume and launch
permissions (``all`` is public; an account id, an organisation or an OU is shared).

A separate reader (``--services ec2-access``). Calls per region: one DescribeSnapshots and one
DescribeImages (own only), then one DescribeSnapshotAttribute per snapshot and one
DescribeImageAttribute per AMI.
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan, paginate
from connectors.aws.services.ec2 import _image_arn, _snapshot_arn
from connectors.aws.services.grants import grant_flows
from connectors.aws.services.inventory import tag_name
from core.aws_grants import Grant, shared_with

SERVICE = "ec2-access"
CLIENT = "ec2"


def snapshot_sharing(scan: AwsScan, region: str) -> None:
    client = scan.client(CLIENT, region)
    found = paginate(client, "describe_snapshots", "Snapshots", 1000, OwnerIds=["self"])
    scan.map(lambda s: _shared(scan, region, s["SnapshotId"], tag_name(s, s["SnapshotId"]),
                               "snapshot"), found)  # fmt: skip


def image_sharing(scan: AwsScan, region: str) -> None:
    client = scan.client(CLIENT, region)
    found = paginate(client, "describe_images", "Images", 1000, Owners=["self"])
    scan.map(lambda i: _shared(scan, region, i["ImageId"], i.get("Name") or i["ImageId"],
                               "image"), found)  # fmt: skip


READERS = (snapshot_sharing, image_sharing)
# kind -> (attribute, answer key, the action the permission allows, operation, id parameter)
ATTRIBUTES = {
    "snapshot": ("createVolumePermission", "CreateVolumePermissions", "ec2:CreateVolume",
                 "describe_snapshot_attribute", "SnapshotId"),
    "image": ("launchPermission", "LaunchPermissions", "ec2:RunInstances",
              "describe_image_attribute", "ImageId"),
}  # fmt: skip


def _shared(scan: AwsScan, region: str, item_id: str, name: str, kind: str) -> None:
    attribute, key, action, operation, parameter = ATTRIBUTES[kind]
    arn = (_snapshot_arn if kind == "snapshot" else _image_arn)(scan, region, item_id)
    answer = scan.call(CLIENT, region, operation, arn, Attribute=attribute, **{parameter: item_id})
    if answer is None:
        return
    grant_flows(
        scan,
        source=arn,
        name=name,
        region=region,
        resource_kind=f"ec2.{kind}",
        grants=permission_grants(answer.get(key) or [], attribute, action, scan.account_id),
    )


def permission_grants(
    permissions: list[dict[str, Any]], via: str, action: str, owner: str
) -> list[Grant]:
    """``{Group: all}`` / ``{UserId}`` / ``{OrganizationArn}`` / ``{OrganizationalUnitArn}``."""
    values = [str(p.get("Group") or p.get("UserId") or "") for p in permissions]
    grants = shared_with([v for v in values if v], via, action, owner)
    for permission in permissions:
        org = permission.get("OrganizationArn") or permission.get("OrganizationalUnitArn")
        if org:
            grants.append(Grant("organization", str(org).rsplit("/", 1)[-1], via, (action,)))
    return grants
