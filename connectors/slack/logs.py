"""Which Slack logs exist to reconstruct a breach (Art. 32/33), proven with one entry each.

Two sources: login access logs (``team.accessLogs``, paid plans, admin user token) and the
Enterprise Grid Audit Logs API (``GET {audit_url}logs``, Org Owner token with ``auditlogs:read``).
A plan or token that does not allow a source is evidence, not a failed scan: not Grid means no
Audit Logs API; an admin (not owner) token means "exists on Grid, not confirmed". Slack documents
no retention period for either, so ``retention_days`` stays None. When the Audit Logs API is
readable, the latest ``ekm_enrolled``/``ekm_unenrolled`` action strengthens the EKM signal.

Emitted assets follow the shared ``audit_log`` convention of ``checks/breach_readiness.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from connectors.slack.methods import AUDIT_LOGS
from connectors.slack.reader import Reader, ReadError
from core.models import Asset, GapReason

# Answers that describe the plan or the token rather than a broken scan.
EVIDENCE_REASONS = frozenset({GapReason.NOT_AVAILABLE, GapReason.NO_TOKEN})
EKM_ACTIONS = "ekm_enrolled,ekm_unenrolled"


def read_logs(reader: Reader, workspace: Asset) -> list[Asset]:
    """The Audit Logs API first: where it is readable it records logins too (``user_login``),
    so the access logs are read only where it is not."""
    audit = _audit_logs(reader, workspace)
    logs = [_asset(workspace, "audit-logs-api", "Slack Audit Logs API", AUDIT_LOGS, audit)]
    if audit["available"]:
        _ekm_from_audit(reader, workspace)
        return logs
    access = _access_logs(reader)
    return [
        _asset(workspace, "access-logs", "Slack login access logs", "team.accessLogs", access),
        *logs,
    ]


def _evidence(reader: Reader, method: str, exc: Exception) -> dict[str, Any]:
    """A refusal that says something about the plan or token is evidence; the rest is a gap."""
    reason, message = reader.classify(method, exc)
    if reason not in EVIDENCE_REASONS:
        reader.gap(method, exc)
    return {"available": None, "reason": reason, "detail": message}


def _access_logs(reader: Reader) -> dict[str, Any]:
    method = "team.accessLogs"
    try:
        body = reader.api.call(method, count=1)
    except ReadError as exc:
        found = _evidence(reader, method, exc)
        if isinstance(exc, SlackApiError) and exc.response.get("error") == "paid_only":
            found.update(available=False, reason="paid_only")
        return found
    reader.recorder.read(method)
    newest = _iso(_first(body, "logins").get("date_last"))
    return {"available": True, "reason": "read", "newest_entry": newest}


def _audit_logs(reader: Reader, workspace: Asset) -> dict[str, Any]:
    if not workspace.attributes.get("grid"):
        plan = workspace.attributes.get("plan_label") or "unknown"
        return {
            "available": False,
            "reason": "not_grid",
            "detail": f"the Audit Logs API exists only on Enterprise Grid; plan is {plan}",
        }
    try:
        body = reader.api.audit_logs(limit=1)
    except ReadError as exc:
        return _evidence(reader, AUDIT_LOGS, exc)
    reader.recorder.read(AUDIT_LOGS)
    newest = _iso(_first(body, "entries").get("date_create"))
    return {"available": True, "reason": "read", "newest_entry": newest}


def _ekm_from_audit(reader: Reader, workspace: Asset) -> None:
    """The latest EKM enrolment action decides what the probe could only hint at."""
    try:
        body = reader.api.audit_logs(action=EKM_ACTIONS, limit=1)
    except ReadError as exc:
        reader.gap(AUDIT_LOGS, exc, resource="ekm actions")
        return
    latest = _first(body, "entries") or None
    ekm = workspace.attributes.setdefault("ekm", {})
    ekm["audit_log"] = (
        {"action": latest.get("action"), "date_create": _iso(latest.get("date_create"))}
        if latest
        else {"action": None, "note": "no EKM enrolment recorded in the audit log"}
    )
    if latest and latest.get("action") == "ekm_enrolled":
        ekm.update(status="enabled", source=AUDIT_LOGS)
    elif latest or ekm.get("status") in (None, "unknown"):  # unenrolled, or never enrolled
        ekm.update(status="not_enabled", source=AUDIT_LOGS)


def _first(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The newest entry of a list answer (both APIs list newest first), or {}."""
    items = body.get(key)
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def _iso(timestamp: Any) -> str | None:
    """Slack's Unix seconds as ISO 8601 (UTC); anything else unchanged or None."""
    if isinstance(timestamp, int | float) and not isinstance(timestamp, bool):
        return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
    return str(timestamp) if timestamp else None


def _asset(workspace: Asset, key: str, name: str, method: str, found: dict[str, Any]) -> Asset:
    return Asset(
        id=f"{workspace.id}:audit_log:{key}",
        provider="slack",
        kind="audit_log",
        name=f"{name} ({workspace.name})",
        location=None,
        attributes={
            "available": found["available"],
            "retention_days": None,
            "source": f"Slack {method}",
            "reason": found["reason"],
            "detail": found.get("detail", ""),
            "newest_entry": found.get("newest_entry"),
            "note": "Slack documents no retention period for this log; export it to your own "
            "log store to keep it as long as you need",
        },
    )
