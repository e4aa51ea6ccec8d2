"""RDS/Aurora instances, clusters, snapshots and automated backups, with their copies elsewhere.

Transfer paths read here: cross-region read replicas (``ReadReplicaDBInstanceIdentifiers`` /
``ReadReplicaIdentifiers`` hold ARNs when the replica is in another region), automated-backup
replication (``DBInstanceAutomatedBackupsReplications``) and snapshots copied in from another
region (``SourceRegion``). Aurora global databases are in :mod:`rds_global`.
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan, arn_region, paginate
from connectors.aws.services.encryption import flagged

SERVICE = "rds"
PAGE = 100


def instances(scan: AwsScan, region: str) -> None:
    found = paginate(scan.client(SERVICE, region), "describe_db_instances", "DBInstances", PAGE)
    for db in found:
        arn = db.get("DBInstanceArn") or scan.arn(
            SERVICE, region, f"db:{db['DBInstanceIdentifier']}"
        )
        scan.asset(
            id=arn,
            kind="rds.instance",
            name=db["DBInstanceIdentifier"],
            region=region,
            categories=["database"],
            engine=db.get("Engine"),
            replica_of=db.get("ReadReplicaSourceDBInstanceIdentifier"),
            **flagged(db, "StorageEncrypted"),
        )
        for replica in db.get("ReadReplicaDBInstanceIdentifiers") or []:
            _cross_region(scan, region, arn, replica, "replication", "rds_read_replica")
        for replication in db.get("DBInstanceAutomatedBackupsReplications") or []:
            target = replication.get("DBInstanceAutomatedBackupsArn")
            _cross_region(scan, region, arn, target, "backup_copy", "rds_backup_replication")
    _note(scan, "rds.instance", region, found)


def clusters(scan: AwsScan, region: str) -> None:
    found = paginate(scan.client(SERVICE, region), "describe_db_clusters", "DBClusters", PAGE)
    for cluster in found:
        arn = cluster.get("DBClusterArn") or scan.arn(
            SERVICE, region, f"cluster:{cluster['DBClusterIdentifier']}"
        )
        scan.asset(
            id=arn,
            kind="rds.cluster",
            name=cluster["DBClusterIdentifier"],
            region=region,
            categories=["database"],
            engine=cluster.get("Engine"),
            global_cluster=cluster.get("GlobalClusterIdentifier"),
            **flagged(cluster, "StorageEncrypted"),
        )
        for replica in cluster.get("ReadReplicaIdentifiers") or []:
            _cross_region(scan, region, arn, replica, "replication", "aurora_cross_region_replica")
    _note(scan, "rds.cluster", region, found)


def snapshots(scan: AwsScan, region: str) -> None:
    client = scan.client(SERVICE, region)
    found = paginate(client, "describe_db_snapshots", "DBSnapshots", PAGE)
    for snap in found:
        _snapshot(
            scan,
            region,
            snap,
            snap.get("DBSnapshotArn"),
            snap["DBSnapshotIdentifier"],
            snap.get("SourceDBSnapshotIdentifier"),
        )
    clustered = paginate(client, "describe_db_cluster_snapshots", "DBClusterSnapshots", PAGE)
    for snap in clustered:
        _snapshot(
            scan,
            region,
            snap,
            snap.get("DBClusterSnapshotArn"),
            snap["DBClusterSnapshotIdentifier"],
            snap.get("SourceDBClusterSnapshotArn"),
        )
    _note(scan, "rds.snapshot", region, found + clustered)


def automated_backups(scan: AwsScan, region: str) -> None:
    """Retained backups and backups replicated here from another region hold data on their own."""
    found = paginate(
        scan.client(SERVICE, region),
        "describe_db_instance_automated_backups",
        "DBInstanceAutomatedBackups",
        PAGE,
    )
    kept = [
        b
        for b in found
        if b.get("Status") == "retained" or arn_region(b.get("DBInstanceArn")) not in (None, region)
    ]
    for backup in kept:
        scan.asset(
            id=backup.get("DBInstanceAutomatedBackupsArn")
            or scan.arn(SERVICE, region, f"auto-backup:{backup.get('DbiResourceId')}"),
            kind="rds.automated_backup",
            name=backup.get("DBInstanceIdentifier", "backup"),
            region=region,
            categories=["backups"],
            status=backup.get("Status"),
            source_instance=backup.get("DBInstanceArn"),
            **flagged(backup, "Encrypted"),
        )
    _note(scan, "rds.automated_backup", region, kept)


READERS = (instances, clusters, snapshots, automated_backups)


def _snapshot(
    scan: AwsScan,
    region: str,
    snap: dict[str, Any],
    arn: str | None,
    name: str,
    source: str | None,
) -> None:
    arn = arn or scan.arn(SERVICE, region, f"snapshot:{name}")
    scan.asset(
        id=arn,
        kind="rds.snapshot",
        name=name,
        region=region,
        categories=["backups"],
        snapshot_type=snap.get("SnapshotType"),
        source_region=snap.get("SourceRegion"),
        **flagged(snap, "StorageEncrypted" if "StorageEncrypted" in snap else "Encrypted"),
    )
    source_region = snap.get("SourceRegion") or arn_region(source)
    if source_region and source_region != region:
        scan.flow(
            id=f"{arn}/copied-from",
            kind="backup_copy",
            source=source if source and source.startswith("arn:") else f"{source_region}:{source}",
            region=region,
            destination_name=name,
            path="rds_snapshot_copy",
            source_region=source_region,
        )


def _cross_region(
    scan: AwsScan, region: str, source: str, target: str | None, kind: str, path: str
) -> None:
    """A flow to ``target`` when it is an ARN in another region (same-region ids stay put)."""
    destination = arn_region(target)
    if not target or destination in (None, region):
        return
    scan.flow(
        id=f"{source}/{path}/{target}",
        kind=kind,
        source=source,
        region=destination,
        destination_name=target.rsplit(":", 1)[-1],
        path=path,
        target=target,
    )


def _note(scan: AwsScan, kind: str, region: str, found: list[Any]) -> None:
    if found:
        scan.recorder.read(f"{kind} ({scan.account_id}, {region}): {len(found)}")
