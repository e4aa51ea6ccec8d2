"""Cross-tenant partners and guests' home tenants outside the policy (warn: collaboration can
store and process data in the collaborating tenant's location, outside the EU Data Boundary)."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.placing import judged_verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for flow in ctx.collection.flows:
        if flow.kind != "external_sharing":
            continue
        attrs = flow.attributes
        kind = "partner tenant" if attrs.get("type") == "cross_tenant_partner" else "guests from"
        count = attrs.get("guest_count")
        name = f"{kind} {flow.destination_name}" + (f" ({count} guests)" if count else "")
        evidence = {
            k: attrs.get(k)
            for k in (
                "type",
                "tenant_id",
                "home_tenant_id",
                "domains",
                "guest_count",
                "is_service_provider",
                "access",
                "region",
            )
        }
        evidence["guests"] = (attrs.get("guests") or [])[:50]
        if flow.destination is None:
            why = (
                "not an Entra tenant (consumer or unmanaged mail domain)"
                if attrs.get("not_an_entra_tenant")
                else "its region could not be read"
            )
            yield Verdict(
                flow.id, name, "warn", f"{name}: home region unknown, {why}", evidence=evidence
            )
            continue
        verdict = judged_verdict(
            ctx, flow.id, name, flow.destination, "homed in", evidence, recipient=True
        )
        if verdict.status == "fail":
            verdict.status = "warn"
        yield verdict
