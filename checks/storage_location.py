"""Where personal data is stored, judged by jurisdiction, never by region name."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.placing import judged_verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for asset in ctx.collection.assets:
        if not asset.data_categories:
            continue
        evidence = {"kind": asset.kind, "data_categories": asset.data_categories}
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
