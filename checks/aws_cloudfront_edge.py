"""CloudFront caches copies at edge locations outside the EU: warn, naming the price class.

No price class is EU-only (PriceClass_100 covers the USA, Canada, Europe and Israel) and geo
restriction limits viewers, not cache placement, so every distribution gets a warning.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict

EDGES = {
    "PriceClass_100": "USA, Canada, Europe and Israel",
    "PriceClass_200": "USA, Canada, Europe, Israel, Africa, the Middle East and most of Asia",
    "PriceClass_All": "every edge location worldwide",
    "None": "every edge location worldwide",
}


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    names = {asset.id: asset.name for asset in ctx.collection.assets}
    for flow in ctx.collection.flows:
        if flow.kind != "edge_cache":
            continue
        price_class = str(flow.attributes.get("price_class") or "PriceClass_All")
        edges = EDGES.get(price_class, f"the edge locations of {price_class}")
        source = names.get(flow.source, flow.source)
        yield Verdict(
            flow.id,
            f"{source} -> {flow.destination_name}",
            "warn",
            f"{flow.destination_name} caches {source} at edge locations in {edges} "
            f"({price_class}); no price class keeps copies inside the EU",
            location="country:US",
            evidence={"flow_kind": flow.kind, "source": flow.source, **flow.attributes},
        )
