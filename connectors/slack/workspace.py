"""Who the tokens belong to and where the workspace's data is, as far as the API can prove it.

No Slack API returns the residency region (field guide 1.2). The API proves the plan (residency
possible or not), the host (GovSlack is US) and the Grid org; the region itself is the
administrator's declaration. The asset records both, separately, and judges nothing.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from slack_sdk.errors import SlackApiError

from connectors.slack.client import AUTH_ERRORS, classify
from connectors.slack.methods import TOKEN_SETTING, TokenKind
from connectors.slack.reader import Reader, ReadError
from connectors.slack.settings import SlackSettings
from core.errors import AuthError
from core.models import Asset, GapReason
from core.secrets import redact

PLAN_LABELS = {
    "free": "Free",
    "std": "Pro",
    "plus": "Business+",
    "enterprise": "Enterprise Grid",
    "compliance": "Enterprise Compliance Select",
}
RESIDENCY_PLANS = frozenset({"plus", "enterprise", "compliance"})
NO_RESIDENCY_PLANS = frozenset({"free", "std"})
GOVSLACK_SUFFIX = "slack-gov.com"
# What residency puts in the region (help article 360035633934); the rest is in the KB's
# data_possibly_outside_region and the residency-scope check.
DATA_CATEGORIES = ["chat", "files"]


def authenticate(reader: Reader) -> dict[str, Any]:
    """auth.test every configured token. The first configured one (bot, then user, then org) is
    the target's identity: if it fails, nothing can be read and AuthError says why. A failing
    or mistyped secondary token becomes a gap and is not used."""
    api = reader.api
    identity: dict[str, Any] = {}
    for position, kind in enumerate(list(api.tokens)):
        setting = TOKEN_SETTING[kind]
        try:
            body = api.call("auth.test", kind=kind)
            problem = _type_mismatch(kind, body)
        except ReadError as exc:
            if position == 0 and not _is_auth_error(exc):
                _, message = classify("auth.test", exc, api.settings.max_retries)
                raise AuthError(
                    f"slack: cannot start a scan at {api.settings.api_url}: {redact(message)}"
                ) from None
            problem = _auth_problem(exc)
            body = {}
        if problem:
            if position == 0:
                raise AuthError(f"slack: the token in {setting} {problem}")
            reader.record(
                "workspace",
                "auth.test",
                GapReason.CREDENTIALS_REJECTED,
                f"the token in {setting} {problem}; it is not used",
            )
            api.drop(kind)
            continue
        reader.recorder.read("auth.test")
        identity.setdefault("team_id", body.get("team_id"))
        identity.setdefault("team", body.get("team"))
        identity.setdefault("url", body.get("url"))
        identity.setdefault("enterprise_id", body.get("enterprise_id") or None)
        identity.setdefault("is_enterprise_install", bool(body.get("is_enterprise_install")))
        identity.setdefault("tokens", {})[setting] = {
            "kind": "bot" if body.get("bot_id") else "user",
            "user_id": body.get("user_id"),
        }
    return identity


def _is_auth_error(exc: Exception) -> bool:
    return isinstance(exc, SlackApiError) and exc.response.get("error") in AUTH_ERRORS


def _auth_problem(exc: Exception) -> str:
    if not isinstance(exc, SlackApiError):
        return f"could not be checked: {type(exc).__name__}"
    code = exc.response.get("error")
    if code == "not_allowed_token_type":
        return "is of a type Slack does not accept here (use a bot xoxb- or user xoxp- token)"
    if code in ("token_revoked", "token_expired", "account_inactive"):
        return f"is no longer valid ({code}); issue a new token"
    return f"was rejected by Slack ({code})"


def _type_mismatch(kind: TokenKind, body: dict[str, Any]) -> str | None:
    is_bot = bool(body.get("bot_id"))
    if kind == "bot" and not is_bot:
        return "is a user token; token expects a bot token (xoxb-)"
    if kind != "bot" and is_bot:
        return f"is a bot token; {TOKEN_SETTING[kind]} expects an admin user token (xoxp-)"
    return None


def read_workspace(reader: Reader, identity: dict[str, Any], settings: SlackSettings) -> Asset:
    """team.info + team.billing.info -> the workspace asset, located by the rules in the doc."""
    team = (reader.call("team.info") or {}).get("team")
    team = team if isinstance(team, dict) else {}
    billing = reader.call("team.billing.info")
    plan = (billing or {}).get("plan") or None
    url = team.get("url") or identity.get("url") or ""
    host = (urlparse(url).hostname or "").lower()
    govslack = host == GOVSLACK_SUFFIX or host.endswith("." + GOVSLACK_SUFFIX)
    residency_possible = (
        True if plan in RESIDENCY_PLANS else False if plan in NO_RESIDENCY_PLANS else None
    )
    declared = settings.declared_region
    location, basis = _location(govslack, plan, residency_possible, declared)
    team_id = team.get("id") or identity.get("team_id") or "unknown"
    enterprise_id = team.get("enterprise_id") or identity.get("enterprise_id")
    return Asset(
        id=f"slack:workspace:{team_id}",
        provider="slack",
        kind="workspace",
        name=team.get("name") or identity.get("team") or team_id,
        location=location,
        data_categories=list(DATA_CATEGORIES),
        attributes={
            "team_id": team_id,
            "domain": team.get("domain"),
            "email_domain": team.get("email_domain"),
            "url": url,
            "enterprise_id": enterprise_id,
            "enterprise_name": team.get("enterprise_name"),
            "grid": bool(enterprise_id),
            "plan": plan,
            "plan_label": PLAN_LABELS.get(plan or "", plan),
            "residency_possible": residency_possible,
            "declared_region": declared,
            "declared_region_evidence": settings.declared_region_evidence,
            "location_basis": basis,
            "proven_by_api": {
                "plan": plan,
                "host": host or None,
                "govslack": govslack,
                "enterprise_id": enterprise_id,
                "residency_region": None,
                "note": "no Slack API exposes the data-residency region",
            },
            "declared_by_admin": {
                "region": declared,
                "evidence": settings.declared_region_evidence,
            },
        },
    )


def _location(
    govslack: bool, plan: str | None, residency_possible: bool | None, declared: str | None
) -> tuple[str, str]:
    if govslack:
        return "country:US", "GovSlack host: Slack's US government cloud"
    if residency_possible is False:
        return "country:US", (
            f"plan {PLAN_LABELS[plan or '']} ({plan}) offers no data residency, so Slack stores "
            "the data in the US"
        )
    if declared:
        return f"slack:{declared}", "declared by the administrator; no Slack API exposes it"
    return (
        "country:US",
        "no residency region declared; without residency Slack stores data in the US",
    )
