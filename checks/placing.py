"""Shared by the location checks: resolve a code, ask the policy, word the verdict."""

from __future__ import annotations

from typing import Any

from checks.base import CheckContext, Verdict
from core.knowledge.place import Place


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
    if _only_adequate_members_refused(ctx, place, judgement.refused):
        # A macro geo (e.g. Microsoft's EUR) may place data in an adequacy country the policy
        # has not opted into: lawful under Art. 45, but not guaranteed inside the allowed set.
        return Verdict(
            resource,
            name,
            "warn",
            f"{name} is {verb} {where}, which may include {', '.join(judgement.refused)} "
            "(adequacy decision, not accepted by the policy): not guaranteed to stay in "
            f"{ctx.policy.describe_allowed()}. Opt the country in, or choose a single-country "
            "location.",
            location=location,
            evidence=evidence,
        )
    return Verdict(
        resource,
        name,
        "fail",
        f"{name} is {verb} {where}: {judgement.reason}",
        location=location,
        evidence=evidence,
    )


def _only_adequate_members_refused(
    ctx: CheckContext, place: Place, refused: tuple[str, ...]
) -> bool:
    if len(place.countries) < 2 or not refused or len(refused) == len(place.countries):
        return False
    return all(ctx.policy.country_class(c, place) == "adequate" for c in refused)
