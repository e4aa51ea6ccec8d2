"""Retention and EKM: read where Slack has a read method (Grid admin API), said plainly where not.

Workspace/org default retention, exports and EKM enrolment have no Web API read method; only the
Grid Audit Logs API (Org Owner token) records their changes (field guide 3). Per-channel custom
retention is readable on Grid, one T2 call per channel, so it is bounded by
``retention_channel_limit`` with externally shared and private channels first.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from connectors.slack.reader import Reader, ReadError
from core.models import Asset

NO_DEFAULT_API = (
    "Slack has no Web API method that reads workspace or org default retention; only the "
    "Enterprise Grid Audit Logs API (Org Owner token) records its changes"
)


def read_retention(
    reader: Reader, workspace: Asset, channels: list[dict[str, Any]] | None, limit: int
) -> None:
    attrs = workspace.attributes
    if not attrs["grid"]:
        attrs["retention"] = {"readable": False, "default": None, "reason": NO_DEFAULT_API}
        attrs["ekm"] = {
            "status": "not_available",
            "reason": "EKM is an Enterprise Grid add-on; "
            f"plan is {attrs['plan_label'] or 'unknown'}",
        }
        return
    ordered = sorted(
        channels or [],
        key=lambda c: (not c.get("is_ext_shared"), not c.get("is_private"), c.get("name") or ""),
    )[:limit]
    bodies = reader.fan_out(
        "admin.conversations.getCustomRetention",
        {c["id"]: {"channel_id": c["id"]} for c in ordered},
    )
    names = {c["id"]: c.get("name") or c["id"] for c in ordered}
    attrs["retention"] = {
        "readable": bool(bodies),
        "default": None,
        "reason": NO_DEFAULT_API,
        "channels_checked": len(bodies),
        "channels_total": len(channels or []),
        "custom_policies": [
            {"channel": names[cid], "channel_id": cid, "duration_days": body.get("duration_days")}
            for cid, body in sorted(bodies.items())
            if body.get("is_policy_enabled")
        ],
    }
    attrs["ekm"] = _ekm_probe(reader)


def _ekm_probe(reader: Reader) -> dict[str, Any]:
    """listOriginalConnectedChannelInfo answers ``not_enabled`` when EKM is off; success means
    the EKM endpoint is enabled for the org. Enrolment details remain audit-log only."""
    method = "admin.conversations.ekm.listOriginalConnectedChannelInfo"
    try:
        reader.api.call(method, limit=1)
    except ReadError as exc:
        if isinstance(exc, SlackApiError) and exc.response.get("error") == "not_enabled":
            reader.recorder.read(method)
            return {"status": "not_enabled", "source": method}
        reason = reader.gap(method, exc)
        return {"status": "unknown", "source": method, "gap": reason}
    reader.recorder.read(method)
    return {
        "status": "enabled",
        "source": method,
        "note": "key region is in the customer's AWS KMS; check it there",
    }
