"""Token requests: azure-identity's POST to the login authority goes through the same read-only
gate and call ledger as Graph, over real TLS to a local token endpoint."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
from azure.core.pipeline.transport import HttpRequest
from azure.identity import aio

from connectors.base import CallLedger
from connectors.m365.auth import build_credential
from connectors.m365.settings import M365Settings
from connectors.m365.transport import GuardedLoginTransport, operation_for
from core.errors import ReadOnlyViolation
from sandbox.httpserver import JsonHandler, LocalServer
from tests.m365.certs import self_signed_pem

TENANT = "3f1c6c1e-8c2a-4b7e-9a55-0d1e2f3a4b5c"


class TokenHandler(JsonHandler):
    def do_POST(self) -> None:
        self.read_body()
        self.note_request(f"POST {self.path}")
        self.reply(
            200, {"token_type": "Bearer", "expires_in": 3600, "access_token": "opaque.token.x"}
        )


@pytest.fixture
def login(tmp_path: Path) -> Iterator[tuple[LocalServer, str, Path]]:
    pem = self_signed_pem(tmp_path / "login.pem", ip="127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(pem)
    server = LocalServer(TokenHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.start()
    yield server, server.url.replace("http://", "https://"), pem
    server.stop()


def settings(login_url: str) -> M365Settings:
    return M365Settings.from_settings(
        {"tenant_id": TENANT, "client_id": "app", "login_url": login_url}
    )


def test_the_token_post_is_allowed_by_name_and_counted(login) -> None:
    server, url, ca = login
    ledger = CallLedger()
    transport = GuardedLoginTransport(settings(url), ledger, connection_verify=str(ca))

    async def token() -> str:
        async with aio.ClientSecretCredential(
            TENANT, "app", "s3cret", authority=url, transport=transport
        ) as credential:
            return (await credential.get_token("https://graph.microsoft.com/.default")).token

    assert asyncio.run(token()) == "opaque.token.x"
    assert dict(server.requests) == {f"POST /{TENANT}/oauth2/v2.0/token": 1}
    assert ledger.snapshot() == {"login.token": 1}


def test_any_other_login_request_is_refused_before_sending(login) -> None:
    server, url, ca = login
    ledger = CallLedger()
    transport = GuardedLoginTransport(settings(url), ledger, connection_verify=str(ca))

    async def send(method: str, path: str) -> None:
        await transport.send(HttpRequest(method, f"{url}{path}"))

    for method, path in (
        ("POST", f"/{TENANT}/oauth2/v2.0/devicecode"),
        ("DELETE", f"/{TENANT}/oauth2/v2.0/token"),
        ("POST", "/v1.0/users"),
    ):
        with pytest.raises(ReadOnlyViolation, match="not on the read-only allow-list"):
            asyncio.run(send(method, path))
    assert server.requests == {} and ledger.total == 0


def test_build_credential_routes_token_requests_through_the_gate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing listens on port 1: every attempt azure-identity makes is still counted first."""
    monkeypatch.setenv("M365_SECRET", "s3cret")
    ledger = CallLedger()
    parsed = M365Settings.from_settings(
        {
            "tenant_id": TENANT,
            "client_id": "app",
            "client_secret": "env:M365_SECRET",
            "login_url": "https://127.0.0.1:1",
        }
    )

    async def token() -> None:
        async with build_credential(parsed, ledger) as credential:  # type: ignore[attr-defined]
            await credential.get_token("https://graph.microsoft.com/.default")

    with pytest.raises((ClientAuthenticationError, ServiceRequestError)):
        asyncio.run(token())
    assert set(ledger.snapshot()) == {"login.token"} and ledger.total >= 1


@pytest.mark.parametrize(
    "url",
    [
        "http://graph.example.com/v1.0/users",  # the configured host, but not https
        "https://graph.example.com:8443/v1.0/users",  # the configured host, another port
        "https://graph.example.com.evil.test/v1.0/users",
    ],
)
def test_the_gate_compares_scheme_host_and_port(url: str) -> None:
    configured = M365Settings.from_settings(
        {"tenant_id": TENANT, "auth": "azure_cli", "graph_url": "https://graph.example.com/v1.0"}
    )
    assert operation_for("GET", "https://graph.example.com:443/v1.0/users", configured) == (
        "users.list"
    )
    assert operation_for("GET", url, configured).startswith("GET ")


def test_the_managed_identity_endpoint_is_allowed_at_its_exact_origin_and_path() -> None:
    configured = M365Settings.from_settings({"tenant_id": TENANT, "auth": "managed_identity"})
    endpoint = "http://127.0.0.1:41234/msi/token"
    allowed = operation_for("GET", f"{endpoint}?resource=x", configured, endpoint)
    assert allowed == "managed_identity.token"
    for url in ("http://127.0.0.1:41235/msi/token", "http://127.0.0.1:41234/msi/other"):
        assert operation_for("GET", url, configured, endpoint).startswith("GET ")
    assert operation_for("POST", endpoint, configured, endpoint).startswith("POST ")
