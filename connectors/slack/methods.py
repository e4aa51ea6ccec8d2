"""The Slack Web API methods the scanner may call: the read-only allow-list as data.

Each entry carries what the rest of the connector needs to call it well: its documented rate-limit
tier (pacing), HTTP verb (the async client sends GET methods as GET + query string), the scopes
it needs (``residency permissions slack``), which configured token may call it, and the largest
page size Slack allows. Source: the docs.slack.dev method pages as summarised in
``field-guide-slack.md`` sections 1.4, 2 and 6.1 (as of 2026-11-28).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

TokenKind = Literal["bot", "user", "org"]
Feature = Literal["workspace", "apps", "slack_connect", "retention_ekm", "audit_logs"]

# Calls per minute per method per workspace per app (docs.slack.dev/apis/web-api/rate-limits).
# "special" (auth.test) is documented as "hundreds per minute"; 100 is the cautious reading.
TIER_PER_MINUTE: dict[str, int] = {"t1": 1, "t2": 20, "t3": 50, "t4": 100, "special": 100}

# Settings key holding each token kind, for messages that tell the user what to configure.
TOKEN_SETTING: dict[TokenKind, str] = {"bot": "token", "user": "user_token", "org": "org_token"}

# The Audit Logs API's /logs endpoint, named like a method so the same gate, pacing and ledger
# apply.
AUDIT_LOGS = "audit.logs"


@dataclass(frozen=True)
class Method:
    name: str
    tier: str
    verb: Literal["GET", "POST"]
    scopes: tuple[str, ...]
    tokens: tuple[TokenKind, ...]
    feature: Feature
    page_size: int | None = None
    grid_only: bool = False


_ALL: tuple[TokenKind, ...] = ("bot", "user", "org")
_ADMIN: tuple[TokenKind, ...] = ("org", "user")

METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("auth.test", "special", "POST", (), _ALL, "workspace"),
        Method("team.info", "t3", "GET", ("team:read",), _ALL, "workspace"),
        Method("team.billing.info", "t3", "POST", ("team.billing:read",), _ALL, "workspace"),
        *(
            Method(
                f"admin.apps.{state}.list",
                "t2",
                "GET",
                ("admin.apps:read",),
                _ADMIN,
                "apps",
                page_size=1000,
                grid_only=True,
            )
            for state in ("approved", "restricted")
        ),
        # Legacy page-numbered paging; the maximum ``count`` is undocumented (default 100).
        Method(
            "team.integrationLogs", "t2", "GET", ("admin",), ("user", "org"), "apps", page_size=1000
        ),
        # "limit must be an integer under 1000".
        Method(
            "conversations.list",
            "t2",
            "GET",
            ("channels:read", "groups:read"),
            _ALL,
            "slack_connect",
            page_size=999,
        ),
        Method(
            "conversations.info",
            "t3",
            "GET",
            ("channels:read", "groups:read"),
            _ALL,
            "slack_connect",
        ),
        # Bot tokens only; default page 20, maximum undocumented.
        Method(
            "team.externalTeams.list",
            "t2",
            "GET",
            ("conversations.connect:manage", "team:read"),
            ("bot",),
            "slack_connect",
            page_size=200,
            grid_only=True,
        ),
        Method(
            "admin.conversations.getCustomRetention",
            "t2",
            "POST",
            ("admin.conversations:read",),
            _ADMIN,
            "retention_ekm",
            grid_only=True,
        ),
        Method(
            "admin.conversations.ekm.listOriginalConnectedChannelInfo",
            "t2",
            "POST",
            ("admin.conversations:read",),
            _ADMIN,
            "retention_ekm",
            page_size=1000,
            grid_only=True,
        ),
        # Login access logs on paid plans (free: ``paid_only``); read with count=1 to prove
        # availability.
        Method(
            "team.accessLogs",
            "t2",
            "GET",
            ("admin",),
            ("user", "org"),
            "audit_logs",
            page_size=1000,
        ),
        # Not a Web API method: GET {audit_url}logs on the Audit Logs API (api.slack.com/audit/v1),
        # Tier 3 with an org-wide limit, Org Owner user token only.
        Method(
            AUDIT_LOGS,
            "t3",
            "GET",
            ("auditlogs:read",),
            ("org",),
            "audit_logs",
            page_size=9999,
            grid_only=True,
        ),
    )
}

ALLOWED: frozenset[str] = frozenset(METHODS)

FEATURE_PURPOSE: dict[Feature, str] = {
    "workspace": "workspace identity, host (GovSlack), plan (residency possible or not)",
    "apps": "third-party apps and their scopes (Grid: admin.apps lists; else integration logs)",
    "slack_connect": "externally shared channels and the external organisations behind them",
    "retention_ekm": "per-channel custom retention and EKM status (Enterprise Grid only)",
    "audit_logs": "which logs exist to reconstruct a breach: login access logs (paid plans) and "
    "the Audit Logs API (Enterprise Grid, Org Owner token); one entry each, availability only",
}


def permissions() -> dict[str, Any]:
    """Scopes and token kinds per feature, derived from the allow-list so the two cannot drift."""
    features: dict[str, Any] = {}
    for method in METHODS.values():
        entry = features.setdefault(
            method.feature,
            {"purpose": FEATURE_PURPOSE[method.feature], "scopes": [], "methods": []},
        )
        for scope in method.scopes:
            if scope not in entry["scopes"]:
                entry["scopes"].append(scope)
        tokens = " or ".join(f"{kind} ({TOKEN_SETTING[kind]})" for kind in method.tokens)
        grid = ", Enterprise Grid only" if method.grid_only else ""
        entry["methods"].append(f"{method.name} [{method.tier}{grid}; token: {tokens}]")
    return {
        "provider": "slack",
        "read_only": True,
        "allowed_methods": sorted(ALLOWED),
        "features": features,
        "tokens": {
            "token": "bot token (xoxb-): workspace facts, channels, Slack Connect",
            "user_token": "admin user token (xoxp-) with the legacy admin scope: integration logs",
            "org_token": "org-level admin user token installed on the whole Grid org: admin.*",
        },
        "notes": [
            "No Slack API exposes the data-residency region; declare it with declared_region "
            "and its evidence with declared_region_evidence.",
            "Workspace retention, exports and EKM settings have no read method outside the Grid "
            "Audit Logs API (Org Owner token).",
            "The Audit Logs API (audit.logs) lives at audit_url (default "
            "https://api.slack.com/audit/v1/) and accepts only an Org Owner's xoxp token with "
            "auditlogs:read, given as org_token; admins' tokens are refused.",
        ],
    }
