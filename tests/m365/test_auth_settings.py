"""Credential construction per auth method, settings validation and the light CLI module."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from azure.core.credentials import AccessToken

from connectors.m365 import cli_options
from connectors.m365.auth import StaticTokenCredential
from connectors.m365.connector import M365Connector
from connectors.m365.settings import AUTH_METHODS, M365Settings
from core.errors import ConfigError
from core.secrets import Secret
from sandbox.graph import start_graph

SCHEMA = json.loads(Path("connectors/m365/settings.schema.json").read_text())
BASE = {"tenant_id": "contoso.onmicrosoft.com", "client_id": "11111111-2222-3333-4444-555555555555"}


def test_static_token_returns_an_azure_core_access_token() -> None:
    token = asyncio.run(StaticTokenCredential(Secret("opaque-token")).get_token("x/.default"))
    assert isinstance(token, AccessToken) and token.token == "opaque-token"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"client_id": "x"}, "'tenant_id' is required"),
        ({**BASE, "client_secret": "literal-secret"}, "must be a secret reference"),
        ({**BASE, "auth": "client_secret"}, "needs client_secret"),
        ({**BASE, "graph_url": "http://graph.example.com/v1.0"}, "must use https"),
        ({**BASE, "colour": "blue"}, "unknown key 'colour'"),
    ],
)
def test_bad_settings_are_clear(settings: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        M365Settings.from_settings(settings)


def test_national_cloud_scope_follows_graph_url() -> None:
    parsed = M365Settings.from_settings(
        {
            **BASE,
            "auth": "azure_cli",
            "graph_url": "https://graph.microsoft.us/v1.0",
            "login_url": "https://login.microsoftonline.us",
        }
    )
    assert parsed.graph_scope == "https://graph.microsoft.us/.default"


def test_cli_options_match_the_schema_and_import_no_sdk() -> None:
    names = {option.name for option in cli_options.OPTIONS}
    assert names <= set(SCHEMA["properties"]) <= set(M365Settings.__dataclass_fields__)
    (auth,) = [option for option in cli_options.OPTIONS if option.name == "auth"]
    assert tuple(auth.type.choices) == AUTH_METHODS == tuple(SCHEMA["properties"]["auth"]["enum"])
    code = (
        "import sys, connectors.m365.cli_options; "
        "assert not {'msgraph', 'azure', 'kiota_http'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_sandbox_settings_are_valid() -> None:
    service = start_graph()
    try:
        jsonschema.validate(service.settings, SCHEMA)
        M365Settings.from_settings(service.settings)
        assert service.env
    finally:
        service.stop()


def test_permissions_are_the_least_application_set() -> None:
    permissions = M365Connector.permissions()
    assert permissions["permissions"] == [
        "Application.Read.All",
        "AuditLog.Read.All",
        "Directory.Read.All",
        "GroupMember.Read.All",
        "Organization.Read.All",
        "Policy.Read.All",
        "Sites.Read.All",
        "User.Read.All",
    ]
    assert not any("Write" in p for p in permissions["permissions"])


def test_entra_sign_in_needs_an_https_login_url() -> None:
    """azure-identity refuses a plain-http authority: say so at load time, in one line."""
    settings = {
        "tenant_id": "contoso.onmicrosoft.com", "client_id": "app", "client_secret": "env:S",
        "login_url": "http://127.0.0.1:9",
    }  # fmt: skip
    with pytest.raises(ConfigError, match="login_url must use https for auth client_secret"):
        M365Settings.from_settings(settings)
    token = {"tenant_id": "t", "access_token": "env:T", "login_url": "http://127.0.0.1:9"}
    assert M365Settings.from_settings(token).login_url == "http://127.0.0.1:9"  # no sign-in
