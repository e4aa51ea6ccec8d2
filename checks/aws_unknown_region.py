"""Regions the knowledge base does not know are scanned and reported, never skipped.

AWS opens regions newer than any pinned SDK or knowledge base; their country is unknown, so
anything stored there is judged as not allowed until the knowledge base learns the region.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for region in ctx.collection.identity.get("regions") or []:
        place = ctx.kb.resolve(f"aws:{region}")
        if place.jurisdiction != "unknown":
            continue
        stored = sum(1 for a in ctx.collection.assets if a.location == f"aws:{region}")
        yield Verdict(
            f"region:{ctx.collection.target}:{region}",
            region,
            "warn",
            f"region {region} is enabled and was scanned, but the knowledge base does not know "
            f"its country; {stored} resource(s) there are judged as outside the allowed places",
            location=f"aws:{region}",
        )
