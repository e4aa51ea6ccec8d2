"""Where personal data is stored, judged by jurisdiction, never by region name."""

from __future__ import annotations

from collections.abc import Iterator

from checks.aws_common import bucket_holdings
from checks.base import CheckContext, Verdict
from checks.placing import judged_verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    holdings = bucket_holdings(ctx)
    for asset in ctx.collection.assets:
        if not asset.data_categories:
            continue
        # A bucket holds what lands in it (e.g. Amazon Connect's recordings), not just its own tag.
        categories = asset.data_categories
        if asset.kind == "s3.bucket":
            categories = holdings.get(asset.name, categories)
        evidence = {"kind": asset.kind, "data_categories": categories}
        if asset.location is None:
            yield Verdict(
                asset.id,
                asset.name,
                "error",
                f"the location of {asset.kind} {asset.name} could not be read",
                evidence=evidence,
            )
            continue
        yield judged_verdict(ctx, asset.id, asset.name, asset.location, "stored in", evidence)
