"""CloudFront distributions: edge caches copy content to edge locations outside the EU.

No price class is EU-only (PriceClass_100 is USA, Canada, Europe and Israel), and a geo
restriction limits viewers, not where copies are cached; so each distribution is an
``edge_cache`` flow carrying its price class, judged by the ``aws-cloudfront-edge`` check.
"""

from __future__ import annotations

import re
from typing import Any

from connectors.aws.context import AwsScan
from connectors.aws.services.s3 import bucket_asset_id

SERVICE = "cloudfront"
SCOPE = "account"
S3_ORIGIN = re.compile(r"^(?P<bucket>[a-z0-9.\-]+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$")


def distributions(scan: AwsScan, region: str) -> None:
    pages = scan.client(SERVICE, region).get_paginator("list_distributions").paginate()
    found = [
        item for page in pages for item in (page.get("DistributionList") or {}).get("Items") or []
    ]
    for item in found:
        arn = (
            item.get("ARN")
            or f"arn:{scan.partition}:cloudfront::{scan.account_id}:distribution/{item['Id']}"
        )
        origins = [o.get("DomainName", "") for o in (item.get("Origins") or {}).get("Items") or []]
        buckets = [m.group("bucket") for o in origins if (m := S3_ORIGIN.match(o))]
        geo = (item.get("Restrictions") or {}).get("GeoRestriction") or {}
        for source in [bucket_asset_id(b) for b in buckets] or [arn]:
            scan.flow(
                id=f"{arn}/edge/{source}",
                kind="edge_cache",
                source=source,
                region=None,
                destination_name=f"CloudFront {item.get('DomainName', item['Id'])}",
                path="cloudfront_edge",
                distribution=arn,
                price_class=item.get("PriceClass"),
                enabled=item.get("Enabled"),
                origins=origins,
                geo_restriction=_geo(geo),
            )
    if found:
        scan.recorder.read(f"cloudfront.distribution ({scan.account_id}): {len(found)}")


READERS = (distributions,)


def _geo(geo: dict[str, Any]) -> dict[str, Any]:
    return {"type": geo.get("RestrictionType"), "locations": geo.get("Items") or []}
