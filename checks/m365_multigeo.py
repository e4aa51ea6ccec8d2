"""Multi-Geo satellite locations outside the policy, one verdict per location.

The connector aggregates users, groups and sites per geo; this check names who is outside the
policy (capped in the verdict, complete in the evidence file) instead of one finding per user.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from checks.base import CheckContext, Verdict
from checks.placing import judged_verdict
from core.models import Asset

GEO_KINDS = {"user_data": "users", "group_data": "groups", "site_data": "sites"}
NAMED_PER_KIND = 100


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    satellites: dict[str, list[Asset]] = defaultdict(list)
    tenant = next((a for a in ctx.collection.assets if a.kind == "tenant"), None)
    tenant_id = tenant.attributes.get("tenant_id") if tenant else ctx.collection.target
    for asset in ctx.collection.assets:
        if asset.kind in GEO_KINDS and not asset.attributes.get("default_geo"):
            satellites[asset.location or "unknown"].append(asset)
    if not satellites:
        yield Verdict(
            f"m365:{tenant_id}:multigeo",
            "Multi-Geo locations",
            "pass",
            "no user, group or site is placed outside the tenant's default geo",
        )
        return
    for location, assets in sorted(satellites.items()):
        counts = {GEO_KINDS[a.kind]: a.attributes.get("count") or 0 for a in assets}
        summary = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
        evidence: dict[str, Any] = {
            "counts": counts,
            "members": {
                GEO_KINDS[a.kind]: a.attributes.get("members", [])[:NAMED_PER_KIND] for a in assets
            },
            "assets": [a.id for a in assets],
            "data_categories": _categories(assets),
        }
        resource = f"m365:{tenant_id}:multigeo:{location}"
        name = f"Multi-Geo location {location.split(':', 1)[-1]} ({summary})"
        if location == "unknown":
            yield Verdict(
                resource,
                name,
                "error",
                f"{summary} have an unreadable geo",
                evidence=evidence,
                covers=[a.id for a in assets],
            )
            continue
        verdict = judged_verdict(ctx, resource, name, location, "stored in", evidence)
        verdict.covers = [a.id for a in assets]
        if verdict.status == "fail":
            verdict.message += f"; outside the policy: {_named(assets)}"
        yield verdict


def _categories(assets: list[Asset]) -> list[str]:
    """What the satellite geo holds: every category of its user, group and site data, once."""
    return list(dict.fromkeys(c for a in assets for c in a.data_categories))


def _named(assets: list[Asset]) -> str:
    parts = []
    for asset in assets:
        members = asset.attributes.get("members", [])
        names = ", ".join(m.get("name") or m.get("id", "") for m in members[:5])
        more = f" and {len(members) - 5} more" if len(members) > 5 else ""
        parts.append(f"{GEO_KINDS[asset.kind]}: {names}{more}")
    return "; ".join(parts)
