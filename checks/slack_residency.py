"""Where a Slack workspace keeps messages and files: plan proves, the administrator declares.

No Slack API exposes the residency region (field guide 1.2). A Free or Pro plan proves the data
is in the US; a Business+/Enterprise plan makes residency possible, so the declared region is
judged by its jurisdiction and stays ``manual`` until the declaration cites its evidence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.base import CheckContext, Verdict
from checks.placing import place_summary
from checks.slack_common import workspaces
from core.models import Asset


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for workspace in workspaces(ctx):
        yield _verdict(ctx, workspace)


def _verdict(ctx: CheckContext, ws: Asset) -> Verdict:
    a = ws.attributes
    evidence: dict[str, Any] = {
        "proven_by_api": a.get("proven_by_api"),
        "declared_by_admin": a.get("declared_by_admin"),
        "location_basis": a.get("location_basis"),
        "data_categories": ws.data_categories,
    }
    plan = f"the {a.get('plan_label')} plan" if a.get("plan") else "an unreadable plan"
    declared, ref = a.get("declared_region"), a.get("declared_region_evidence")

    def verdict(status: str, message: str, location: str | None = ws.location) -> Verdict:
        return Verdict(ws.id, ws.name, status, message, location=location, evidence=evidence)

    if (a.get("proven_by_api") or {}).get("govslack"):
        return verdict(
            "fail",
            f"{ws.name} is on GovSlack, Slack's US government cloud: "
            "messages and files are stored in the US",
        )
    if a.get("residency_possible") is False:
        if declared:
            return verdict(
                "fail",
                (
                    f"contradiction: {ws.name} is on {plan}, which cannot have data residency "
                    "(Slack requires Business+ or Enterprise), yet region "
                    f"{declared!r} was declared{f' ({ref})' if ref else ''}; "
                    "the API shows the declaration cannot be true, "
                    "so messages and files are stored in the US"
                ),
            )
        return verdict(
            "fail",
            f"{ws.name} is on {plan}, which offers no data residency: "
            "messages and files are stored in the US",
        )
    if not declared:
        return verdict(
            "fail",
            (
                f"{ws.name} is on {plan}; no residency region is declared, and without residency "
                "Slack stores messages and files in the US. If residency was bought, declare "
                "declared_region and declared_region_evidence (no Slack API exposes the region)"
            ),
        )
    place = ctx.kb.resolve(ws.location)
    evidence["place"] = place_summary(place)
    if not place.known:
        known = ", ".join(r["id"] for r in ctx.kb.slack_regions())
        return verdict(
            "fail",
            (
                f"declared region {declared!r} is not a Slack data-residency region the knowledge "
                f"base knows (known: {known}); it cannot be shown to be lawful"
            ),
        )
    judgement = ctx.policy.judge(place)
    evidence["basis"] = judgement.basis
    if not judgement.allowed:
        return verdict("fail", f"{ws.name} declares residency in {place.label}: {judgement.reason}")
    if a.get("residency_possible") is None:
        return verdict(
            "manual",
            (
                f"{ws.name} declares residency in {place.label} ({judgement.reason}), but the plan "
                "could not be read, so the API cannot confirm residency is even possible"
            ),
        )
    if not ref:
        return verdict(
            "manual",
            (
                f"{ws.name} ({plan}) declares residency in {place.label} ({judgement.reason}), but "
                "the declaration cites no evidence: record declared_region_evidence (order form, "
                "DPA) to turn this into a pass"
            ),
        )
    return verdict(
        "pass",
        (
            f"{ws.name} ({plan}) declares residency in {place.label} ({judgement.reason}); "
            f"evidence: {ref}. Declared, not API-verifiable: Slack exposes no region"
        ),
    )
