"""Secrets Manager secrets and their replicas (``ReplicationStatus[].Region``).

ListSecrets names the primary region but not the replicas, so each secret whose primary is in
this region costs one DescribeSecret; replicas (primary elsewhere) are recorded without it.
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan, paginate

SERVICE = "secretsmanager"


def secrets(scan: AwsScan, region: str) -> None:
    found = paginate(scan.client(SERVICE, region), "list_secrets", "SecretList", 100)
    for secret in found:
        scan.asset(
            id=secret["ARN"],
            kind="secretsmanager.secret",
            name=secret.get("Name", secret["ARN"]),
            region=region,
            categories=["credentials"],
            primary_region=secret.get("PrimaryRegion") or region,
        )
    primaries = [s for s in found if (s.get("PrimaryRegion") or region) == region]
    scan.map(lambda s: _replicas(scan, region, s), primaries)
    if found:
        scan.recorder.read(f"secretsmanager.secret ({scan.account_id}, {region}): {len(found)}")


READERS = (secrets,)


def _replicas(scan: AwsScan, region: str, secret: dict[str, Any]) -> None:
    arn = secret["ARN"]
    answer = scan.call(SERVICE, region, "describe_secret", resource=arn, SecretId=arn)
    scan.replica_flows(
        source=arn,
        home=region,
        path="secretsmanager_replica",
        replicas=(answer or {}).get("ReplicationStatus") or [],
        region_key="Region",
        label=secret.get("Name") or arn,
        fields={"status": "Status"},
    )
