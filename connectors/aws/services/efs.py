"""EFS file systems, their encryption at rest (``Encrypted``, ``KmsKeyId``) and their
replication to other regions (``Replications[].Destinations[].Region``).

DescribeReplicationConfigurations without a file system lists every replication of the account
that touches the region, in the source region and in each destination region alike; each is
reported once, by its source region (or the first destination the scan reads).
"""

from __future__ import annotations

from connectors.aws.context import AwsScan, paginate
from connectors.aws.services.encryption import flagged
from connectors.aws.services.inventory import list_assets

SERVICE = "efs"


def file_systems(scan: AwsScan, region: str) -> None:
    list_assets(
        scan,
        region,
        service=SERVICE,
        operation="describe_file_systems",
        key="FileSystems",
        kind="efs.file_system",
        categories=["files"],
        page_size=100,
        identify=lambda f: (
            f.get("FileSystemArn") or _file_system_arn(scan, region, f["FileSystemId"]),
            f.get("Name") or f["FileSystemId"],
        ),
        describe=lambda f: flagged(f, "Encrypted"),
    )


def replications(scan: AwsScan, region: str) -> None:
    client = scan.client(SERVICE, region)
    found = paginate(client, "describe_replication_configurations", "Replications", 100)
    for replication in found:
        source_region = replication.get("SourceFileSystemRegion") or region
        destinations = replication.get("Destinations") or []
        if scan.reporter([source_region, *(d.get("Region") for d in destinations)]) != region:
            continue
        source = replication.get("SourceFileSystemArn") or _file_system_arn(
            scan, source_region, replication["SourceFileSystemId"]
        )
        scan.replica_flows(
            source=source,
            home=source_region,
            path="efs_replication",
            replicas=destinations,
            region_key="Region",
            label="file system",
            name_key="FileSystemId",
            fields={"status": "Status", "destination_account": "OwnerId"},
        )
    if found:
        scan.recorder.read(f"efs.replication ({scan.account_id}, {region}): {len(found)}")


READERS = (file_systems, replications)


def _file_system_arn(scan: AwsScan, region: str, file_system_id: str) -> str:
    return scan.arn("elasticfilesystem", region, f"file-system/{file_system_id}")
