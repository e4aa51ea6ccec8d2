"""Who else can read each bucket: its policy, its ACL, its access points' policies, and the
Block Public Access settings (account and bucket) that neutralise public grants.

A separate reader (``--services s3-access``) so that ``--services s3`` keeps its budget. Calls:
the bucket list and regions shared with the ``s3`` reader, the bucket policy shared with
``s3-security`` (asked once per scan), one account GetPublicAccessBlock and, per region holding
buckets, one ListAccessPoints; per bucket one GetBucketAcl and one GetPublicAccessBlock; per
access point one GetAccessPointPolicy.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from connectors.aws.context import AwsScan
from connectors.aws.services.grants import grant_flows, parse_policy
from connectors.aws.services.s3 import bucket_asset_id, located_buckets
from connectors.aws.services.s3_security import bucket_policy
from core.aws_grants import Grant, acl_grants, policy_grants

SERVICE = "s3-access"
CLIENT = "s3"
SCOPE = "account"
READS = ("s3:GetObject",)
NO_BLOCK = {"NoSuchPublicAccessBlockConfiguration"}
NO_POLICY = {"NoSuchAccessPointPolicy", "NoSuchAccessPointPolicyError"}


def bucket_access(scan: AwsScan, _region: str) -> None:
    located = located_buckets(scan)
    if not located:
        return
    account = _block(
        scan, "s3control", scan.home_region, scan.account_id, AccountId=scan.account_id
    )
    points: dict[str, list[dict[str, Any]]] = {}
    for region in sorted({r for _, r in located if r}):
        for point in _access_points(scan, region):
            points.setdefault(point.get("Bucket", ""), []).append({**point, "region": region})
    scan.map(lambda item: _bucket(scan, item[0]["Name"], item[1], account, points), located)


READERS = (bucket_access,)


def _block(
    scan: AwsScan, client: str, region: str | None, resource: str, **kwargs: Any
) -> dict[str, Any] | None:
    """A Block Public Access configuration; {} when none is set, None when unreadable."""
    answer, absent = scan.call_optional(
        client, region, "get_public_access_block", NO_BLOCK, resource, **kwargs
    )
    if absent:
        return {}
    return None if answer is None else answer.get("PublicAccessBlockConfiguration", {})


def _access_points(scan: AwsScan, region: str) -> list[dict[str, Any]]:
    answer = scan.call("s3control", region, "list_access_points", AccountId=scan.account_id)
    return list((answer or {}).get("AccessPointList", []))


def _bucket(
    scan: AwsScan,
    name: str,
    region: str | None,
    account: dict[str, Any] | None,
    points: dict[str, list[dict[str, Any]]],
) -> None:
    objects = f"arn:{scan.partition}:s3:::{name}/*"
    grants: list[Grant] = []
    policy = bucket_policy(scan, name, region)
    if isinstance(policy, dict):
        grants += policy_grants(policy, READS, scan.account_id, objects)
    acl = scan.call(CLIENT, region, "get_bucket_acl", name, Bucket=name)
    if acl is not None:
        grants += acl_grants(acl.get("Grants", []), (acl.get("Owner") or {}).get("ID"))
    bucket = _block(scan, CLIENT, region, name, Bucket=name)
    for grant in grants:
        _flow(scan, name, region, grant, blocked_by=blocked_by(grant, account, bucket))
    for point in points.get(name, []):
        _access_point(scan, name, region, point, account)


def blocked_by(
    grant: Grant, account: dict[str, Any] | None, bucket: dict[str, Any] | None
) -> str | None:
    """The Block Public Access setting that stops a public grant (RestrictPublicBuckets for a
    policy, IgnorePublicAcls for an ACL); a grant narrowed by a condition is not public to S3."""
    if grant.recipient != "public" or grant.narrowed_by:
        return None
    setting = "IgnorePublicAcls" if grant.via.startswith("ACL") else "RestrictPublicBuckets"
    for level, config in (("account", account), ("bucket", bucket)):
        if (config or {}).get(setting):
            return f"{level} Block Public Access ({setting})"
    return None


def _access_point(
    scan: AwsScan,
    bucket: str,
    region: str | None,
    point: dict[str, Any],
    account: dict[str, Any] | None,
) -> None:
    name = point["Name"]
    answer, _ = scan.call_optional(
        "s3control", point["region"], "get_access_point_policy", NO_POLICY, name,
        AccountId=scan.account_id, Name=name,
    )  # fmt: skip
    if answer is None:
        return
    document = parse_policy(
        scan, answer.get("Policy"), "s3control", "GetAccessPointPolicy", name, region
    )
    origin = point.get("NetworkOrigin")
    vpc = (point.get("VpcConfiguration") or {}).get("VpcId")
    for grant in policy_grants(document, READS, scan.account_id):
        if origin == "VPC":
            grant = replace(grant, narrowed_by={**grant.narrowed_by, "aws:sourcevpc": [str(vpc)]})
        grant = replace(grant, via=f"access point {name} {grant.via}")
        _flow(scan, bucket, region, grant, access_point=name,
              blocked_by=blocked_by(grant, account, None))  # fmt: skip


def _flow(scan: AwsScan, bucket: str, region: str | None, grant: Grant, **attributes: Any) -> None:
    grant_flows(
        scan,
        source=bucket_asset_id(bucket),
        name=bucket,
        region=region,
        resource_kind="s3.bucket",
        grants=[grant],
        **attributes,
    )
