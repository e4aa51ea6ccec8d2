"""Who else can restore the account's manual RDS snapshots: the ``restore`` attribute (``all``
is public; account ids are shared). Automated snapshots cannot be shared.

A separate reader (``--services rds-access``). Calls per region: one DescribeDBSnapshots and one
DescribeDBClusterSnapshots (manual only), then one attributes call per snapshot.
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan, paginate
from connectors.aws.services.grants import grant_flows
from core.aws_grants import shared_with

SERVICE = "rds-access"
CLIENT = "rds"
ACTION = "rds:RestoreDBInstanceFromDBSnapshot"


def instance_snapshots(scan: AwsScan, region: str) -> None:
    _snapshots(scan, region, "DB", "DBSnapshot", "rds.snapshot")


def cluster_snapshots(scan: AwsScan, region: str) -> None:
    _snapshots(scan, region, "DBCluster", "DBClusterSnapshot", "rds.cluster_snapshot")


READERS = (instance_snapshots, cluster_snapshots)


def _snapshots(scan: AwsScan, region: str, prefix: str, key: str, kind: str) -> None:
    client = scan.client(CLIENT, region)
    found = paginate(
        client, f"describe_{_snake(prefix)}_snapshots", f"{key}s", 100, SnapshotType="manual"
    )
    scan.map(lambda s: _snapshot(scan, region, s, prefix, key, kind), found)


def _snake(prefix: str) -> str:
    return "db" if prefix == "DB" else "db_cluster"


def _snapshot(
    scan: AwsScan, region: str, snapshot: dict[str, Any], prefix: str, key: str, kind: str
) -> None:
    name = snapshot[f"{key}Identifier"]
    arn = snapshot[f"{key}Arn"]
    answer = scan.call(
        CLIENT, region, f"describe_{_snake(prefix)}_snapshot_attributes", arn,
        **{f"{key}Identifier": name},
    )  # fmt: skip
    if answer is None:
        return
    attributes = (answer.get(f"{key}AttributesResult") or {}).get(f"{key}Attributes") or []
    values = [v for a in attributes if a.get("AttributeName") == "restore"
              for v in a.get("AttributeValues") or []]  # fmt: skip
    grant_flows(
        scan,
        source=arn,
        name=name,
        region=region,
        resource_kind=kind,
        grants=shared_with(values, "restore", ACTION, scan.account_id),
    )
