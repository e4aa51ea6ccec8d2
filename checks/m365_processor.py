"""Microsoft as processor: the DPA, its SCCs and the DPF status, cited from the knowledge base.

The DPA applies through the Product Terms (no signature), so the register entry is what shows
the organisation checked it; without one the check asks a human (manual), never passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.base import CheckContext, Verdict
from checks.vendors import provider

# The knowledge base records DPF certification as true, or null when it was not verified.
DPF_LISTING = {True: "listed", None: "listing not verified", False: "not listed"}


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    if ctx.collection.identity.get("processor") != "microsoft":
        return
    facts = ctx.kb.processor("microsoft")
    resource = "processor:microsoft"
    if not facts:
        yield Verdict(resource, "Microsoft", "error", "the knowledge base has no Microsoft facts")
        return
    dpa, scc, dpf = facts.get("dpa") or {}, facts.get("scc") or {}, facts.get("dpf") or {}
    cited = (
        f"{dpa.get('name', 'DPA')} ({dpa.get('incorporated_via', 'terms')}); SCCs "
        f"{scc.get('instrument', '?')} module(s) {', '.join(map(str, scc.get('modules', [])))}; "
        f"DPF: {dpf.get('entity', 'Microsoft')} {DPF_LISTING[dpf.get('certified')]} "
        f"({dpf.get('listing_status', '?')}, next re-certification "
        f"{dpf.get('next_recertification', '?')}; {dpf.get('status')} source as of "
        f"{dpf.get('as_of')}, re-check the DPF List)"
    )
    concern = provider(ctx)  # by id, name, legal entity or `extends: microsoft`
    vendor = concern.vendor if concern else None
    evidence: dict[str, Any] = {
        "knowledge_base": {k: facts.get(k) for k in ("dpa", "scc", "dpf", "remote_access")},
        "vendor_register": vendor.to_dict() if vendor else None,
    }
    remote = " Remote access by Microsoft personnel outside the EU Data Boundary continues."
    if vendor and vendor.dpa_signed:
        yield Verdict(
            resource,
            "Microsoft",
            "pass",
            f"Microsoft's DPA recorded (accepted {vendor.dpa_signed}): {cited}." + remote,
            evidence=evidence,
        )
        return
    yield Verdict(
        resource,
        "Microsoft",
        "manual",
        f"Microsoft processes this tenant's data under {cited}. Record Microsoft in the vendor "
        "register with the date the DPA was accepted." + remote,
        evidence=evidence,
    )
