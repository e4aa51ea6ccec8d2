"""Credentials through azure-identity, plus a pre-obtained token; app-only, one per tenant.

azure-identity refuses plain-http authorities: a private authority (the sandbox, a TLS-inspecting
proxy) is reached over https with ``ca_bundle``, or a run uses ``access_token: env:NAME``. Kiota
only attaches a token that is an ``azure.core`` ``AccessToken`` (anything else silently sends no
Authorization header), so the static credential returns one.
"""

from __future__ import annotations

import base64
import json
import os
import time
from typing import Any

from azure.core.credentials import AccessToken
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import ClientAuthenticationError

from connectors.base import CallLedger
from connectors.m365.endpoints import AZURE_CLI_TOKEN
from connectors.m365.settings import M365Settings
from core.errors import AuthError, ConfigError
from core.secrets import Secret, redact, resolve_secret

IMDS_HOST = "http://169.254.169.254"
IMDS_TOKEN_PATH = "/metadata/identity/oauth2/token"


class StaticTokenCredential(AsyncTokenCredential):
    """A token someone else obtained (CI, a broker, the sandbox); refuses it once expired."""

    def __init__(self, token: Secret) -> None:
        self._token = token
        exp = unverified_claims(token.reveal()).get("exp")
        self._expires_on = int(exp) if isinstance(exp, int | float) else int(time.time()) + 3600

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        if self._expires_on <= time.time():
            raise ClientAuthenticationError(message="the pre-obtained access token has expired")
        return AccessToken(self._token.reveal(), self._expires_on)

    async def close(self) -> None:
        return None

    async def __aexit__(self, *args: object) -> None:
        return None


def unverified_claims(token: str) -> dict[str, Any]:
    """A JWT's payload without verification: Graph tokens are opaque by contract, so these
    claims (``xms_tdbr``, ``tenant_region_scope``) are a heuristic signal, never proof."""
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def build_credential(settings: M365Settings, ledger: CallLedger) -> AsyncTokenCredential:
    """The credential for ``settings.auth``; secrets are revealed only here. Token requests to
    the login authority go through the read-only gate and the ledger like every other call."""
    where = "m365"
    if settings.auth == "access_token":
        return StaticTokenCredential(resolve_secret(settings.access_token or "", where=where))
    from azure.identity import aio

    from connectors.m365.transport import GuardedLoginTransport

    verify = {"connection_verify": settings.ca_bundle} if settings.ca_bundle else {}
    if settings.auth == "azure_cli":
        return CountedCredential(aio.AzureCliCredential(tenant_id=settings.tenant_id), ledger)
    if settings.auth == "managed_identity":
        # the token comes from the host's metadata endpoint, not from the login authority
        endpoint = managed_identity_endpoint()
        transport = GuardedLoginTransport(settings, ledger, identity_endpoint=endpoint, **verify)
        return aio.ManagedIdentityCredential(client_id=settings.client_id, transport=transport)
    common: dict[str, Any] = {
        "authority": settings.login_url,
        "transport": GuardedLoginTransport(settings, ledger, **verify),
        "disable_instance_discovery": not settings.instance_discovery,
    }
    if settings.auth == "client_secret":
        secret = resolve_secret(settings.client_secret or "", where=where)
        return aio.ClientSecretCredential(
            settings.tenant_id, settings.client_id, secret.reveal(), **common
        )
    if settings.auth == "certificate":
        password = (
            resolve_secret(settings.certificate_password, where=where).reveal().encode()
            if settings.certificate_password
            else None
        )
        if not os.path.isfile(settings.certificate_path or ""):
            raise ConfigError(f"{where}: certificate file {settings.certificate_path} not found")
        return aio.CertificateCredential(
            settings.tenant_id,
            settings.client_id,
            certificate_path=settings.certificate_path,
            password=password,
            **common,
        )
    token_file = settings.federated_token_file or os.environ.get("AZURE_FEDERATED_TOKEN_FILE")
    if not token_file:
        raise ConfigError(f"{where}: workload_identity needs federated_token_file")
    return aio.WorkloadIdentityCredential(
        tenant_id=settings.tenant_id,
        client_id=settings.client_id,
        token_file_path=token_file,
        **common,
    )


def managed_identity_endpoint() -> str:
    """The token endpoint azure-identity's managed identity will call, from the documented
    environment variables: App Service's ``IDENTITY_ENDPOINT`` (with ``IDENTITY_HEADER``), else
    IMDS (``AZURE_POD_IDENTITY_AUTHORITY_HOST`` overrides its address)."""
    if os.environ.get("IDENTITY_ENDPOINT") and os.environ.get("IDENTITY_HEADER"):
        return os.environ["IDENTITY_ENDPOINT"]
    host = os.environ.get("AZURE_POD_IDENTITY_AUTHORITY_HOST") or IMDS_HOST
    return host.rstrip("/") + IMDS_TOKEN_PATH


class CountedCredential(AsyncTokenCredential):
    """A credential whose token requests leave no HTTP of ours (the Azure CLI runs ``az``):
    each request is counted in the ledger like any other call."""

    def __init__(self, inner: AsyncTokenCredential, ledger: CallLedger) -> None:
        self._inner = inner
        self._ledger = ledger

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        self._ledger.count(AZURE_CLI_TOKEN)
        return await self._inner.get_token(*scopes, **kwargs)

    async def close(self) -> None:
        await self._inner.close()

    async def __aexit__(self, *args: object) -> None:
        await self.close()


async def token_claims(credential: AsyncTokenCredential, settings: M365Settings) -> dict[str, Any]:
    """Get a token once up front: a clear AuthError now beats a 401 on every call later."""
    try:
        # with CAE on, as Kiota asks later, so this token is the one its requests reuse
        token = await credential.get_token(settings.graph_scope, enable_cae=True)
    except ClientAuthenticationError as exc:
        raise AuthError(
            f"m365: cannot authenticate to tenant {settings.tenant_id} with {settings.auth}: "
            f"{_first_line(exc)}"
        ) from None
    except ValueError as exc:  # azure-identity rejects malformed authorities/arguments
        raise AuthError(
            f"m365: credential {settings.auth} is misconfigured: {_first_line(exc)}"
        ) from None
    return unverified_claims(token.token)


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return redact(str(text).strip().splitlines()[0])
