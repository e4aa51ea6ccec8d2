"""The Entra token endpoints of the sample tenant, for the real azure-identity credentials.

``POST /{tenant}/oauth2/v2.0/token`` answers the client-credentials grant the way the Microsoft
identity platform documents it: a client secret (``AADSTS7000222`` once it has expired), a
certificate assertion (a JWT signed with the app's key, checked against its registered
certificate by the ``x5t#S256`` thumbprint) or a federated token (workload identity, matched
against the app's federated credential). The managed-identity endpoints are the App Service one
(``GET {IDENTITY_ENDPOINT}`` with the ``X-IDENTITY-HEADER`` secret) and IMDS
(``GET /metadata/identity/oauth2/token`` with ``Metadata: true``). Every answer carries the Graph
server's bearer token, so a credential that signs in can then scan.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
APP_SERVICE_PATH = "/msi/token"
IMDS_PATH = "/metadata/identity/oauth2/token"
LIFETIME_S = 3599


@dataclass(frozen=True)
class AppRegistration:
    """What the tenant knows of the scanner's app: one credential of each kind (all optional)."""

    client_id: str
    secret: str | None = None
    secret_expired: bool = False
    certificate_pem: bytes | None = None
    federated_token: str | None = None
    identity_header: str | None = None  # the App Service managed identity's X-IDENTITY-HEADER


class SignInError(Exception):
    """An Entra error answer: ``(status, error, AADSTS description)``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description, "error_codes": []}


def client_credentials(form: dict[str, str], app: AppRegistration, access_token: str) -> dict:
    """The token response for a client-credentials request, or :class:`SignInError`."""
    if form.get("grant_type") != "client_credentials":
        raise SignInError(400, "unsupported_grant_type", "AADSTS70003: unsupported grant type.")
    if not form.get("scope", "").endswith("/.default"):
        raise SignInError(400, "invalid_scope", "AADSTS1002012: the scope must be '/.default'.")
    if form.get("client_id") != app.client_id:
        raise SignInError(
            400,
            "unauthorized_client",
            f"AADSTS700016: Application with identifier '{form.get('client_id')}' was not "
            "found in the directory.",
        )
    if "client_secret" in form:
        _check_secret(form["client_secret"], app)
    elif form.get("client_assertion_type") == ASSERTION_TYPE:
        _check_assertion(form.get("client_assertion", ""), app)
    else:
        raise SignInError(
            401, "invalid_client", "AADSTS7000218: client_assertion or client_secret required."
        )
    return {
        "token_type": "Bearer",
        "expires_in": LIFETIME_S,
        "ext_expires_in": LIFETIME_S,
        "access_token": access_token,
    }


def managed_identity(access_token: str, resource: str) -> dict[str, Any]:
    """App Service and IMDS answer alike: ``expires_on`` in epoch seconds, as strings."""
    return {
        "access_token": access_token,
        "expires_on": str(int(time.time()) + LIFETIME_S),
        "resource": resource,
        "token_type": "Bearer",
    }


def _check_secret(secret: str, app: AppRegistration) -> None:
    if app.secret is None or secret != app.secret:
        raise SignInError(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
    if app.secret_expired:
        raise SignInError(
            401,
            "invalid_client",
            f"AADSTS7000222: The provided client secret keys for app '{app.client_id}' are "
            "expired. Visit the Azure portal to create new keys for your app.",
        )


def _check_assertion(assertion: str, app: AppRegistration) -> None:
    if app.federated_token is not None and assertion == app.federated_token:
        return
    if app.certificate_pem is None:
        raise SignInError(
            401,
            "invalid_client",
            "AADSTS70021: No matching federated identity record found for presented assertion.",
        )
    certificate = x509.load_pem_x509_certificate(app.certificate_pem)
    try:
        header_b64, payload_b64, signature_b64 = assertion.split(".")
        header = json.loads(_unb64(header_b64))
        claims = json.loads(_unb64(payload_b64))
        signature = _unb64(signature_b64)
    except (ValueError, binascii.Error):
        raise SignInError(401, "invalid_client", "AADSTS50027: JWT token is invalid.") from None
    thumbprint = base64.urlsafe_b64encode(certificate.fingerprint(hashes.SHA256())).rstrip(b"=")
    if str(header.get("x5t#S256", "")).rstrip("=").encode() != thumbprint:
        raise SignInError(
            401,
            "invalid_client",
            "AADSTS700027: The certificate with identifier used to sign the client assertion "
            "is not registered on application.",
        )
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or header.get("alg") != "PS256":
        raise SignInError(401, "invalid_client", "AADSTS5002738: unsupported assertion key.")
    try:
        key.verify(
            signature,
            f"{header_b64}.{payload_b64}".encode(),
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
            hashes.SHA256(),
        )
    except InvalidSignature:
        raise SignInError(
            401, "invalid_client", "AADSTS700027: Client assertion contains an invalid signature."
        ) from None
    if claims.get("sub") != app.client_id or int(claims.get("exp", 0)) < time.time():
        raise SignInError(401, "invalid_client", "AADSTS700024: Client assertion is not valid.")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
