"""Target.settings for Microsoft 365, validated into one typed object (no SDK import).

settings.schema.json holds the types, ranges and defaults; this module adds only the rules a
schema cannot express (which settings an auth method needs, https except on loopback, files
that must exist).

Graph and login URLs are settings because national clouds (US Government, China) and the
sandbox need them; secrets stay references (``env:NAME``/``file:PATH``) until the credential is
built.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from connectors.registry import settings_schema, validate_settings
from core.errors import ConfigError

AUTH_METHODS = tuple(settings_schema("m365")["properties"]["auth"]["enum"])
# Tenants that own Microsoft's first-party apps: the documented "Microsoft Services" tenant, and
# the Microsoft corp and AME tenants seen in community tools. Settable per target.
MICROSOFT_TENANTS = (
    "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
    "72f988bf-86f1-41af-91ab-2d7cd011db47",
    "33e01921-4d64-4f8c-a055-5bdaffd5e33d",
)
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
# Microsoft's public and national-cloud login hosts: only these answer instance discovery.
MICROSOFT_LOGIN_HOSTS = frozenset(
    {
        "login.microsoftonline.com",
        "login.microsoftonline.us",
        "login.chinacloudapi.cn",
        "login.partner.microsoftonline.cn",
    }
)


@dataclass(frozen=True)
class M365Settings:
    tenant_id: str
    auth: str
    graph_url: str
    login_url: str
    max_concurrency: int
    max_retries: int
    retry_delay: float
    timeout: float
    client_id: str | None = None
    client_secret: str | None = None
    certificate_path: str | None = None
    certificate_password: str | None = None
    access_token: str | None = None
    federated_token_file: str | None = None
    scope: str | None = None
    ca_bundle: str | None = None
    microsoft_tenant_ids: tuple[str, ...] = MICROSOFT_TENANTS

    @classmethod
    def from_settings(cls, settings: dict[str, Any], where: str = "m365") -> M365Settings:
        values = validate_settings("m365", settings, where)
        values.setdefault("auth", _infer_auth(values))
        _require(values, where)
        for key in ("graph_url", "login_url"):
            values[key] = _url(values[key], key, where)
        if values["auth"] in SIGNS_IN_AT_LOGIN_URL and values["login_url"].startswith("http:"):
            raise ConfigError(
                f"{where}: login_url must use https for auth {values['auth']}: Entra sign-in "
                "refuses a plain-http authority (a private CA goes in ca_bundle)"
            )
        if "ca_bundle" in values and not os.path.isfile(values["ca_bundle"]):
            raise ConfigError(f"{where}: ca_bundle file {values['ca_bundle']} not found")
        if "microsoft_tenant_ids" in values:
            values["microsoft_tenant_ids"] = tuple(values["microsoft_tenant_ids"])
        return cls(**values)

    @property
    def graph_scope(self) -> str:
        """The .default scope of the configured Graph host (national clouds differ)."""
        if self.scope:
            return self.scope
        parts = urlsplit(self.graph_url)
        return f"{parts.scheme}://{parts.netloc}/.default"

    @property
    def instance_discovery(self) -> bool:
        """Only Microsoft's own login hosts answer instance discovery; any other authority
        (a proxy, the sandbox) is used as given."""
        return (urlsplit(self.login_url).hostname or "") in MICROSOFT_LOGIN_HOSTS

    @property
    def graph_host(self) -> str:
        return urlsplit(self.graph_url).hostname or ""

    @property
    def graph_prefix(self) -> str:
        """The version path (``/v1.0``) that request paths start with."""
        return urlsplit(self.graph_url).path.rstrip("/")


def _infer_auth(values: dict[str, Any]) -> str:
    if "access_token" in values:
        return "access_token"
    if "client_secret" in values:
        return "client_secret"
    if "certificate_path" in values:
        return "certificate"
    return "azure_cli"


# Auth methods whose tokens come from the login authority (azure-identity insists on TLS there).
SIGNS_IN_AT_LOGIN_URL = frozenset({"client_secret", "certificate", "workload_identity"})


def _require(values: dict[str, Any], where: str) -> None:
    needs = {
        "access_token": ("access_token",),
        "client_secret": ("client_id", "client_secret"),
        "certificate": ("client_id", "certificate_path"),
        "workload_identity": ("client_id",),
    }.get(values["auth"], ())
    missing = [key for key in needs if not values.get(key)]
    if missing:
        raise ConfigError(f"{where}: auth {values['auth']} needs {', '.join(missing)}")


def _url(value: str, key: str, where: str) -> str:
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {key} must be an absolute URL, not {value!r}")
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise ConfigError(f"{where}: {key} must use https (plain http only for localhost)")
    return str(value).rstrip("/")
