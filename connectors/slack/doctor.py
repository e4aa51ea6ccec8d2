"""`residency doctor slack`: which workspace and plan the tokens belong to, and one smallest
read per scope set of the allow-list (a page of one), through the scan's own gated client.

A ``missing_scope`` answer names the scope to add; a method the plan does not offer or a token
that is not configured cannot tell (the scan records those as evidence, not as a failure).
Methods for Enterprise Grid only are not probed on a workspace outside Grid.
"""

from __future__ import annotations

from typing import Any

from connectors.base import CallLedger, Diagnosis, PermissionCheck, Recorder, Target
from connectors.slack.client import SlackApi
from connectors.slack.methods import AUDIT_LOGS, METHODS, Method
from connectors.slack.reader import Reader, ReadError
from connectors.slack.settings import SlackSettings
from connectors.slack.workspace import PLAN_LABELS, authenticate
from core.models import Collection, GapReason

CANNOT_TELL = frozenset({GapReason.NOT_AVAILABLE, GapReason.NO_TOKEN, GapReason.THROTTLED})


def probes(grid: bool) -> list[Method]:
    """One method per distinct scope set, a listing rather than a lookup where there is one."""
    chosen: dict[tuple[str, ...], Method] = {}
    for method in sorted(METHODS.values(), key=lambda m: m.page_size is None):
        if method.scopes and (grid or not method.grid_only):
            chosen.setdefault(method.scopes, method)
    return sorted(chosen.values(), key=lambda m: m.name)


def diagnose(target: Target, ledger: CallLedger) -> Diagnosis:
    settings = SlackSettings.from_target(target)
    recorder = Recorder(Collection(target=target.name, provider="slack", started_at=""))
    reader = Reader(SlackApi(settings, ledger), recorder)
    identity = authenticate(reader)  # AuthError when the first token does not work
    grid = bool(identity.get("enterprise_id"))
    checks: list[PermissionCheck] = []
    plan = None
    for method in probes(grid):
        try:
            body = _smallest_read(reader.api, method)
        except ReadError as exc:
            reason, message = reader.classify(method.name, exc)
            granted = None if reason in CANNOT_TELL else False
            checks += [PermissionCheck(s, method.name, granted, message) for s in method.scopes]
            continue
        if method.name == "team.billing.info":
            plan = body.get("plan")
        checks += [PermissionCheck(s, method.name, True) for s in method.scopes]
    tokens = ", ".join(sorted(identity.get("tokens", {})))
    return Diagnosis(
        target=target.name,
        provider="slack",
        kind="Slack scopes",
        identity={
            "workspace": f"{identity.get('team')} ({identity.get('team_id')})",
            "url": str(identity.get("url") or ""),
            "plan": PLAN_LABELS.get(plan or "", plan or "unknown"),
            "Enterprise Grid": identity.get("enterprise_id") or "no",
            "tokens": tokens,
        },
        checks=checks,
        notes=[] if grid else ["not Enterprise Grid: admin.* and audit log methods not probed"],
    )


def _smallest_read(api: SlackApi, method: Method) -> dict[str, Any]:
    if method.name == AUDIT_LOGS:
        return api.audit_logs(limit=1)
    paging = {"count": 1} if method.name in ("team.integrationLogs", "team.accessLogs") else {}
    if method.page_size and not paging:
        paging = {"limit": 1}
    return api.call(method.name, **paging)
