"""Slack Connect: channels shared with external organisations become ``external_sharing`` flows.

Each external organisation keeps what its members send under its own residency and retention
(help article 115004152843), and no API tells where that is: the destination stays unknown.
Organisations come from team.externalTeams.list where the token allows it (Grid, bot token),
otherwise from each channel's ``shared_team_ids`` (``connected_team_ids`` via conversations.info
when the list omits them), named with team.info.
"""

from __future__ import annotations

from typing import Any

from connectors.slack.reader import Reader, ReadError
from core.models import Asset, Flow, GapReason

_INACTIVE = frozenset({"DISCONNECTED", "BLOCKED"})


def read_channels(reader: Reader, workspace: Asset) -> list[dict[str, Any]] | None:
    """Public and private channels; a token without ``groups:read`` gets ``missing_scope`` for
    the pair, so the gap names the scope and the public channels are still read (their shared
    channels still reveal Slack Connect partners). ``channel_types_read`` says which."""
    method, types = "conversations.list", ["public_channel", "private_channel"]
    try:
        channels = reader.items(method, "channels", types=",".join(types), exclude_archived="true")
    except ReadError as exc:
        if reader.gap(method, exc) != GapReason.MISSING_SCOPE:
            workspace.attributes["channel_types_read"] = None
            return None
        types = ["public_channel"]
        channels = reader.collect(method, "channels", types=types[0], exclude_archived="true")
    workspace.attributes["channel_types_read"] = types if channels is not None else None
    return None if channels is None else [c for c in channels if c.get("id")]


def read_external_orgs(
    reader: Reader, workspace: Asset, channels: list[dict[str, Any]]
) -> list[Flow]:
    attrs = workspace.attributes
    own = {attrs["team_id"], attrs.get("enterprise_id")} - {None}
    shared = [c for c in channels if c.get("is_ext_shared")]
    attrs["ext_shared_channels"] = len(shared)
    attrs["pending_ext_shared_channels"] = sum(
        1 for c in channels if c.get("is_pending_ext_shared")
    )
    by_org = _orgs_by_channel(reader, shared, own)
    orgs = _grid_orgs(reader) if attrs["grid"] and "bot" in reader.api.tokens else None
    if orgs is None:
        orgs = _named_orgs(reader, sorted(by_org))
    for team_id in by_org:
        orgs.setdefault(team_id, {"team_id": team_id, "team_name": None, "name_source": None})
    flows = []
    for team_id, org in sorted(orgs.items()):
        if org.get("connection_status") in _INACTIVE:
            continue
        channels_here = by_org.get(team_id, [])
        flows.append(
            Flow(
                id=f"slack:external_sharing:{attrs['team_id']}:{team_id}",
                provider="slack",
                kind="external_sharing",
                source=workspace.id,
                destination=None,
                destination_name=org.get("team_name") or team_id,
                party=org.get("team_name") or team_id,
                attributes={
                    **org,
                    "channels": [c["name"] for c in channels_here],
                    "channel_ids": [c["id"] for c in channels_here],
                    "hosted_by_partner": [
                        c["name"] for c in channels_here if c["hosted_by_partner"]
                    ],
                    "destination_note": "an external organisation's data follows its own Slack "
                    "residency and retention; no API exposes them",
                },
            )
        )
    return flows


def _orgs_by_channel(
    reader: Reader, shared: list[dict[str, Any]], own: set[str]
) -> dict[str, list[dict[str, Any]]]:
    """External team id -> the shared channels it is in."""
    missing = {c["id"]: {"channel": c["id"]} for c in shared if not c.get("shared_team_ids")}
    details = reader.fan_out("conversations.info", missing)
    by_org: dict[str, list[dict[str, Any]]] = {}
    for channel in shared:
        info = (details.get(channel["id"]) or {}).get("channel") or channel
        teams = set(info.get("connected_team_ids") or info.get("shared_team_ids") or [])
        internal = own | set(info.get("internal_team_ids") or [])
        host = info.get("conversation_host_id")
        for team_id in sorted(teams - internal):
            by_org.setdefault(team_id, []).append(
                {
                    "id": channel["id"],
                    "name": channel.get("name") or channel["id"],
                    "hosted_by_partner": host == team_id,
                }
            )
    return by_org


def _grid_orgs(reader: Reader) -> dict[str, dict[str, Any]] | None:
    items = reader.collect("team.externalTeams.list", "organizations")
    if items is None:
        return None
    return {
        org["team_id"]: {
            "team_id": org["team_id"],
            "team_name": org.get("team_name"),
            "team_domain": org.get("team_domain"),
            "connection_status": org.get("connection_status"),
            "channel_counts": {
                k: org.get(f"{k}_channel_count") for k in ("public", "private", "im", "mpim")
            },
            "name_source": "team.externalTeams.list",
        }
        for org in items
        if org.get("team_id")
    }


def _named_orgs(reader: Reader, team_ids: list[str]) -> dict[str, dict[str, Any]]:
    bodies = reader.fan_out("team.info", {t: {"team": t} for t in team_ids})
    orgs = {}
    for team_id, body in bodies.items():
        team = body.get("team") or {}
        orgs[team_id] = {
            "team_id": team_id,
            "team_name": team.get("name"),
            "team_domain": team.get("domain"),
            "email_domain": team.get("email_domain") or None,
            "name_source": "team.info",
        }
    return orgs
