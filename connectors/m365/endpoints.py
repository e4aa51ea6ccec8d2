"""The read-only allow-list: every Graph and login request the connector may send.

Each entry names one GET operation, the path pattern it matches (after the Graph version
prefix) and the least application permission it needs; the single exception is ``TOKEN``, the
credential's POST for its own token. The transport refuses anything else
before it leaves the process, and ``M365Connector.permissions()`` is derived from this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Endpoint:
    operation: str
    pattern: re.Pattern[str]
    permission: str | None
    why: str


def _endpoint(operation: str, pattern: str, permission: str | None, why: str) -> Endpoint:
    return Endpoint(operation, re.compile(pattern), permission, why)


GRAPH_ENDPOINTS: tuple[Endpoint, ...] = (
    _endpoint(
        "organization.list",
        r"^/organization$",
        "Organization.Read.All",
        "tenant country, default usage location, verified domains, Multi-Geo flag",
    ),
    _endpoint(
        "users.list",
        r"^/users$",
        "User.Read.All",
        "users' preferredDataLocation (Multi-Geo) and guests' home domains",
    ),
    _endpoint(
        "groups.list",
        r"^/groups$",
        "GroupMember.Read.All",
        "Microsoft 365 groups' preferredDataLocation (Multi-Geo tenants only)",
    ),
    _endpoint(
        "sites.list",
        r"^/sites$",
        "Sites.Read.All",
        "root site per geo: detects Multi-Geo and the default geo",
    ),
    _endpoint(
        "sites.getAllSites",
        r"^/sites/getAllSites(\(\))?$",
        "Sites.Read.All",
        "every site's dataLocationCode (Multi-Geo tenants only)",
    ),
    _endpoint(
        "servicePrincipals.list",
        r"^/servicePrincipals$",
        "Application.Read.All",
        "apps in the tenant, their owner tenant and verified publisher",
    ),
    _endpoint(
        "servicePrincipals.byAppId",
        r"^/servicePrincipals\(appId='[^'/]+'\)$",
        "Application.Read.All",
        "Graph, Exchange and SharePoint app roles and scopes, to name granted permissions",
    ),
    _endpoint(
        "servicePrincipals.appRoleAssignedTo",
        r"^/servicePrincipals/[^/]+/appRoleAssignedTo$",
        "Application.Read.All",
        "every application permission granted on Graph, Exchange and SharePoint",
    ),
    _endpoint(
        "oauth2PermissionGrants.list",
        r"^/oauth2PermissionGrants$",
        "Directory.Read.All",
        "delegated permission grants (no narrower read permission exists)",
    ),
    _endpoint(
        "crossTenantAccessPolicy.partners",
        r"^/policies/crossTenantAccessPolicy/partners$",
        "Policy.Read.All",
        "cross-tenant access partners",
    ),
    _endpoint(
        "auditLogs.signIns",
        r"^/auditLogs/signIns$",
        "AuditLog.Read.All",
        "whether sign-in logs exist ($top=1: availability only; needs Entra ID P1/P2)",
    ),
    _endpoint(
        "auditLogs.directoryAudits",
        r"^/auditLogs/directoryAudits$",
        "AuditLog.Read.All",
        "whether directory audit logs exist ($top=1: availability only)",
    ),
    _endpoint(
        "subscribedSkus.list",
        r"^/subscribedSkus$",
        "Organization.Read.All",
        "licensed service plans: log retention (Entra ID P1/P2, Audit Premium) and "
        "Customer Key / Double Key Encryption entitlement",
    ),
)

DISCOVERY = _endpoint(
    "oidc.discovery",
    r"^/[^/]+(/v2\.0)?/\.well-known/openid-configuration$",
    None,
    "tenant region of the customer, partners, guests' home tenants and app publishers "
    "(unauthenticated)",
)

# The one request that is not a GET: the credential's own token request, a POST to the login
# authority's token endpoint (OAuth 2.0 requires POST; it reads a token and changes nothing in
# the tenant). Allowed by this exact path on the login host only, and counted like any call.
TOKEN = _endpoint(
    "login.token",
    r"^/[^/]+/oauth2/v2\.0/token$",
    None,
    "the access token for Graph (POST to the login authority's token endpoint)",
)

# Token requests that do not go to the login authority, named for the gate and the ledger:
# managed identity asks the host's endpoint (App Service ``IDENTITY_ENDPOINT``, or IMDS at
# ``AZURE_POD_IDENTITY_AUTHORITY_HOST``/169.254.169.254) with a GET at that exact origin and path;
# the Azure CLI credential runs ``az account get-access-token`` (counted, no HTTP of ours).
MANAGED_IDENTITY_TOKEN = "managed_identity.token"
AZURE_CLI_TOKEN = "azure_cli.token"

READ_OPERATIONS: frozenset[str] = frozenset(
    [e.operation for e in GRAPH_ENDPOINTS]
    + [DISCOVERY.operation, TOKEN.operation, MANAGED_IDENTITY_TOKEN]
)


def graph_operation(path: str) -> str | None:
    """The allow-listed operation a Graph path (without version prefix) belongs to, if any."""
    return next((e.operation for e in GRAPH_ENDPOINTS if e.pattern.match(path)), None)


def least_permissions() -> dict[str, list[str]]:
    """Application permission -> what it is used for, from the endpoint table."""
    needed: dict[str, list[str]] = {}
    for endpoint in GRAPH_ENDPOINTS:
        if endpoint.permission:
            needed.setdefault(endpoint.permission, []).append(endpoint.why)
    return dict(sorted(needed.items()))
