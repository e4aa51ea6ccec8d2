"""Does each third-country place the provider uses have a Chapter V basis on record?

The provider's own terms (e.g. AWS's DPA with SCCs in its Service Terms) are knowledge-base
facts; the organisation's vendor register overrides them. The rules live in
:mod:`checks.transfers`: adequacy (Art. 45, the DPF only for listed US organisations), SCC
modules 2/3 or BCRs with a TIA (Art. 46), and never "no transfer" while the provider documents
remote access or data kept outside the region.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.base import CheckContext, Verdict
from checks.placing import place_summary
from checks.replication import COPY_KINDS
from checks.transfers import basis, continuing_transfers
from checks.vendors import provider
from core.knowledge.place import Place

INSIDE = frozenset({"eu", "eea"})
KB_FACTS = ("dpa", "scc", "dpf", "bcr", "data_outside_region", "remote_access")


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    concern = provider(ctx)
    if concern is None:
        return
    facts, vendor, name = concern.facts, concern.vendor, concern.name
    resource = f"processor:{concern.key}"
    common = {
        "vendor_register": vendor.to_dict() if vendor else None,
        "knowledge_base": {k: facts[k] for k in KB_FACTS if k in facts},
    }
    places = _outside_places(ctx)
    if not places:
        found = continuing_transfers(vendor, facts, name)
        yield Verdict(
            resource,
            name,
            found.status,
            found.reason,
            evidence={**found.evidence(), **common},
            articles=("28(3)(a)", *found.articles),
        )
        return
    for location, (place, users) in sorted(places.items()):
        found = basis(place, vendor, facts, name)
        evidence: dict[str, Any] = {
            "place": place_summary(place),
            "used_by": sorted(users)[:50],
            "resources_count": len(users),
            **found.evidence(),
            **common,
        }
        yield Verdict(
            f"{resource}/{location}",
            f"{name} in {place.label or location}",
            found.status,
            found.reason,
            location=location,
            evidence=evidence,
            articles=("28(3)(a)", *found.articles),
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
    """pass, warn, manual or fail: the transfer basis on record for the target's provider at
    ``place`` (used to grade the severity of storage and copy findings there)."""
    concern = provider(ctx)
    if concern is None:
        return "fail"
    return basis(place, concern.vendor, concern.facts, concern.name).status
