"""Target settings for a Slack workspace, validated once against settings.schema.json so that bad
input is one clear line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.base import Target
from connectors.registry import settings_schema, validate_settings
from connectors.slack.methods import TOKEN_SETTING, TokenKind
from core.errors import ConfigError
from core.secrets import Secret, resolve_secret
from core.transport import insecure_url

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
        """Types, ranges, defaults and "at least one token" are the schema's; what is left is
        resolving the tokens and the rules a schema cannot express."""
        where = f"target {target.name}"
        s = validate_settings("slack", target.settings, where)
        tokens = {
            kind: resolve_secret(s[key], where=f"{where}: {key}")
            for kind, key in TOKEN_SETTING.items()
            if key in s
        }
        region = s.get("declared_region", "").strip().lower()
        evidence = s.get("declared_region_evidence", "").strip()
        return cls(
            api_url=_api_url(s, "api_url", where),
            audit_url=_api_url(s, "audit_url", where),
            tokens=tokens,
            team_id=s.get("team_id"),
            declared_region=None if region in _NO_REGION else region,
            declared_region_evidence=evidence or None,
            max_retries=s["max_retries"],
            max_concurrency=s["max_concurrency"],
            retention_channel_limit=s["retention_channel_limit"],
        )


def _api_url(settings: dict[str, Any], key: str, where: str) -> str:
    """The token travels to this URL: https, or plain http to loopback only (the sandbox)."""
    value = settings[key]
    if problem := insecure_url(value):
        example = settings_schema("slack")["properties"][key]["default"]
        raise ConfigError(f"{where}: {key} {problem}, e.g. {example}")
    return value if value.endswith("/") else value + "/"
