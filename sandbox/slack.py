"""A local Slack Web API: the sample workspace served over HTTP to the real slack-sdk clients.

It answers what the connector reads with the shapes docs.slack.dev documents: the sync
WebClient's form POSTs and the AsyncWebClient's GET + query string, JSON bodies, cursor paging
(``response_metadata.next_cursor``) and page paging (``paging``), ``ok: false`` errors with
HTTP 200 (``missing_scope`` with ``needed``/``provided``, ``invalid_auth``, ``token_revoked``,
``not_allowed_token_type``, ``user_is_bot``, ``feature_not_enabled``...) and HTTP 429 with
Retry-After. ``page_cap`` makes Slack's "may return fewer than limit" visible in small data.
Any method it does not know (e.g. chat.postMessage) is counted and refused, so tests can prove
a write never arrived. The Enterprise Grid Audit Logs API is served under ``/audit/v1/`` with its
own conventions: standard HTTP status codes (401 ``invalid_authentication``, 403
``feature_not_enabled`` off Grid, 403 ``user_not_authorized`` for tokens that are not an Org
Owner's with ``auditlogs:read``, 429 with Retry-After), ``entries`` newest first, ``action``
filter and cursor paging.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlparse

from sandbox.httpserver import JsonHandler, LocalServer
from sandbox.service import RunningService

DATA = Path(__file__).parent / "data"
DEFAULT_DATASET = "slack_demo"
BOT_ENV = "SANDBOX_SLACK_BOT_TOKEN"
USER_ENV = "SANDBOX_SLACK_USER_TOKEN"
ORG_ENV = "SANDBOX_SLACK_ORG_TOKEN"

Body = dict[str, Any]


class SlackError(Exception):
    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.body = {"ok": False, "error": code, **extra}


@dataclass(frozen=True)
class Route:
    handler: Callable[[SlackServer, Body, Body], Body]
    scopes: tuple[str, ...] = ()
    tokens: tuple[str, ...] = ("bot", "user")
    grid_only: bool = False
    grid_error: str = "feature_not_enabled"
    admin: bool = False
    type_error: str = "not_allowed_token_type"


def load_dataset(name: str = DEFAULT_DATASET) -> dict[str, Any]:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


class SlackServer(LocalServer):
    def __init__(self, dataset: dict[str, Any], page_cap: int = 1000) -> None:
        super().__init__(SlackHandler)
        self.data = dataset
        self.page_cap = page_cap
        self.verbs: list[tuple[str, str]] = []
        self.looping_cursor = False  # fault: pages after the first hand back their own cursor

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    @property
    def audit_url(self) -> str:
        return f"{self.url}/audit/v1/"

    @property
    def grid(self) -> bool:
        return bool(self.data["team"].get("enterprise_id"))

    def page(self, items: list[Any], params: Body, key: str, max_limit: int) -> Body:
        """Cursor paging: the cursor is the next item's offset, as an opaque string."""
        limit = _int(params.get("limit"), 100)
        if not 1 <= limit <= max_limit:
            raise SlackError("invalid_limit")
        start = _int(params.get("cursor"), 0) if params.get("cursor") else 0
        end = start + min(limit, self.page_cap)
        nxt = str(end) if end < len(items) else ""
        if start and self.looping_cursor:
            nxt = str(params["cursor"])
        return {key: items[start:end], "response_metadata": {"next_cursor": nxt}}


def _int(value: Any, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SlackError("invalid_arguments") from None


class SlackHandler(JsonHandler):
    server: SlackServer

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, verb: str) -> None:
        url = urlparse(self.path)
        method = url.path.rsplit("/", 1)[-1]
        params = dict(parse_qsl(url.query))
        if url.path.startswith("/audit/v1/"):
            self._audit(verb, method, params)
            return
        body = self.read_body()
        if body:
            if "json" in (self.headers.get("Content-Type") or ""):
                params.update(json.loads(body))
            else:
                params.update(parse_qsl(body.decode()))
        self.server.verbs.append((verb, method))
        self.note_request(method)
        if self.server.faults.take_throttle(method):
            self.reply(
                429,
                {"ok": False, "error": "ratelimited"},
                {"Retry-After": str(self.server.faults.retry_after)},
            )
            return
        try:
            self.reply(200, {"ok": True, **self._answer(method, params)})
        except SlackError as err:
            self.reply(200, err.body)

    def _audit(self, verb: str, endpoint: str, params: Body) -> None:
        """The Audit Logs API: GET only, Org Owner token with auditlogs:read, Grid only."""
        self.read_body()
        self.server.verbs.append((verb, f"audit.{endpoint}"))
        self.note_request(f"audit.{endpoint}")
        auth = self.headers.get("Authorization") or ""
        token = self.server.data["tokens"].get(auth[7:] if auth.startswith("Bearer ") else "")
        if verb != "GET" or endpoint != "logs":
            self.reply(405 if verb != "GET" else 404, {"ok": False, "error": "invalid_request"})
        elif token is None or token.get("revoked"):
            self.reply(401, {"ok": False, "error": "invalid_authentication"})
        elif self.server.faults.take_throttle("audit.logs"):
            self.reply(
                429,
                {"ok": False, "error": "rate_limited"},
                {"Retry-After": str(self.server.faults.retry_after)},
            )
        elif not self.server.grid:
            self.reply(403, {"ok": False, "error": "feature_not_enabled"})
        elif not token.get("owner") or "auditlogs:read" not in token.get("scopes", []):
            self.reply(403, {"ok": False, "error": "user_not_authorized"})
        else:
            try:
                self.reply(200, _audit_logs(self.server, params))
            except SlackError as err:
                self.reply(400, err.body)

    def _answer(self, method: str, params: Body) -> Body:
        route = ROUTES.get(method)
        if route is None:
            raise SlackError("unknown_method")
        token = self._token(params)
        if token.get("type") not in route.tokens:
            raise SlackError(route.type_error)
        granted = token.get("scopes", [])
        for scope in route.scopes:
            if scope not in granted:
                raise SlackError("missing_scope", needed=scope, provided=",".join(granted))
        if route.grid_only and not self.server.grid:
            raise SlackError(route.grid_error)
        if route.admin and not token.get("admin"):
            raise SlackError("not_an_admin")
        return route.handler(self.server, params, token)

    def _token(self, params: Body) -> Body:
        auth = self.headers.get("Authorization") or ""
        value = auth[7:] if auth.startswith("Bearer ") else params.get("token")
        if not value:
            raise SlackError("not_authed")
        token = self.server.data["tokens"].get(value)
        if token is None:
            raise SlackError("invalid_auth")
        if token.get("revoked"):
            raise SlackError("token_revoked")
        if token.get("type") == "app":
            raise SlackError("not_allowed_token_type")
        return token


def _auth_test(srv: SlackServer, _params: Body, token: Body) -> Body:
    team = srv.data["team"]
    body = {
        "url": srv.data["url"],
        "team": team["name"],
        "team_id": team["id"],
        "user": token.get("user", "scanner"),
        "user_id": token.get("user_id", "U0SCANNER"),
    }
    if token["type"] == "bot":
        body["bot_id"] = token.get("bot_id", "B0SCANNER")
    if team.get("enterprise_id"):
        body["enterprise_id"] = team["enterprise_id"]
        body["is_enterprise_install"] = bool(token.get("org"))
    return body


def _team_info(srv: SlackServer, params: Body, _token: Body) -> Body:
    wanted = params.get("team") or srv.data["team"]["id"]
    if wanted == srv.data["team"]["id"]:
        return {"team": srv.data["team"]}
    external = srv.data.get("external_teams", {}).get(wanted)
    if external is None:
        raise SlackError("team_not_found")
    return {"team": external}


def _billing(srv: SlackServer, _params: Body, _token: Body) -> Body:
    return {"plan": srv.data["plan"]}


def _conversations(srv: SlackServer, params: Body, token: Body) -> Body:
    types = set((params.get("types") or "public_channel").split(","))
    granted = token.get("scopes", [])
    if "private_channel" in types and "groups:read" not in granted:
        raise SlackError("missing_scope", needed="groups:read", provided=",".join(granted))
    archived_ok = str(params.get("exclude_archived", "false")).lower() not in ("true", "1")
    rows = [
        {k: v for k, v in c.items() if k != "connected_team_ids"}
        for c in srv.data.get("channels", [])
        if ("private_channel" if c.get("is_private") else "public_channel") in types
        and (archived_ok or not c.get("is_archived"))
    ]
    return srv.page(rows, params, "channels", 999)


def _conversation_info(srv: SlackServer, params: Body, _token: Body) -> Body:
    for channel in srv.data.get("channels", []):
        if channel["id"] == params.get("channel"):
            return {"channel": channel}
    raise SlackError("channel_not_found")


def _external_teams(srv: SlackServer, params: Body, _token: Body) -> Body:
    orgs = [
        {
            "team_id": tid,
            "team_name": t["name"],
            "team_domain": t.get("domain"),
            "connection_status": t.get("connection_status", "CONNECTED"),
            "public_channel_count": t.get("public_channel_count", 0),
            "private_channel_count": t.get("private_channel_count", 0),
            "im_channel_count": 0,
            "mpim_channel_count": 0,
            "is_sponsored": False,
            "slack_connect_prefs": {},
            "last_active_timestamp": 1764000000,
        }
        for tid, t in sorted(srv.data.get("external_teams", {}).items())
    ]
    body = srv.page(orgs, params, "organizations", 1000)
    body["total_count"] = len(orgs)
    return body


def _numbered(key: str, data_key: str) -> Callable[[SlackServer, Body, Body], Body]:
    """Legacy page/count paging (team.integrationLogs, team.accessLogs)."""

    def handler(srv: SlackServer, params: Body, _token: Body) -> Body:
        logs = srv.data.get(data_key, [])
        count = min(_int(params.get("count"), 100), srv.page_cap)
        page = max(_int(params.get("page"), 1), 1)
        pages = max(1, -(-len(logs) // count))
        return {
            key: logs[(page - 1) * count : page * count],
            "paging": {"count": count, "total": len(logs), "page": page, "pages": pages},
        }

    return handler


def _access_logs(srv: SlackServer, params: Body, token: Body) -> Body:
    if srv.data.get("plan") == "free":
        raise SlackError("paid_only")
    return _numbered("logins", "access_logs")(srv, params, token)


def _audit_logs(srv: SlackServer, params: Body) -> Body:
    actions = {a for a in (params.get("action") or "").split(",") if a}
    entries = [
        e for e in srv.data.get("audit_logs", []) if not actions or e.get("action") in actions
    ]
    limit = _int(params.get("limit"), 100)
    if not 1 <= limit <= 9999:
        raise SlackError("invalid_limit")
    start = _int(params.get("cursor"), 0) if params.get("cursor") else 0
    end = start + min(limit, srv.page_cap)
    return {
        "entries": entries[start:end],
        "response_metadata": {"next_cursor": str(end) if end < len(entries) else ""},
    }


def _apps(key: str) -> Callable[[SlackServer, Body, Body], Body]:
    def handler(srv: SlackServer, params: Body, _token: Body) -> Body:
        team, enterprise = params.get("team_id"), params.get("enterprise_id")
        if team and enterprise:
            raise SlackError("too_many_teams_provided")
        if not (team or enterprise):
            raise SlackError("invalid_arguments")
        # ``decided_in``: where each decision was made (the org id by default: org-wide)
        rows = [
            {k: v for k, v in item.items() if k != "decided_in"}
            for item in srv.data.get(key, [])
            if (team or enterprise) in item.get("decided_in", [srv.data["team"]["enterprise_id"]])
        ]
        return srv.page(rows, params, key, 1000)

    return handler


def _retention(srv: SlackServer, params: Body, _token: Body) -> Body:
    policy = srv.data.get("custom_retention", {}).get(params.get("channel_id"))
    return policy or {"is_policy_enabled": False}


def _ekm(srv: SlackServer, params: Body, _token: Body) -> Body:
    if not srv.data.get("ekm_enabled"):
        raise SlackError("not_enabled")
    return srv.page([], params, "channels", 1000)


_ADMIN_CONV = ("admin.conversations:read",)
ROUTES: dict[str, Route] = {
    "auth.test": Route(_auth_test),
    "team.info": Route(_team_info, ("team:read",)),
    "team.billing.info": Route(_billing, ("team.billing:read",)),
    "conversations.list": Route(_conversations, ("channels:read",)),
    "conversations.info": Route(_conversation_info, ("channels:read",)),
    "team.externalTeams.list": Route(
        _external_teams,
        ("conversations.connect:manage", "team:read"),
        ("bot",),
        True,
        "not_an_enterprise",
    ),
    "team.integrationLogs": Route(
        _numbered("logs", "integration_logs"),
        ("admin",),
        ("user",),
        admin=True,
        type_error="user_is_bot",
    ),
    "team.accessLogs": Route(
        _access_logs, ("admin",), ("user",), admin=True, type_error="user_is_bot"
    ),
    "admin.apps.approved.list": Route(
        _apps("approved_apps"), ("admin.apps:read",), ("user",), True
    ),
    "admin.apps.restricted.list": Route(
        _apps("restricted_apps"), ("admin.apps:read",), ("user",), True
    ),
    "admin.conversations.getCustomRetention": Route(_retention, _ADMIN_CONV, ("user",), True),
    "admin.conversations.ekm.listOriginalConnectedChannelInfo": Route(
        _ekm, _ADMIN_CONV, ("user",), True
    ),
}


def start_slack(dataset: dict[str, Any] | str | None = None) -> RunningService:
    """The sample workspace (or ``dataset``: a dict or a data file name) on 127.0.0.1."""
    data = (
        copy.deepcopy(dataset)
        if isinstance(dataset, dict)
        else load_dataset(dataset or DEFAULT_DATASET)
    )
    return service_for(SlackServer(data).start())


def service_for(server: SlackServer) -> RunningService:
    """``settings`` point the SlackConnector at ``server``; ``env`` holds the tokens they name.
    The dataset's ``declared`` block is the administrator's declaration (region, evidence)."""
    data = server.data
    settings: dict[str, Any] = {
        "api_url": server.api_url,
        "audit_url": server.audit_url,
        **data.get("declared", {}),
    }
    env: dict[str, str] = {}
    for role, key, var in (
        ("bot", "token", BOT_ENV),
        ("user", "user_token", USER_ENV),
        ("org", "org_token", ORG_ENV),
    ):
        value = data.get("scanner_tokens", {}).get(role)
        if value:
            settings[key] = f"env:{var}"
            env[var] = value
    return RunningService(
        name="slack-sandbox",
        provider="slack",
        url=server.api_url,
        settings=settings,
        stop=server.stop,
        env=env,
    )
