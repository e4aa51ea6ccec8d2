"""Aurora global databases: every member cluster outside the writer's region holds a copy.

``DescribeGlobalClusters`` answers with every global cluster from any region, so it is read once
per account (from the home region) rather than once per region.
"""

from __future__ import annotations

from connectors.aws.context import AwsScan, arn_region, paginate

SERVICE = "rds"
SCOPE = "account"


def global_clusters(scan: AwsScan, region: str) -> None:
    found = paginate(
        scan.client(SERVICE, region), "describe_global_clusters", "GlobalClusters", 100
    )
    for cluster in found:
        members = cluster.get("GlobalClusterMembers") or []
        writers = [m["DBClusterArn"] for m in members if m.get("IsWriter")]
        source = writers[0] if writers else cluster.get("GlobalClusterArn", "")
        home = arn_region(source)
        for member in members:
            target = member.get("DBClusterArn")
            if member.get("IsWriter") or arn_region(target) in (None, home):
                continue
            scan.flow(
                id=f"{cluster.get('GlobalClusterArn')}/member/{target}",
                kind="replication",
                source=source,
                region=arn_region(target),
                destination_name=str(target).rsplit(":", 1)[-1],
                path="aurora_global_database",
                global_cluster=cluster.get("GlobalClusterIdentifier"),
            )
    if found:
        scan.recorder.read(f"rds.global_cluster ({scan.account_id}): {len(found)}")


READERS = (global_clusters,)
