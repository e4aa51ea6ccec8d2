"""Fixtures for scheduled, multi-client runs: targets files, local receivers, a real PostgreSQL.

Everything listens on 127.0.0.1; nothing reaches the internet.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.httpserver import JsonHandler, LocalServer
from tests.conftest import require_system_tool

# Debian's postgresql package: /usr/lib/postgresql/<major>/bin (newest first)
PG_BIN = max(
    Path("/usr/lib/postgresql").glob("*/bin"),
    default=Path("/nonexistent"),
    key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
)


@pytest.fixture
def write_tenants(tmp_path: Path) -> Callable[[str], Path]:
    """Write a targets file (dedented) into the test's folder and return its path."""

    def write(text: str, name: str = "tenants.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


class ReceiverHandler(JsonHandler):
    def do_POST(self) -> None:
        server: Receiver = self.server  # type: ignore[assignment]
        body = self.read_body()
        server.received.append(
            {"path": self.path, "headers": dict(self.headers), "body": json.loads(body or b"null")}
        )
        status = server.statuses.pop(0) if server.statuses else 200
        headers = {"Retry-After": "0"} if status == 429 else {}
        if 300 <= status < 400:
            headers = {"Location": f"{server.url}/elsewhere"}
        self.reply(status, {"ok": status < 300}, headers)


class Receiver(LocalServer):
    """A webhook receiver: records every POST; answers ``statuses`` in turn, then 200."""

    def __init__(self) -> None:
        super().__init__(ReceiverHandler)
        self.received: list[dict[str, Any]] = []
        self.statuses: list[int] = []


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as server:
        yield server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Mailbox]]:
    """An SMTP receiver (aiosmtpd) on 127.0.0.1: (port, mailbox)."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, mailbox
    controller.stop()


def _as_postgres(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """initdb refuses to run as root: run the server tools as the postgres user then."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster on a loopback port (Debian package ``postgresql``)."""
    require_system_tool((PG_BIN / "initdb").exists(), "PostgreSQL (Debian package postgresql)")
    # not under pytest's root-only temp folder: the server may run as the postgres user
    base = Path(tempfile.mkdtemp(prefix="residency-pg-"))
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    init = _as_postgres(
        [str(PG_BIN / "initdb"), "-D", str(data), "-U", "scanner", "--auth=trust", "-E", "UTF8"],
        base,
    )
    assert init.returncode == 0, init.stderr
    port = free_port()
    options = f"-p {port} -c listen_addresses=127.0.0.1 -k {base} -c fsync=off"
    start = _as_postgres(
        [
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(base / "log"),
            "-w",
            "start",
        ],
        base,
    )
    assert start.returncode == 0, start.stderr + (base / "log").read_text()
    try:
        yield f"postgresql://scanner@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], base)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def fresh_postgres(postgres_url: str) -> str:
    """The cluster with empty history tables."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        for table in ("findings", "target_runs", "runs", "meta"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
    return postgres_url


def wait_for(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
