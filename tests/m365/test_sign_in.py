"""Each Entra sign-in, end to end: `residency scan m365` gets a token from the documented token
endpoint over https (a self-signed CA handed to azure-identity, instance discovery off) and scans
the local tenant with it. Nothing is patched: the real credentials talk to real sockets."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from sandbox.graph import GraphServer, load_dataset
from sandbox.login import APP_SERVICE_PATH, AppRegistration
from tests.conftest import run_cli
from tests.m365.certs import self_signed_pem

CLIENT_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "s3cret-value"
FEDERATED = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6c2Nhbm5lciJ9.k8s"
IDENTITY_HEADER = "app-service-identity-header"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the server's TLS PEM, which is also the CA to trust; the app's key + certificate)."""
    folder = tmp_path_factory.mktemp("pki")
    return self_signed_pem(folder / "tls.pem", ip="127.0.0.1"), self_signed_pem(folder / "app.pem")


def start(pki: tuple[Path, Path], **app: Any) -> GraphServer:
    tls, app_pem = pki
    registration = AppRegistration(
        client_id=CLIENT_ID,
        secret=SECRET,
        certificate_pem=app_pem.read_bytes(),
        federated_token=FEDERATED,
        identity_header=IDENTITY_HEADER,
        **app,
    )
    return GraphServer(load_dataset(), app=registration, certfile=str(tls)).start()


@pytest.fixture
def server(pki: tuple[Path, Path]) -> Iterator[GraphServer]:
    running = start(pki)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def clean_identity_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "IDENTITY_ENDPOINT",
        "IDENTITY_HEADER",
        "AZURE_POD_IDENTITY_AUTHORITY_HOST",
        "AZURE_FEDERATED_TOKEN_FILE",
        "MSI_ENDPOINT",
        "IMDS_ENDPOINT",
    ):
        monkeypatch.delenv(name, raising=False)


def scan(server: GraphServer, pki: tuple[Path, Path], tmp_path: Path, *options: str) -> Result:
    return run_cli(
        "scan",
        "m365",
        "--tenant-id",
        server.data["tenant_id"],
        "--graph-url",
        f"{server.url}/v1.0",
        "--login-url",
        server.url,
        "--ca-bundle",
        str(pki[0]),
        "--evidence",
        str(tmp_path / "evidence.json"),
        "--output-dir",
        str(tmp_path),
        *options,
    )


def complete_scan(result: Result, tmp_path: Path, token_operation: str) -> dict[str, Any]:
    """The scan ran to its verdict (1: the sample tenant has violations) with no gap, and the
    one token request was counted under its own name."""
    assert result.exit_code == 1, result.stderr
    (collection,) = json.loads((tmp_path / "evidence.json").read_text())["collections"]
    assert collection["gaps"] == []
    assert collection["calls"][token_operation] == 1
    assert any(a["kind"] == "app" for a in collection["assets"])
    return collection


def test_client_secret(
    server: GraphServer, pki: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCANNER_SECRET", SECRET)
    result = scan(
        server, pki, tmp_path, "--client-id", CLIENT_ID, "--client-secret", "env:SCANNER_SECRET"
    )
    complete_scan(result, tmp_path, "login.token")
    assert server.requests["token"] == 1
    assert SECRET not in (tmp_path / "evidence.json").read_text()


def test_certificate_assertion(server: GraphServer, pki: tuple[Path, Path], tmp_path: Path) -> None:
    result = scan(
        server, pki, tmp_path, "--client-id", CLIENT_ID, "--certificate-path", str(pki[1])
    )
    complete_scan(result, tmp_path, "login.token")


def test_a_certificate_the_app_does_not_know_is_refused(
    server: GraphServer, pki: tuple[Path, Path], tmp_path: Path
) -> None:
    stranger = self_signed_pem(tmp_path / "stranger.pem")
    result = scan(
        server, pki, tmp_path, "--client-id", CLIENT_ID, "--certificate-path", str(stranger)
    )
    assert result.exit_code == 2
    assert "AADSTS700027" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_workload_identity(server: GraphServer, pki: tuple[Path, Path], tmp_path: Path) -> None:
    token_file = tmp_path / "federated.jwt"
    token_file.write_text(FEDERATED)
    result = scan(
        server,
        pki,
        tmp_path,
        "--auth",
        "workload_identity",
        "--client-id",
        CLIENT_ID,
        "--federated-token-file",
        str(token_file),
    )
    complete_scan(result, tmp_path, "login.token")


def test_managed_identity_on_app_service(
    server: GraphServer, pki: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IDENTITY_ENDPOINT", f"{server.url}{APP_SERVICE_PATH}")
    monkeypatch.setenv("IDENTITY_HEADER", IDENTITY_HEADER)
    result = scan(server, pki, tmp_path, "--auth", "managed_identity")
    complete_scan(result, tmp_path, "managed_identity.token")
    assert server.requests[f"managed_identity:{APP_SERVICE_PATH}"] == 1


def test_managed_identity_through_imds(
    server: GraphServer, pki: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", server.url)
    result = scan(server, pki, tmp_path, "--auth", "managed_identity")
    complete_scan(result, tmp_path, "managed_identity.token")


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script stands in for az")
def test_azure_cli_token_is_counted(
    server: GraphServer, pki: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real AzureCliCredential runs `az account get-access-token`; a local `az` answers."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    az = bin_dir / "az"
    answer = {"accessToken": server.token, "expires_on": 4102444800, "tokenType": "Bearer"}
    runs = tmp_path / "az-runs"
    az.write_text(f"#!/bin/sh\necho run >> '{runs}'\ncat <<'EOF'\n{json.dumps(answer)}\nEOF\n")
    az.chmod(az.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = scan(server, pki, tmp_path, "--auth", "azure_cli")
    assert result.exit_code == 1, result.stderr
    (collection,) = json.loads((tmp_path / "evidence.json").read_text())["collections"]
    assert collection["gaps"] == []
    # the CLI credential caches nothing: every token request runs az, and each run is counted
    assert collection["calls"]["azure_cli.token"] == len(runs.read_text().splitlines()) >= 1


def test_an_expired_secret_is_one_line_and_exit_2(
    pki: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expired = start(pki, secret_expired=True)
    try:
        monkeypatch.setenv("SCANNER_SECRET", SECRET)
        result = scan(
            expired,
            pki,
            tmp_path,
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            "env:SCANNER_SECRET",
        )
    finally:
        expired.stop()
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "AADSTS7000222" in lines[0] and "expired" in lines[0]
    assert SECRET not in result.stderr and "Traceback" not in result.output
    assert expired.requests["organization"] == 0
