"""ElastiCache clusters (cached copies of application data)."""

from __future__ import annotations

from connectors.aws.context import AwsScan
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


READERS = (cache_clusters,)
