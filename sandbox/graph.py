"""A local Microsoft Graph + login discovery server serving the sample tenant's JSON shapes.

msgraph-sdk and azure-identity's token plumbing talk to it over HTTP exactly as they would to
Microsoft: absolute ``@odata.nextLink`` paging (with an empty page followed by a nextLink),
``$select`` projection (users return only the default property set without it), ``$top`` up to
999, 429 with Retry-After, 401 for a wrong token, 403 ``Authorization_RequestDenied`` for
endpoints the dataset denies, 403 ``Authentication_RequestFromNonPremiumTenantOrB2CTenant``
for routes the tenant is not licensed for (sign-in logs without Entra ID P1/P2), malformed
pages on request, and OIDC discovery documents (400
AADSTS90002 for an unknown tenant). Given an app registration it also serves the Entra token and
managed-identity endpoints (``sandbox/login.py``), and over https given a certificate. Writes are
answered 405 and counted, so tests can prove none arrived.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from sandbox.httpserver import JsonHandler, LocalServer
from sandbox.login import (
    APP_SERVICE_PATH,
    IMDS_PATH,
    AppRegistration,
    SignInError,
    client_credentials,
    managed_identity,
)
from sandbox.service import RunningService

DATA = Path(__file__).parent / "data" / "m365_tenant.json"
TOKEN_ENV = "RESIDENCY_SANDBOX_M365_TOKEN"
MAX_TOP = 999
DEFAULT_PAGE = 100
# Graph's default user properties: preferredDataLocation and userType need $select.
DEFAULT_USER_FIELDS = (
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
)
FILTERS = {
    "groups": {"groupTypes/any(c:c eq 'Unified')": lambda g: "Unified" in g.get("groupTypes", [])},
    "sites": {
        "siteCollection/root ne null": lambda s: (
            (s.get("siteCollection") or {}).get("root") is not None
        )
    },
}
SHARED_DATA = {"allSites": "sites"}  # getAllSites and the root-site query read the same sites
DISCOVERY = re.compile(r"^/([^/]+)(?:/v2\.0)?/\.well-known/openid-configuration$")
TOKEN = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
SP_BY_APP = re.compile(r"^/v1\.0/servicePrincipals\(appId='([^'/]+)'\)$")
ASSIGNED_TO = re.compile(r"^/v1\.0/servicePrincipals/([^/]+)/appRoleAssignedTo$")
COLLECTIONS = {
    "/v1.0/organization": "organization",
    "/v1.0/users": "users",
    "/v1.0/groups": "groups",
    "/v1.0/sites": "sites",
    "/v1.0/sites/getAllSites()": "allSites",
    "/v1.0/sites/getAllSites": "allSites",
    "/v1.0/servicePrincipals": "servicePrincipals",
    "/v1.0/oauth2PermissionGrants": "oauth2PermissionGrants",
    "/v1.0/policies/crossTenantAccessPolicy/partners": "partners",
    "/v1.0/auditLogs/signIns": "signIns",
    "/v1.0/auditLogs/directoryAudits": "directoryAudits",
    "/v1.0/subscribedSkus": "subscribedSkus",
}


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def sandbox_token(claims: dict[str, Any], lifetime_s: int = 3600) -> str:
    """An unsigned JWT-shaped token: Graph tokens are opaque to clients, the claims are a hint."""
    body = {"exp": int(time.time()) + lifetime_s, **claims}
    return f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{_b64(body)}.sandbox"


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "innerError": {"request-id": "sandbox"}}}


class GraphServer(LocalServer):
    """The server plus its dataset; ``token`` is the only bearer token it accepts. With ``app``
    it also signs that app in (``sandbox/login.py``); with ``certfile`` it speaks https."""

    def __init__(
        self,
        dataset: dict[str, Any],
        app: AppRegistration | None = None,
        certfile: str | None = None,
    ) -> None:
        super().__init__(GraphHandler, certfile=certfile)
        self.data = dataset
        self.app = app
        self.token = sandbox_token(dataset.get("token_claims", {}))


class GraphHandler(JsonHandler):
    server: GraphServer

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        discovery = DISCOVERY.match(path)
        if discovery:
            self._discovery(unquote(discovery.group(1)))
            return
        if self.server.app and path in (APP_SERVICE_PATH, IMDS_PATH):
            self._managed_identity(path, query)
            return
        route, item = self._route(path)
        if route is None:
            self.note_request("unknown")
            self.reply(400, _error("BadRequest", f"Resource not found for the segment '{path}'."))
            return
        self.note_request(route)
        if self._refused(route):
            return
        data = self.server.data
        if route == "servicePrincipal":
            found = [s for s in data.get("servicePrincipals", []) if s.get("appId") == item]
            if not found:
                self.reply(404, _error("Request_ResourceNotFound", f"'{item}' does not exist."))
                return
            self.reply(200, _project(found[0], query.get("$select"), route))
            return
        items = data.get(SHARED_DATA.get(route, route), [])
        if route == "appRoleAssignedTo":
            items = data.get("appRoleAssignedTo", {}).get(item, [])
        self._page(path, route, items, query)

    def _route(self, path: str) -> tuple[str | None, str | None]:
        if path in COLLECTIONS:
            return COLLECTIONS[path], None
        for pattern, route in ((SP_BY_APP, "servicePrincipal"), (ASSIGNED_TO, "appRoleAssignedTo")):
            match = pattern.match(path)
            if match:
                return route, match.group(1)
        return None, None

    def _refused(self, route: str) -> bool:
        """401/429/403/malformed answers, in the order Graph would give them."""
        expected = f"Bearer {self.server.token}"
        given = self.headers.get("Authorization")
        if given != expected:
            message = (
                "Access token is empty."
                if not given
                else ("Access token has expired or is not yet valid.")
            )
            self.reply(401, _error("InvalidAuthenticationToken", message))
            return True
        if self.server.faults.take_throttle(route):
            self.reply(
                429,
                _error("TooManyRequests", "Too many requests."),
                {"Retry-After": str(self.server.faults.retry_after)},
            )
            return True
        if route in self.server.data.get("denied", []):
            self.reply(
                403,
                _error(
                    "Authorization_RequestDenied",
                    "Insufficient privileges to complete the operation.",
                ),
            )
            return True
        if route in self.server.data.get("unlicensed", []):
            self.reply(
                403,
                _error(
                    "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                    "Neither tenant is B2C or tenant doesn't have premium license",
                ),
            )
            return True
        if route in self.server.data.get("malformed", []):
            payload = b'{"value": [{"id": "1"'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return True
        if route in self.server.data.get("trickle", []):
            self._trickle(b'{"value": []}')
            return True
        return False

    def _trickle(self, payload: bytes) -> None:
        """A body sent one byte at a time (a stalled proxy): each byte resets a read timeout."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        for byte in payload:
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the client gave up: that is the point
                return
            time.sleep(0.3)

    def _page(
        self, path: str, route: str, items: list[dict[str, Any]], query: dict[str, str]
    ) -> None:
        rule = query.get("$filter")
        if rule is not None:
            test = FILTERS.get(route, {}).get(rule)
            if test is None:
                self.reply(400, _error("Request_UnsupportedQuery", f"Unsupported filter: {rule}"))
                return
            items = [i for i in items if test(i)]
        top = int(query.get("$top") or DEFAULT_PAGE)
        if not 1 <= top <= MAX_TOP:
            self.reply(
                400,
                _error(
                    "Request_BadRequest",
                    f"Invalid page size specified: '{top}'. Must be between 1 and 999 inclusive.",
                ),
            )
            return
        size = min(top, int(self.server.data.get("max_page_size", MAX_TOP)))
        token = query.pop("$skiptoken", "o0")
        offset = int(token[1:])
        empty_first = route in self.server.data.get("empty_page_routes", [])
        if token.startswith("e"):
            page, following = [], f"o{offset}"
        else:
            page = items[offset : offset + size]
            nxt = offset + size
            more = nxt < len(items)
            following = (f"e{nxt}" if empty_first and offset == 0 else f"o{nxt}") if more else None
        if offset and route in self.server.data.get("looping_page_routes", []):
            following = token  # fault: a nextLink back to the page just served
        body: dict[str, Any] = {
            "@odata.context": f"{self.server.url}/v1.0/$metadata#{route}",
            "value": [_project(i, query.get("$select"), route) for i in page],
        }
        if following:
            body["@odata.nextLink"] = (
                f"{self.server.url}{path}?{urlencode({**query, '$skiptoken': following})}"
            )
        self.reply(200, body)

    def _discovery(self, tenant: str) -> None:
        self.note_request("discovery")
        if self.server.faults.take_throttle("discovery"):
            self.reply(
                429,
                {"error": "temporarily_unavailable"},
                {"Retry-After": str(self.server.faults.retry_after)},
            )
            return
        key = tenant.lower()
        for entry in self.server.data.get("tenants", []):
            names = [entry["id"].lower(), *(d.lower() for d in entry.get("domains", []))]
            if key in names:
                self.reply(
                    200,
                    _discovery_doc(self.server.url, entry),
                    {"Cache-Control": "max-age=86400, private"},
                )
                return
        self.reply(
            400,
            {
                "error": "invalid_tenant",
                "error_description": f"AADSTS90002: Tenant '{tenant}' not found. "
                "Check to make sure you have the correct tenant ID and are signing into the "
                "correct cloud.",
                "error_codes": [90002],
            },
        )

    def _managed_identity(self, path: str, query: dict[str, str]) -> None:
        """App Service wants its secret header, IMDS ``Metadata: true``; both a ``resource``."""
        self.note_request(f"managed_identity:{path}")
        app = self.server.app
        if path == APP_SERVICE_PATH:
            allowed = bool(app and self.headers.get("X-IDENTITY-HEADER") == app.identity_header)
        else:
            allowed = self.headers.get("Metadata") == "true"
        if not allowed or not query.get("resource"):
            self.reply(400, {"error": "invalid_request", "error_description": "Bad request"})
            return
        self.reply(200, managed_identity(self.server.token, query["resource"]))

    def do_POST(self) -> None:
        path = unquote(urlsplit(self.path).path)
        match = TOKEN.match(path)
        if not (self.server.app and match and match.group(1) == self.server.data["tenant_id"]):
            self._write()
            return
        self.note_request("token")
        form = {k: v[0] for k, v in parse_qs(self.read_body().decode()).items()}
        try:
            self.reply(200, client_credentials(form, self.server.app, self.server.token))
        except SignInError as exc:
            self.reply(exc.status, exc.body)

    def _write(self) -> None:
        self.note_request(f"write:{self.command}")
        self.read_body()
        self.reply(405, _error("Request_BadRequest", "The sandbox is read-only."))

    do_PUT = do_PATCH = do_DELETE = _write


def _project(item: dict[str, Any], select: str | None, route: str) -> dict[str, Any]:
    if select:
        fields: tuple[str, ...] = tuple(f for f in select.split(",") if f)
    elif route == "users":
        fields = DEFAULT_USER_FIELDS
    else:
        return item
    return {f: item.get(f) for f in fields}


def _discovery_doc(base: str, entry: dict[str, Any]) -> dict[str, Any]:
    tid = entry["id"]
    doc = {
        "token_endpoint": f"{base}/{tid}/oauth2/v2.0/token",
        "issuer": f"{base}/{tid}/v2.0",
        "authorization_endpoint": f"{base}/{tid}/oauth2/v2.0/authorize",
        "tenant_region_scope": entry.get("region_scope"),
        "cloud_instance_name": "microsoftonline.com",
        "msgraph_host": "graph.microsoft.com",
    }
    if entry.get("region_sub_scope"):
        doc["tenant_region_sub_scope"] = entry["region_sub_scope"]
    return doc


def load_dataset(dataset: dict[str, Any] | str | Path | None = None) -> dict[str, Any]:
    if isinstance(dataset, dict):
        return copy.deepcopy(dataset)
    return json.loads(Path(dataset or DATA).read_text(encoding="utf-8"))


def start_graph(dataset: dict[str, Any] | str | Path | None = None) -> RunningService:
    """Start the sample tenant's Graph; ``settings`` scan it with a pre-obtained token."""
    return service_for(GraphServer(load_dataset(dataset)).start())


def service_for(server: GraphServer) -> RunningService:
    """The connector settings and token env var that point at a running ``server``."""
    settings = {
        "tenant_id": server.data["tenant_id"],
        "auth": "access_token",
        "access_token": f"env:{TOKEN_ENV}",
        "graph_url": f"{server.url}/v1.0",
        "login_url": server.url,
        "retry_delay": 0,
    }
    return RunningService(
        name="m365",
        provider="m365",
        url=server.url,
        settings=settings,
        stop=server.stop,
        env={TOKEN_ENV: server.token},
    )
