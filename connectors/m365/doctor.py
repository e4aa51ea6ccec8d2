"""`residency doctor m365`: which tenant and app the credential is, and one smallest read per
Graph application permission of the allow-list, through the scan's own gated transport.

Each permission is probed on the first endpoint of the table that needs it and takes no path
parameter, asking for one item. 403 means the permission is missing (or, for the audit logs, the
tenant lacks the Entra ID P1/P2 licence: the scan records that as evidence, so it cannot tell);
throttling, an unreachable Graph or a refused query cannot tell either.
"""

from __future__ import annotations

import asyncio
import re

from connectors.base import CallLedger, Diagnosis, PermissionCheck, Target
from connectors.m365.auth import build_credential, token_claims
from connectors.m365.endpoints import GRAPH_ENDPOINTS, Endpoint
from connectors.m365.graph import GraphError, GraphReader, next_request
from connectors.m365.settings import M365Settings
from core.errors import AuthError
from core.models import GapReason

LITERAL_PATH = re.compile(r"^\^(/[A-Za-z0-9/]+)\$$")
REJECTED = "credentials rejected: "
NOT_PREMIUM = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"


def probes() -> dict[str, list[tuple[Endpoint, str]]]:
    """Permission -> its literal-path endpoints (endpoint, path), in the table's order."""
    chosen: dict[str, list[tuple[Endpoint, str]]] = {}
    for endpoint in GRAPH_ENDPOINTS:
        literal = LITERAL_PATH.match(endpoint.pattern.pattern)
        if endpoint.permission and literal:
            chosen.setdefault(endpoint.permission, []).append((endpoint, literal.group(1)))
    return chosen


def diagnose(target: Target, ledger: CallLedger) -> Diagnosis:
    settings = M365Settings.from_settings(target.settings, where=f"target {target.name}")
    return asyncio.run(_diagnose(target, settings, ledger))


async def _diagnose(target: Target, settings: M365Settings, ledger: CallLedger) -> Diagnosis:
    credential = build_credential(settings, ledger)
    reader = GraphReader(settings, credential, ledger)
    try:
        claims = await token_claims(credential, settings)  # AuthError: cannot start
        results = await asyncio.gather(
            *(_permission(reader, settings, endpoints) for endpoints in probes().values())
        )
    finally:
        await reader.aclose()
        await credential.close()
    checks = [check for check, _ in results]
    rejected = [c for c in checks if c.detail.startswith(REJECTED)]
    if rejected:
        raise AuthError(f"m365: Graph rejected the credential: {rejected[0].detail}")
    organization = next((b for c, b in results if c.probe == "organization.list"), None)
    org = (organization or [{}])[0]
    tenant = claims.get("tid") or settings.tenant_id
    app = " ".join(str(claims[k]) for k in ("app_displayname", "appid") if claims.get(k))
    return Diagnosis(
        target=target.name,
        provider="m365",
        kind="Graph application permissions",
        identity={
            "tenant": f"{org.get('displayName') or '?'} ({tenant})",
            "app": app or "(not named in the token)",
            "auth": settings.auth,
            "graph": settings.graph_url,
        },
        checks=sorted(checks, key=lambda c: c.permission),
    )


async def _permission(
    reader: GraphReader, settings: M365Settings, endpoints: list[tuple[Endpoint, str]]
) -> tuple[PermissionCheck, list[dict[str, object]] | None]:
    """The first definite answer over the permission's endpoints, else the last answer."""
    for endpoint, path in endpoints:
        check, body = await _probe(reader, settings, endpoint, path)
        if check.granted is not None:
            break
    return check, body


async def _probe(
    reader: GraphReader, settings: M365Settings, endpoint: Endpoint, path: str
) -> tuple[PermissionCheck, list[dict[str, object]] | None]:
    permission = str(endpoint.permission)
    try:
        body = await reader.get(next_request(f"{settings.graph_url}{path}?$top=1"))
    except GraphError as exc:
        denied = exc.kind == GapReason.ACCESS_DENIED and exc.code != NOT_PREMIUM
        rejected = exc.kind == GapReason.CREDENTIALS_REJECTED
        detail = f"{REJECTED}{exc}" if rejected else str(exc)
        return PermissionCheck(
            permission, endpoint.operation, False if denied else None, detail
        ), None
    value = body.get("value")
    return PermissionCheck(permission, endpoint.operation, True), (
        value if isinstance(value, list) else None
    )
