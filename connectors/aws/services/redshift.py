"""Redshift clusters."""

from __future__ import annotations

from connectors.aws.context import AwsScan
from connectors.aws.services.inventory import list_assets

SERVICE = "redshift"


def clusters(scan: AwsScan, region: str) -> None:
    list_assets(
        scan,
        region,
        service=SERVICE,
        operation="describe_clusters",
        key="Clusters",
        kind="redshift.cluster",
        categories=["database"],
        page_size=100,
        identify=lambda c: (
            c.get("ClusterNamespaceArn")
            or scan.arn(SERVICE, region, f"cluster:{c['ClusterIdentifier']}"),
            c["ClusterIdentifier"],
        ),
    )


READERS = (clusters,)
