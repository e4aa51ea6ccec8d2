"""Apps that can read message or file content are processors: each needs a DPA (Art. 28).

The connector classifies scopes (history, search, files, legacy read/client/bot); this check
looks the app up in the vendor register by its Slack app id; a name counts only for an app the
Slack App Directory approved. Apps the policy declares its own are internal processing.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.slack_common import gap_text, gaps_of, workspaces
from core.models import Flow
from core.policy import AppIdentity


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for ws in workspaces(ctx):
        if ws.attributes.get("apps_read") is False:
            yield Verdict(
                f"{ws.id}/apps",
                f"{ws.name} apps",
                "error",
                f"the apps of {ws.name} could not be listed: {gap_text(gaps_of(ctx, 'apps'))}",
            )
    for flow in ctx.collection.flows:
        if flow.provider == "slack" and flow.kind == "app_access":
            yield _verdict(ctx, flow)
    for app in ctx.collection.assets:
        if (
            app.provider == "slack"
            and app.kind == "app"
            and app.attributes["status"] == "restricted"
        ):
            where = ", ".join(app.attributes.get("restricted_in") or []) or "the workspace"
            yield Verdict(
                f"{app.id}/restricted",
                app.name,
                "pass",
                f"{app.name} is restricted in {where}: it cannot be installed, so it reads nothing",
                evidence={"app_id": app.attributes["app_id"], "restricted_in": where},
            )


def _verdict(ctx: CheckContext, flow: Flow) -> Verdict:
    a = flow.attributes
    name = a.get("app_name") or flow.destination_name
    content = a.get("content_scopes") or {}
    scopes = ", ".join(s for group in content.values() for s in group)
    identity = AppIdentity(
        provider="slack",
        app_id=flow.party,
        names=(name,),
        names_trusted=a.get("app_directory_approved") is True,
    )
    match = ctx.policy.match_app_vendor(identity)
    lookalike = ctx.policy.name_lookalike(identity) if match is None else None
    vendor = match.vendor if match else None
    evidence = {
        "app_id": flow.party,
        "scopes": a.get("scopes"),
        "content_scopes": content,
        "developer_type": a.get("developer_type"),
        "org_wide": a.get("org_wide"),
        "approved_in": a.get("approved_in"),
        "vendor_register": match.evidence() if match else None,
        "name_lookalike_not_accepted": lookalike.id if lookalike else None,
    }
    reach = " (approved org-wide: every workspace)" if a.get("org_wide") else ""

    def verdict(status: str, message: str) -> Verdict:
        return Verdict(flow.id, name, status, message, evidence=evidence)

    own = ctx.policy.own_app(identity, by_name=True)
    if own is not None:
        declared, key = own
        evidence["own_app"] = {**declared.to_dict(), "matched_by": key}
        return verdict(
            "pass",
            f"{name} is declared your own app in the policy (owner {declared.owner}, matched by "
            f"{key.replace('_', ' ')}): internal processing, not a third party",
        )
    if not content:
        return verdict("pass", f"{name} has no scope that reads message or file content")
    if a.get("developer_type") == "internal":
        return verdict("pass", f"{name} reads content ({scopes}) but is built by your own org")
    if match is not None and match.vendor.dpa_signed:
        return verdict(
            "pass",
            (
                f"{name} reads {', '.join(content)} ({scopes}); DPA with {match.vendor.name} "
                f"signed {match.vendor.dpa_signed.isoformat()} (matched by "
                f"{match.key.replace('_', ' ')})"
            ),
        )
    missing = "has no signed DPA in" if vendor is not None else "is not in"
    if lookalike is not None:
        missing = (
            f"is not in (its name matches {lookalike.name}, but a name is not proof: register "
            "its app id)"
        )
    return verdict(
        "fail",
        (
            f"{name}{reach} can read {', '.join(content)} content ({scopes}) and {missing} the "
            "vendor register: a processor without an Art. 28 agreement; where it stores what it "
            "reads is not known to any Slack API"
        ),
    )
