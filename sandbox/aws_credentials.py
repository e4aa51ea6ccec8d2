"""Local endpoints that hand out AWS credentials, in the documented shapes the SDKs read.

One server answers the three credential sources that are HTTP endpoints outside STS:
- the IAM Identity Center (SSO) portal, ``GET /federation/credentials?account_id=&role_name=``
  with the ``x-amz-sso_bearer_token`` header
  (https://docs.aws.amazon.com/singlesignon/latest/PortalAPIReference/API_GetRoleCredentials.html);
- container credentials (ECS, EKS Pod Identity), ``GET`` on the full URI with the token in the
  ``Authorization`` header
  (https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html);
- instance metadata, IMDSv2 only: ``PUT /latest/api/token``, then
  ``GET /latest/meta-data/iam/security-credentials/[role]`` with ``X-aws-ec2-metadata-token``
  (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-security-credentials.html).
A request without the right token is refused (401/403), as the real endpoints do; ``requests``
counts what was served per route. Point the SDK here with ``AWS_ENDPOINT_URL_SSO``,
``AWS_CONTAINER_CREDENTIALS_FULL_URI`` or ``AWS_EC2_METADATA_SERVICE_ENDPOINT``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sandbox.httpserver import JsonHandler, LocalServer

CONTAINER_PATH = "/v1/credentials"
IMDS_TOKEN_PATH = "/latest/api/token"
IMDS_ROLES_PATH = "/latest/meta-data/iam/security-credentials/"
SSO_PATH = "/federation/credentials"
LIFETIME = timedelta(hours=1)


@dataclass
class Issued:
    """The one set of credentials every source hands out, and the tokens it accepts."""

    access_key_id: str = "ASIASANDBOXCHAIN0001"
    secret_access_key: str = "sandbox-chain-secret"  # the local servers accept any key
    session_token: str = "sandbox-chain-session"
    sso_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    container_token: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    instance_role: str = "residency-scanner-instance"
    account_id: str = "123456789012"
    imds_tokens: set[str] = field(default_factory=set)

    def expiration(self) -> datetime:
        return datetime.now(UTC) + LIFETIME


class CredentialHandler(JsonHandler):
    server: CredentialServer

    def do_PUT(self) -> None:
        issued = self.server.issued
        if self.path != IMDS_TOKEN_PATH or not self.headers.get(
            "X-aws-ec2-metadata-token-ttl-seconds"
        ):
            self._text(400, "")
            return
        self.note_request("imds.token")
        token = secrets.token_urlsafe(16)
        issued.imds_tokens.add(token)
        self._text(200, token)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == SSO_PATH:
            self._sso(parse_qs(url.query))
        elif url.path == CONTAINER_PATH:
            self._container()
        elif url.path.startswith(IMDS_ROLES_PATH):
            self._instance(url.path.removeprefix(IMDS_ROLES_PATH))
        else:
            self.reply(404, {"message": f"no route {url.path}"})

    def _sso(self, query: dict[str, list[str]]) -> None:
        issued = self.server.issued
        if self.headers.get("x-amz-sso_bearer_token") != issued.sso_token:
            self.reply(401, {"message": "Session token not found or invalid"},
                       {"x-amzn-ErrorType": "UnauthorizedException"})  # fmt: skip
            return
        if query.get("account_id") != [issued.account_id] or not query.get("role_name"):
            self.reply(403, {"message": "No access"}, {"x-amzn-ErrorType": "ForbiddenException"})
            return
        self.note_request("sso.GetRoleCredentials")
        expires = int(issued.expiration().timestamp() * 1000)
        self.reply(200, {"roleCredentials": {
            "accessKeyId": issued.access_key_id, "secretAccessKey": issued.secret_access_key,
            "sessionToken": issued.session_token, "expiration": expires,
        }})  # fmt: skip

    def _container(self) -> None:
        issued = self.server.issued
        if self.headers.get("Authorization") != issued.container_token:
            self.reply(401, {"message": "invalid authorization token"})
            return
        self.note_request("container.credentials")
        self.reply(200, self._credentials("Token"))

    def _instance(self, role: str) -> None:
        issued = self.server.issued
        if self.headers.get("X-aws-ec2-metadata-token") not in issued.imds_tokens:
            self._text(401, "")
            return
        if not role:
            self.note_request("imds.role")
            self._text(200, issued.instance_role)
        elif role == issued.instance_role:
            self.note_request("imds.credentials")
            self.reply(200, {"Code": "Success", "Type": "AWS-HMAC", **self._credentials("Token")})
        else:
            self._text(404, "")

    def _credentials(self, token_key: str) -> dict[str, str]:
        issued = self.server.issued
        return {
            "AccessKeyId": issued.access_key_id,
            "SecretAccessKey": issued.secret_access_key,
            token_key: issued.session_token,
            "Expiration": issued.expiration().strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    def _text(self, status: int, text: str) -> None:
        payload = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class CredentialServer(LocalServer):
    """``with CredentialServer() as srv:`` the SSO portal, container and IMDSv2 endpoints."""

    def __init__(self, issued: Issued | None = None) -> None:
        super().__init__(CredentialHandler)
        self.issued = issued or Issued()

    @property
    def container_uri(self) -> str:
        return self.url + CONTAINER_PATH
