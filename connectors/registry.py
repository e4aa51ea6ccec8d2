"""Provider name -> connector class, imported lazily so `residency --help` stays fast."""

from __future__ import annotations

import importlib

from connectors.base import Connector
from scanner.errors import UsageError

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
