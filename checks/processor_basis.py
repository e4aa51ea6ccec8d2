"""Does each third-country place the provider uses have an Art. 46 basis on record?

The provider's own terms (e.g. AWS's DPA with SCCs in its Service Terms) are knowledge-base
facts; the organisation's vendor register overrides them. SCCs without a recorded TIA warn, DPF
as the only basis warns (appeal C-703/25 P pending), and no basis at all fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.base import CheckContext, Verdict
from checks.placing import place_summary
from checks.replication import COPY_KINDS
from core.knowledge.place import Place

INSIDE = frozenset({"eu", "eea"})


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    processor_id = ctx.collection.identity.get("processor")
    if not processor_id:
        return
    facts = ctx.kb.processor(processor_id) or {}
    name = facts.get("name", processor_id)
    resource = f"processor:{processor_id}"
    places = _outside_places(ctx)
    if not places:
        yield Verdict(
            resource,
            name,
            "pass",
            f"no personal data found with {name} outside the EU/EEA: no Chapter V transfer",
        )
        return
    vendor = ctx.policy.find_vendor(processor_id, name)
    for location, (place, users) in sorted(places.items()):
        evidence: dict[str, Any] = {"place": place_summary(place), "used_by": sorted(users)[:50]}
        evidence["resources_count"] = len(users)
        status, message = _basis(place, vendor, facts, name)
        evidence["vendor_register"] = vendor.to_dict() if vendor else None
        evidence["knowledge_base"] = {k: facts.get(k) for k in ("dpa", "scc", "dpf") if k in facts}
        yield Verdict(
            f"{resource}/{location}",
            f"{name} in {place.label or location}",
            status,
            message,
            location=location,
            evidence=evidence,
        )


def _outside_places(ctx: CheckContext) -> dict[str, tuple[Place, set[str]]]:
    """Every location outside the EU/EEA holding or receiving the target's personal data."""
    located = [(a.location, a.id) for a in ctx.collection.assets if a.data_categories]
    located += [(f.destination, f.id) for f in ctx.collection.flows if f.kind in COPY_KINDS]
    places: dict[str, tuple[Place, set[str]]] = {}
    for location, user in located:
        if not location:
            continue
        place = ctx.kb.resolve(location)
        if place.jurisdiction in INSIDE:
            continue
        places.setdefault(location, (place, set()))[1].add(user)
    return places


def basis_status(ctx: CheckContext, place: Place) -> str:
    """pass, warn or fail: the transfer basis on record for the target's provider at ``place``
    (used to grade the severity of storage and copy findings there)."""
    processor_id = ctx.collection.identity.get("processor")
    if not processor_id:
        return "fail"
    facts = ctx.kb.processor(processor_id) or {}
    name = facts.get("name", processor_id)
    return _basis(place, ctx.policy.find_vendor(processor_id, name), facts, name)[0]


def _basis(place: Place, vendor: Any, facts: dict[str, Any], name: str) -> tuple[str, str]:
    where = place.label or place.code
    if place.jurisdiction == "unknown":
        return "fail", f"{where} is not in the knowledge base: no transfer basis can be shown"
    if place.jurisdiction == "adequate":
        instrument = place.adequacy[0].get("instrument") if place.adequacy else "adequacy decision"
        return "pass", f"{where}: covered by {instrument} (Art. 45)"
    if vendor is not None:
        return _register_basis(vendor, where, name)
    dpa, scc = facts.get("dpa"), facts.get("scc")
    if dpa and scc:
        return (
            "warn",
            f"{where}: {name}'s DPA ({dpa.get('name', 'DPA')}) includes the SCCs, but no TIA is "
            "recorded; add the vendor to the register with its TIA date",
        )
    return "fail", f"{where}: no DPA or SCCs recorded for {name} (Art. 28, Art. 46)"


def _register_basis(vendor: Any, where: str, name: str) -> tuple[str, str]:
    if vendor.dpa_signed is None:
        return "fail", f"{where}: the vendor register has no signed DPA for {name} (Art. 28)"
    if vendor.scc_module:
        if vendor.tia_date is None:
            return "warn", f"{where}: SCC module {vendor.scc_module} recorded but no TIA date"
        return (
            "pass",
            f"{where}: DPA signed {vendor.dpa_signed}, SCC module {vendor.scc_module}, "
            f"TIA {vendor.tia_date}",
        )
    if vendor.relies_on_dpf:
        return (
            "warn",
            f"{where}: {name} relies on the EU-US Data Privacy Framework only; the appeal "
            "C-703/25 P is pending: record SCCs as a fallback",
        )
    return "fail", f"{where}: DPA signed but no transfer tool (SCCs, DPF) recorded for {name}"
