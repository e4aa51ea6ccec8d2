"""Cross-tenant partners and guests' home tenants outside the policy (warn: collaboration can
store and process data in the collaborating tenant's location, outside the EU Data Boundary).
Guests are named (address and home tenant), so the DPO can find out who they are."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.placing import judged_verdict

NAMED_IN_MESSAGE = 10


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for flow in ctx.collection.flows:
        if flow.kind != "external_sharing":
            continue
        attrs = flow.attributes
        kind = "partner tenant" if attrs.get("type") == "cross_tenant_partner" else "guests from"
        count = attrs.get("guest_count")
        name = f"{kind} {flow.destination_name}" + (f" ({count} guests)" if count else "")
        guests = attrs.get("guests") or []
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
        home = attrs.get("home_tenant_id") or flow.party
        evidence["guests"] = [
            {
                "address": g.get("address") or g.get("name"),
                "home_tenant": home,
                "state": g.get("state"),
            }
            for g in guests
        ]
        evidence["recipients"] = [g["address"] for g in evidence["guests"] if g["address"]]
        who = _named(evidence["recipients"], count)
        if flow.destination is None:
            why = (
                "not an Entra tenant (consumer or unmanaged mail domain)"
                if attrs.get("not_an_entra_tenant")
                else "its region could not be read"
            )
            yield Verdict(
                flow.id, name, "warn", f"{name}: home region unknown, {why}{who}", evidence=evidence
            )
            continue
        verdict = judged_verdict(
            ctx, flow.id, name, flow.destination, "homed in", evidence, recipient=True
        )
        if verdict.status == "fail":
            verdict.status = "warn"
        verdict.message += who
        yield verdict


def _named(addresses: list[str], count: int | None) -> str:
    """The guests by address in the message (the evidence lists them all)."""
    if not addresses:
        return ""
    shown = ", ".join(addresses[:NAMED_IN_MESSAGE])
    more = (count or len(addresses)) - min(len(addresses), NAMED_IN_MESSAGE)
    return f"; guests: {shown}" + (f" and {more} more (see evidence)" if more > 0 else "")
