"""Every credential source of the SDK's chain, end to end through `residency scan aws --org`.

Each scan runs as its own process with its own HOME, as a user runs it (botocore fixes the SSO
token cache folder from HOME when it is imported).

STS (AssumeRole, AssumeRoleWithWebIdentity) is moto's; the SSO portal, container credentials and
IMDSv2 are local servers in their documented shapes (sandbox.aws_credentials). The read-only
gate sits on the scanner's own clients, so the SDK's providers reach STS and the portal while
the scanner still cannot send the same calls itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connectors.aws.session import AwsClients
from connectors.aws.settings import AwsSettings
from connectors.base import CallLedger
from core.errors import ReadOnlyViolation
from sandbox.aws import ACCOUNT_ID, create_organization
from sandbox.aws_credentials import CredentialServer
from sandbox.aws_stub import StubData, StubServer

ROOT = Path(__file__).parents[2]
ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/residency-scanner"
KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


@dataclass
class Chain:
    monkeypatch: pytest.MonkeyPatch
    home: Path
    server: CredentialServer

    def config(self, text: str) -> None:
        (self.home / "config").write_text(text)

    def credentials(self, text: str) -> None:
        (self.home / "credentials").write_text(text)

    def env(self, **values: str) -> None:
        for key, value in values.items():
            self.monkeypatch.setenv(key, value)


@pytest.fixture
def chain(moto: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Chain]:
    """No credentials in the environment; every AWS endpoint (STS included) is moto's."""
    for key in KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto)
    with CredentialServer() as server:
        yield Chain(monkeypatch, tmp_path, server)


def static_keys(c: Chain) -> str:
    c.env(AWS_ACCESS_KEY_ID="AKIASTATIC", AWS_SECRET_ACCESS_KEY="s", AWS_SESSION_TOKEN="t")
    return ":user/moto"


def shared_profile(c: Chain) -> str:
    c.credentials("[scanner]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = s\n")
    c.env(AWS_PROFILE="scanner")
    return ":user/moto"


def assume_role_profile(c: Chain) -> str:
    c.credentials("[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = s\n")
    c.config(f"[profile scanner]\nrole_arn = {ROLE}\nsource_profile = base\n"
             "external_id = ext-4711\nrole_session_name = profile-session\n")  # fmt: skip
    c.env(AWS_PROFILE="scanner")
    return ":assumed-role/residency-scanner/profile-session"


def web_identity(c: Chain) -> str:
    token = c.home / "token"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.e30.sandbox")  # any token: moto does not verify it
    c.env(AWS_WEB_IDENTITY_TOKEN_FILE=str(token), AWS_ROLE_ARN=ROLE,
          AWS_ROLE_SESSION_NAME="irsa-session")  # fmt: skip
    return ":assumed-role/residency-scanner/irsa-session"


def sso_profile(c: Chain) -> str:
    c.config(
        "[profile scanner]\nsso_session = corp\n"
        f"sso_account_id = {ACCOUNT_ID}\nsso_role_name = ResidencyScannerReadOnly\n"
        "[sso-session corp]\nsso_region = eu-west-1\n"
        "sso_start_url = https://corp.awsapps.com/start\n"
    )
    cache = c.home / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    expires = (datetime.now(UTC) + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (cache / f"{hashlib.sha1(b'corp').hexdigest()}.json").write_text(json.dumps({
        "startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
        "accessToken": c.server.issued.sso_token, "expiresAt": expires,
    }))  # fmt: skip
    c.env(AWS_PROFILE="scanner", AWS_ENDPOINT_URL_SSO=c.server.url)
    return "sso.GetRoleCredentials"


def credential_process(c: Chain) -> str:
    answer = {"Version": 1, "AccessKeyId": "AKIAPROCESS", "SecretAccessKey": "s"}
    script = c.home / "credentials.py"
    script.write_text(f"print({json.dumps(json.dumps(answer))})\n")
    c.config(f"[profile scanner]\ncredential_process = {sys.executable} {script}\n")
    c.env(AWS_PROFILE="scanner")
    return ":user/moto"


def container(c: Chain) -> str:
    token = c.home / "eks-pod-identity-token"
    token.write_text(c.server.issued.container_token)
    c.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=c.server.container_uri,
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(token))  # fmt: skip
    return "container.credentials"


def instance_metadata(c: Chain) -> str:
    c.env(AWS_EC2_METADATA_DISABLED="false", AWS_EC2_METADATA_SERVICE_ENDPOINT=c.server.url)
    return "imds.credentials"


SOURCES: list[Callable[[Chain], str]] = [
    static_keys, shared_profile, assume_role_profile, web_identity, sso_profile,
    credential_process, container, instance_metadata,
]  # fmt: skip


def residency(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "scanner", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.__name__)
def test_each_credential_source_scans_an_organisation(
    chain: Chain, moto: str, tmp_path: Path, source: Callable[[Chain], str]
) -> None:
    ids = create_organization(moto, {"accounts": ["prod"]})
    proof = source(chain)
    out = tmp_path / "out"
    result = residency("scan", "aws", "--org", "--services", "s3", "--regions", "eu-west-1",
                       "--max-attempts", "1", "--output-dir", str(out))  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    (target,) = json.loads((out / "report.json").read_text())["targets"]
    assert target["complete"] and target["coverage"]["gaps"] == []
    assert target["identity"]["scanned_accounts"] == sorted([ACCOUNT_ID, ids["prod"]])
    if proof.startswith(":"):
        assert proof in target["identity"]["arn"]
    else:  # the credentials came from the local endpoint
        assert chain.server.requests[proof] >= 1
    # the provider's STS or portal call went through; the scanner's own client still refuses it
    sts = AwsClients(AwsSettings.from_settings({}), CallLedger()).client("sts")
    with pytest.raises(ReadOnlyViolation):
        sts.assume_role_with_web_identity(
            RoleArn=ROLE, RoleSessionName="scanner", WebIdentityToken="t" * 8
        )


def test_an_assume_role_profile_sends_its_external_id(
    chain: Chain, moto: str, stub_server: StubServer, tmp_path: Path
) -> None:
    stub_server.reset(StubData(ACCOUNT_ID, moto, {}))
    assume_role_profile(chain)
    chain.env(AWS_ENDPOINT_URL_STS=stub_server.url)  # the stub logs what STS receives
    result = residency("scan", "aws", "--services", "s3", "--regions", "eu-west-1",
                       "--output-dir", str(tmp_path / "out"))  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    (request,) = [params for _, op, _, params in stub_server.seen if op == "AssumeRole"]
    assert (request["RoleArn"], request["ExternalId"]) == (ROLE, "ext-4711")


def test_a_refused_token_is_exit_2_with_one_line(chain: Chain, tmp_path: Path) -> None:
    token = chain.home / "stale-token"
    token.write_text("not-the-token")
    chain.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=chain.server.container_uri,
              AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=str(token))  # fmt: skip
    result = residency("scan", "aws", "--services", "s3", "--regions", "eu-west-1",
                       "--output-dir", str(tmp_path / "out"))  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert chain.server.issued.container_token not in result.stderr
