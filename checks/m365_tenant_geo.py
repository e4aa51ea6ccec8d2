"""Is the Microsoft 365 tenant's default geography inside the allowed jurisdictions?

The tenant geography is fixed at sign-up; its evidence (discovery scope and sub-scope, the
organisation's country, the default geo's SharePoint root) is shown with the verdict.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.placing import judged_verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for asset in ctx.collection.assets:
        if asset.kind != "tenant":
            continue
        attrs = asset.attributes
        discovery = (attrs.get("evidence") or {}).get("discovery") or {}
        evidence = {
            "location_basis": attrs.get("location_basis"),
            "tenant_region_scope": discovery.get("tenant_region_scope"),
            "tenant_region_sub_scope": discovery.get("tenant_region_sub_scope"),
            "country": attrs.get("country"),
            "multi_geo": attrs.get("multi_geo"),
            "data_categories": asset.data_categories,
        }
        if asset.location is None:
            yield Verdict(
                asset.id,
                asset.name,
                "error",
                f"the tenant's geography could not be determined "
                f"(tenant_region_scope {evidence['tenant_region_scope']!r}, no SharePoint geo)",
                evidence=evidence,
            )
            continue
        verdict = judged_verdict(
            ctx, asset.id, asset.name, asset.location, "provisioned in", evidence
        )
        if discovery.get("tenant_region_sub_scope"):
            verdict.message += (
                f"; sub-scope {discovery['tenant_region_sub_scope']} marks a US Government "
                "cloud tenant"
            )
        yield verdict
