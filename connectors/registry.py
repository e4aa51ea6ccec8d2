"""Provider name -> connector class, imported lazily so `residency --help` stays fast."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from connectors.base import Connector
from core.errors import UsageError
from core.yamlfile import load_schema, validate

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


def settings_schema(provider: str) -> dict[str, Any]:
    """The provider's settings schema (read once per process)."""
    return load_schema(settings_schema_path(provider))


def validate_settings(provider: str, settings: dict[str, Any], where: str) -> dict[str, Any]:
    """Check a target's settings against the provider's schema; errors name ``where``.
    Returns the settings with the schema's ``default`` filled in for every key not given: the
    schema is where the defaults live, so each provider's typed settings are built from this."""
    if provider not in PROVIDERS:
        connector_class(provider)
    schema = settings_schema(provider)
    validate(settings, schema, where)
    defaults = {k: p["default"] for k, p in schema["properties"].items() if "default" in p}
    return {**defaults, **settings}


def cli_options(provider: str) -> list[Any]:
    module_name = PROVIDERS[provider].partition(":")[0].rsplit(".", 1)[0]
    return list(importlib.import_module(f"{module_name}.cli_options").OPTIONS)
