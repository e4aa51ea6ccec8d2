"""ElastiCache clusters (cached copies of application data) and global datastores, which copy
a primary replication group to secondaries in other regions
(``GlobalReplicationGroups[].Members[].ReplicationGroupRegion``, only with ``ShowMemberInfo``).

Each member region lists the datastore; it is reported once, by the primary's region (or the
first member region the scan reads).
"""

from __future__ import annotations

from connectors.aws.context import AwsScan, paginate
from connectors.aws.services.inventory import list_assets

SERVICE = "elasticache"


def cache_clusters(scan: AwsScan, region: str) -> None:
    list_assets(
        scan,
        region,
        service=SERVICE,
        operation="describe_cache_clusters",
        key="CacheClusters",
        kind="elasticache.cluster",
        categories=["cache"],
        page_size=100,
        identify=lambda c: (
            c.get("ARN") or scan.arn(SERVICE, region, f"cluster:{c['CacheClusterId']}"),
            c["CacheClusterId"],
        ),
        describe=lambda c: {"engine": c.get("Engine")},
    )


def global_datastores(scan: AwsScan, region: str) -> None:
    client = scan.client(SERVICE, region)
    found = paginate(
        client, "describe_global_replication_groups", "GlobalReplicationGroups", 100,
        ShowMemberInfo=True,
    )  # fmt: skip
    for datastore in found:
        members = datastore.get("Members") or []
        primaries = [m for m in members if m.get("Role") == "PRIMARY"]
        ordered = primaries + [m for m in members if m.get("Role") != "PRIMARY"]
        if (
            not primaries
            or scan.reporter(m.get("ReplicationGroupRegion") for m in ordered) != region
        ):
            continue
        primary = primaries[0]
        home = primary.get("ReplicationGroupRegion") or region
        scan.replica_flows(
            source=scan.arn(SERVICE, home, f"replicationgroup:{primary['ReplicationGroupId']}"),
            home=home,
            path="elasticache_global_datastore",
            replicas=ordered[1:],
            region_key="ReplicationGroupRegion",
            label="replication group",
            name_key="ReplicationGroupId",
            fields={"status": "Status"},
            global_datastore=datastore.get("GlobalReplicationGroupId"),
        )
    if found:
        scan.recorder.read(
            f"elasticache.global_datastore ({scan.account_id}, {region}): {len(found)}"
        )


READERS = (cache_clusters, global_datastores)
