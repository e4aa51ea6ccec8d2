"""Shared by the location checks: resolve a code, ask the policy, word the verdict."""

from __future__ import annotations

from typing import Any

from checks.base import CheckContext, Verdict
from scanner.knowledge.place import Place


def place_summary(place: Place) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "location": place.code,
        "label": place.label,
        "countries": list(place.countries),
        "jurisdiction": place.jurisdiction,
        "sources": [{"source": s.source, "as_of": s.as_of} for s in place.sources],
    }
    if place.adequacy:
        summary["adequacy"] = [
            {k: a.get(k) for k in ("instrument", "partial", "scope", "expiry") if k in a}
            for a in place.adequacy
        ]
    return summary


def judged_verdict(
    ctx: CheckContext,
    resource: str,
    name: str,
    location: str,
    verb: str,
    evidence: dict[str, Any],
) -> Verdict:
    """pass when the policy allows the place, fail otherwise (unknown always fails)."""
    place = ctx.kb.resolve(location)
    judgement = ctx.policy.judge(place)
    where = place.label or location
    evidence = {**evidence, "place": place_summary(place), "basis": judgement.basis}
    if judgement.allowed:
        message = f"{name} is {verb} {where}: {judgement.reason}"
        partial = [a for a in place.adequacy if a.get("partial")]
        if judgement.basis == "adequacy" and partial:
            message += f"; the decision is partial: {partial[0].get('scope', '')}".rstrip(": ")
        return Verdict(resource, name, "pass", message, location=location, evidence=evidence)
    return Verdict(
        resource,
        name,
        "fail",
        f"{name} is {verb} {where}: {judgement.reason}",
        location=location,
        evidence=evidence,
    )
