"""Third-party apps and the content they can read: assets plus ``app_access`` flows.

Enterprise Grid lists approved and restricted apps with their scopes (admin.apps.*), org-wide
and per workspace, merged so each app appears once with where it is approved. Elsewhere
Slack has no "installed apps" read method, so the installed set is rebuilt from
team.integrationLogs (added/removed/enabled/disabled/updated). Where the app's data goes is never
in the API: the flow's destination stays unknown and the app is the party.
"""

from __future__ import annotations

from typing import Any

from connectors.slack.reader import Reader
from connectors.slack.scopes import content_access, parse_scopes
from core.models import Asset, Flow

_OFF = frozenset({"removed", "disabled"})


def read_apps(reader: Reader, workspace: Asset) -> tuple[list[Asset], list[Flow]]:
    attrs = workspace.attributes
    if attrs["grid"] and "org" in reader.api.tokens:
        apps = _grid_apps(reader, attrs["enterprise_id"], attrs["team_id"])
    else:
        apps = _logged_apps(reader)
    if apps is None:
        workspace.attributes["apps_read"] = False
        return [], []
    workspace.attributes["apps_read"] = True
    workspace.attributes["apps_removed"] = sum(1 for a in apps if a["status"] == "removed")
    assets = [_asset(app) for app in apps if app["status"] != "removed"]
    flows = [_flow(workspace, a) for a in assets if a.attributes["status"] != "restricted"]
    return assets, flows


_GRID_LISTS = (
    ("admin.apps.approved.list", "approved_apps", "approved"),
    ("admin.apps.restricted.list", "restricted_apps", "restricted"),
)


def _grid_apps(
    reader: Reader, enterprise_id: str, team_id: str | None
) -> list[dict[str, Any]] | None:
    """Approved and restricted apps, org-wide (``enterprise_id``) and for the workspace
    (``team_id``): the admin methods take one or the other, never both. Each app once, with
    where it is approved or restricted; the org's decision outranks the workspace's."""
    levels = [("organization", {"enterprise_id": enterprise_id})]
    if team_id and team_id != "unknown":
        levels.append(("workspace", {"team_id": team_id}))
    apps: dict[str, dict[str, Any]] = {}
    for method, key, status in _GRID_LISTS:
        for level, scope in levels:
            items = reader.collect(method, key, **scope)
            if items is None:
                return None
            for item in items:
                app = item.get("app") or {}
                if not app.get("id"):
                    continue
                entry = apps.setdefault(app["id"], _grid_app(app, item, method))
                entry["decisions"].append(
                    {"level": level, "id": next(iter(scope.values())), "status": status}
                )
    for app in apps.values():
        decisions = app["decisions"]
        ruling = next((d for d in decisions if d["level"] == "organization"), decisions[0])
        app["status"] = ruling["status"]
        app["org_wide"] = ruling["level"] == "organization" and ruling["status"] == "approved"
        app["approved_in"] = [d["id"] for d in decisions if d["status"] == "approved"]
        app["restricted_in"] = [d["id"] for d in decisions if d["status"] == "restricted"]
    return list(apps.values())


def _grid_app(app: dict[str, Any], item: dict[str, Any], method: str) -> dict[str, Any]:
    scopes = item.get("scopes") or []
    return {
        "id": app["id"],
        "name": app.get("name") or app["id"],
        "scopes": parse_scopes(scopes),
        "sensitive_scopes": sorted(
            s["name"] for s in scopes if isinstance(s, dict) and s.get("is_sensitive")
        ),
        "developer_type": app.get("developer_type"),
        "is_internal": app.get("is_internal"),
        "app_directory_approved": app.get("is_app_directory_approved"),
        "privacy_policy_url": app.get("privacy_policy_url"),
        "source": method,
        "decisions": [],
    }


def _logged_apps(reader: Reader) -> list[dict[str, Any]] | None:
    """Replay the integration log oldest-first: scopes accumulate until an app is removed."""
    logs = reader.collect("team.integrationLogs", "logs", numbered=True)
    if logs is None:
        return None
    state: dict[str, dict[str, Any]] = {}
    for entry in sorted(logs, key=_log_date):
        key = str(entry.get("app_id") or entry.get("service_id") or "")
        if not key:
            continue
        app = state.setdefault(
            key,
            {
                "id": key,
                "name": entry.get("app_type") or entry.get("service_type") or key,
                "status": "installed",
                "scopes": [],
                "sensitive_scopes": [],
                "source": "team.integrationLogs",
                "kind": "app" if entry.get("app_id") else "legacy_service",
            },
        )
        change = str(entry.get("change_type") or "")
        if change in _OFF:
            app["status"] = "removed"
            if change == "removed":
                app["scopes"] = []
            continue
        app["status"] = "installed"
        app["installed_by"] = entry.get("user_name") or entry.get("user_id")
        app["last_change"] = _log_date(entry)
        for scope in parse_scopes(entry.get("scope")):
            if scope not in app["scopes"]:
                app["scopes"].append(scope)
    return list(state.values())


def _log_date(entry: dict[str, Any]) -> int:
    try:
        return int(entry.get("date") or 0)
    except (TypeError, ValueError):
        return 0


def _asset(app: dict[str, Any]) -> Asset:
    content = content_access(app["scopes"])
    attributes = {k: v for k, v in app.items() if k not in ("id", "name")}
    attributes.update(
        {
            "app_id": app["id"],
            "content_access": bool(content),
            "content_scopes": content,
        }
    )
    return Asset(
        id=f"slack:app:{app['id']}",
        provider="slack",
        kind="app",
        name=app["name"],
        location=None,
        attributes=attributes,
    )


def _flow(workspace: Asset, app: Asset) -> Flow:
    return Flow(
        id=f"slack:app_access:{workspace.attributes['team_id']}:{app.attributes['app_id']}",
        provider="slack",
        kind="app_access",
        source=workspace.id,
        destination=None,
        destination_name=app.name,
        party=app.attributes["app_id"],
        attributes={
            "app_name": app.name,
            "app_asset": app.id,
            "scopes": app.attributes["scopes"],
            "content_access": app.attributes["content_access"],
            "content_scopes": app.attributes["content_scopes"],
            "developer_type": app.attributes.get("developer_type"),
            "app_directory_approved": app.attributes.get("app_directory_approved"),
            "org_wide": app.attributes.get("org_wide"),
            "approved_in": app.attributes.get("approved_in"),
            "destination_note": "where the app stores data is not in any Slack API; see its DPA",
        },
    )
