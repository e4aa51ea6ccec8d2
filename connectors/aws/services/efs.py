"""EFS file systems and their encryption at rest (``Encrypted``, ``KmsKeyId``)."""

from __future__ import annotations

from connectors.aws.context import AwsScan
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
            f.get("FileSystemArn")
            or scan.arn("elasticfilesystem", region, f"file-system/{f['FileSystemId']}"),
            f.get("Name") or f["FileSystemId"],
        ),
        describe=lambda f: flagged(f, "Encrypted"),
    )


READERS = (file_systems,)
