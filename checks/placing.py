"""Shared by the location checks: resolve a code, ask the policy, word the verdict."""

from __future__ import annotations

from typing import Any

from checks.base import CheckContext, Verdict
from checks.transfers import basis
from checks.vendors import provider
from core.knowledge.place import Place

# A refused place breaches the organisation's own residency policy (accountability, by design);
# the Chapter V articles apply on top only where no Art. 45/46 basis is on record.
POLICY_ARTICLES = ("5(2)", "24", "25")
TRANSFER_ARTICLES = ("44", "45", "46")


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
    recipient: bool = False,
) -> Verdict:
    """pass when the policy allows the place, fail otherwise (unknown always fails).

    A refusal is a breach of the organisation's residency policy (Art. 5(2), 24, 25); Art. 44-46
    are cited only where no Art. 45/46 basis is on record. ``recipient`` marks a place that is
    not the provider's own (partner tenant, guests' home tenant, app publisher): a partial
    adequacy decision then covers it only within its scope, which someone must confirm. A place
    known only by its region (Entra's EMEA) asks for the country.
    """
    place = ctx.kb.resolve(location)
    judgement = ctx.policy.judge(place)
    where = place.label or location
    own = None if recipient else provider(ctx)
    found = basis(
        place,
        own.vendor if own else None,
        own.facts if own else {},
        own.name if own else name,
        provider=not recipient,
    )
    evidence = {
        **evidence,
        "place": place_summary(place),
        "basis": judgement.basis,
        **found.evidence(),
    }
    if found.status == "manual" and (judgement.allowed or not place.known):
        return Verdict(
            resource,
            name,
            "manual",
            f"{name} is {verb} {found.reason}",
            location=location,
            evidence=evidence,
            articles=found.articles,
        )
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
            articles=POLICY_ARTICLES,
        )
    if found.on_record:
        message = (
            f"{name} is {verb} {where}: breach of the organisation's residency policy "
            f"({judgement.reason}); a Chapter V basis is on record ({found.reason})"
        )
        articles = POLICY_ARTICLES
    else:
        message = (
            f"{name} is {verb} {where}: {judgement.reason}, and no Art. 45/46 basis is on "
            f"record ({found.reason})"
        )
        articles = (*POLICY_ARTICLES, *TRANSFER_ARTICLES)
    return Verdict(
        resource,
        name,
        "fail",
        message,
        location=location,
        evidence=evidence,
        articles=articles,
    )


def _only_adequate_members_refused(
    ctx: CheckContext, place: Place, refused: tuple[str, ...]
) -> bool:
    if len(place.countries) < 2 or not refused or len(refused) == len(place.countries):
        return False
    return all(ctx.policy.country_class(c, place) == "adequate" for c in refused)
