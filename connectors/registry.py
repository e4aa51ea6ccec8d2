"""Provider name -> connector class, imported lazily so `residency --help` stays fast."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from connectors.base import Connector
from core.errors import UsageError
from core.yamlfile import validate

PROVIDERS: dict[str, str] = {
    "aws": "connectors.aws.connector:AwsConnector",
    "m365": "connectors.m365.connector:M365Connector",
    "slack": "connectors.slack.connector:SlackConnector",
}


def connector_class(provider: str) -> type[Connector]:
    try:
        module_name, _, class_name = PROVIDERS[provider].partition(":")
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise UsageError(f"unknown provider {provider!r} (known: {known})") from None
    return getattr(importlib.import_module(module_name), class_name)


def settings_schema_path(provider: str) -> Path:
    module_name = PROVIDERS[provider].partition(":")[0].rsplit(".", 1)[0]
    return Path(__file__).parent.parent.joinpath(*module_name.split(".")) / "settings.schema.json"


def validate_settings(provider: str, settings: dict[str, Any], where: str) -> None:
    """Check a target's settings against the provider's schema; errors name ``where``."""
    if provider not in PROVIDERS:
        connector_class(provider)
    schema = json.loads(settings_schema_path(provider).read_text(encoding="utf-8"))
    validate(settings, schema, where)


def cli_options(provider: str) -> list[Any]:
    module_name = PROVIDERS[provider].partition(":")[0].rsplit(".", 1)[0]
    return list(importlib.import_module(f"{module_name}.cli_options").OPTIONS)
