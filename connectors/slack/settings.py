"""Target settings for a Slack workspace, validated once so that bad input is one clear line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.base import Target
from connectors.slack.methods import TOKEN_SETTING, TokenKind
from core.errors import ConfigError
from core.secrets import Secret, resolve_secret
from core.transport import insecure_url

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_AUDIT_URL = "https://api.slack.com/audit/v1/"
_KNOWN = {
    "api_url",
    "audit_url",
    "token",
    "user_token",
    "org_token",
    "team_id",
    "declared_region",
    "declared_region_evidence",
    "max_retries",
    "max_concurrency",
    "retention_channel_limit",
}
# Values an administrator may use to say "we bought no residency".
_NO_REGION = {"", "none", "us", "default"}


@dataclass(frozen=True)
class SlackSettings:
    api_url: str
    audit_url: str
    tokens: dict[TokenKind, Secret]
    team_id: str | None
    declared_region: str | None
    declared_region_evidence: str | None
    max_retries: int
    max_concurrency: int
    retention_channel_limit: int

    @classmethod
    def from_target(cls, target: Target) -> SlackSettings:
        s = target.settings
        where = f"target {target.name}"
        unknown = sorted(set(s) - _KNOWN)
        if unknown:
            raise ConfigError(f"{where}: unknown slack setting(s): {', '.join(unknown)}")
        tokens: dict[TokenKind, Secret] = {}
        for kind, key in TOKEN_SETTING.items():
            if s.get(key):
                tokens[kind] = resolve_secret(str(s[key]), where=f"{where}: {key}")
        if not tokens:
            raise ConfigError(
                f"{where}: set at least one of token (bot), user_token or org_token, "
                "as env:NAME or file:PATH"
            )
        region = str(s.get("declared_region") or "").strip().lower()
        evidence = str(s.get("declared_region_evidence") or "").strip()
        return cls(
            api_url=_api_url(str(s.get("api_url") or DEFAULT_API_URL), where),
            audit_url=_api_url(str(s.get("audit_url") or DEFAULT_AUDIT_URL), where, "audit_url"),
            tokens=tokens,
            team_id=str(s["team_id"]) if s.get("team_id") else None,
            declared_region=None if region in _NO_REGION else region,
            declared_region_evidence=evidence or None,
            max_retries=_int(s, "max_retries", 3, 0, 10, where),
            max_concurrency=_int(s, "max_concurrency", 4, 1, 16, where),
            retention_channel_limit=_int(s, "retention_channel_limit", 100, 0, 10000, where),
        )


def _api_url(value: str, where: str, key: str = "api_url") -> str:
    """The token travels to this URL: https, or plain http to loopback only (the sandbox)."""
    if problem := insecure_url(value):
        example = DEFAULT_API_URL if key == "api_url" else DEFAULT_AUDIT_URL
        raise ConfigError(f"{where}: {key} {problem}, e.g. {example}")
    return value if value.endswith("/") else value + "/"


def _int(s: dict[str, Any], key: str, default: int, low: int, high: int, where: str) -> int:
    value = s.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ConfigError(f"{where}: {key} must be a whole number between {low} and {high}")
    number = int(value)
    if not low <= number <= high:
        raise ConfigError(f"{where}: {key} must be between {low} and {high}, got {number}")
    return number
