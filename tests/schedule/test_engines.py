"""The three engines of a scheduled run give the same reports and exit codes: threads here, a
local process pool, and Celery workers behind a real Redis (real worker processes, no eager
mode, no in-memory transport). Secrets never travel through the broker; a worker killed
mid-task costs nothing; a broker that is down is one line and exit 2."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sandbox.service import RunningService
from sandbox.slack import SlackServer, load_dataset, service_for
from scanner.multiscan import run_targets_file
from scanner.ratelimit import SharedSlots
from scanner.targets import load_targets
from tests.conftest import require_system_tool

ROOT = Path(__file__).resolve().parents[2]
Write = Callable[..., Path]
TOKEN_ENV = "ENGINE_TEST_SLACK_TOKEN"


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture
def slack_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackServer]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    server = SlackServer(load_dataset("slack_demo")).start()
    yield server
    server.stop()


@pytest.fixture
def slack(slack_server: SlackServer) -> RunningService:
    return service_for(slack_server)


def slack_settings(service: RunningService, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The sandbox's settings with every token behind one env reference of ours."""
    settings = dict(service.settings)
    for key, value in service.settings.items():
        if isinstance(value, str) and value.startswith("env:"):
            name = f"{TOKEN_ENV}_{key.upper()}"
            monkeypatch.setenv(name, service.env[value[4:]])
            settings[key] = f"env:{name}"
    return settings


def tokens(service: RunningService) -> list[str]:
    return [v for v in service.env.values() if v]


@pytest.fixture
def tenants(
    slack: RunningService, write_tenants: Write, monkeypatch: pytest.MonkeyPatch
) -> Callable[[int], Path]:
    def write(clients: int) -> Path:
        settings = slack_settings(slack, monkeypatch)
        document = {
            "reports": {"dir": "out", "formats": ["json"]},
            "rate_limits": {"slack": 200},
            "clients": [{"name": f"c{n}", "slack": dict(settings)} for n in range(clients)],
        }
        return write_tenants(yaml.safe_dump(document))

    return write


def findings_of(path: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Per client: (check, resource, status) of its latest report, the comparable part."""
    out = {}
    for latest in sorted((path.parent / "out").glob("*/latest")):
        report = json.loads((latest / "report.json").read_text())
        out[latest.parent.name] = sorted(
            (f["check_id"], f["resource"], f["status"]) for f in report["findings"]
        )
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    require_system_tool(server is not None, "redis-server (Debian package redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


def residency(*args: str) -> list[str]:
    return [sys.executable, "-m", "scanner", *args]


def child_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **extra}
    env.pop("CI_DEBUG", None)
    return env


class Workers:
    """Real `residency worker` processes; stopped (killed) at the end of the test."""

    def __init__(self, broker: str) -> None:
        self.broker = broker
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, visibility_timeout: int = 3600, env: dict[str, str] | None = None) -> Any:
        process = subprocess.Popen(
            residency("worker", "--broker", self.broker, "--concurrency", "2",
                      "--visibility-timeout", str(visibility_timeout)),
            env=env or child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


@pytest.fixture
def workers(redis_url: str) -> Iterator[Workers]:
    pool = Workers(redis_url)
    yield pool
    pool.stop()


def redis_client(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url)


def everything_in(client: Any) -> bytes:
    """Every key and every value in Redis, whatever its type."""
    dump = b""
    for key in client.scan_iter("*"):
        kind = client.type(key)
        dump += key + b"\n"
        if kind == b"string":
            dump += client.get(key) or b""
        elif kind == b"list":
            dump += b"\n".join(client.lrange(key, 0, -1))
        elif kind == b"hash":
            dump += b"\n".join(k + b"=" + v for k, v in client.hgetall(key).items())
        elif kind in (b"set", b"zset"):
            members = client.smembers(key) if kind == b"set" else client.zrange(key, 0, -1)
            dump += b"\n".join(members)
    return dump


# ----------------------------------------------------------------------------- process pool


def test_a_process_pool_gives_the_reports_of_the_thread_engine(
    tenants: Callable[[int], Path], tmp_path: Path
) -> None:
    path = tenants(3)
    threads = run_targets_file(load_targets(path), processes=1, use_history=False)
    local = findings_of(path)
    shutil.rmtree(tmp_path / "out")
    pool = run_targets_file(load_targets(path), processes=2, use_history=False)
    assert pool.exit_code == threads.exit_code
    assert [c.client for c in pool.clients] == ["c0", "c1", "c2"]
    assert findings_of(path) == local and len(local) == 3 and all(local.values())


def _reserve_slots(value: Any, count: int, out: Any) -> None:
    slots = SharedSlots(value)
    for _ in range(count):
        wait = slots.reserve(0.02)
        out.put(time.monotonic() + wait)


def test_the_rate_budget_holds_across_processes() -> None:
    """Two processes taking slots from one shared budget never get the same slot. (Forked:
    a spawned child could not import this test module; the engine itself spawns.)"""
    context = multiprocessing.get_context("fork")
    value, out = context.Value("d", 0.0), context.Queue()
    processes = [context.Process(target=_reserve_slots, args=(value, 10, out)) for _ in range(2)]
    for process in processes:
        process.start()
    slots = sorted(out.get(timeout=30) for _ in range(20))
    for process in processes:
        process.join(timeout=30)
    gaps = [b - a for a, b in itertools.pairwise(slots)]
    assert min(gaps) >= 0.019  # unshared budgets would hand out the same slot twice (gap ~0)


# ----------------------------------------------------------------------------- Celery


def test_celery_workers_give_the_same_reports_and_no_secret_travels(
    tenants: Callable[[int], Path],
    tmp_path: Path,
    redis_url: str,
    workers: Workers,
    slack: RunningService,
) -> None:
    path = tenants(3)
    local = run_targets_file(load_targets(path), processes=1, use_history=False)
    expected = findings_of(path)
    shutil.rmtree(tmp_path / "out")
    client = redis_client(redis_url)
    # The run queues its tasks before any worker exists: the messages can be read whole.
    run = subprocess.Popen(
        residency("scan", "--config", str(path), "--broker", redis_url, "--no-history"),
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while client.llen("residency") < 3:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the run did not queue its three tasks"
        time.sleep(0.1)
    queued = everything_in(client)
    assert b"env:" + TOKEN_ENV.encode() in queued  # references travel...
    for secret in tokens(slack):
        assert secret.encode() not in queued  # ...values never do
    workers.start()
    workers.start()
    _, err = run.communicate(timeout=120)
    assert run.returncode == local.exit_code, err.decode()
    assert findings_of(path) == expected
    after = everything_in(client)
    for secret in tokens(slack):
        assert secret.encode() not in after
    assert not list(client.scan_iter("residency:run:*"))  # results popped, nothing left
    assert not list(client.scan_iter("residency:lock:*"))  # the run lock released


def test_a_worker_killed_mid_task_costs_nothing(
    tenants: Callable[[int], Path],
    tmp_path: Path,
    redis_url: str,
    workers: Workers,
    slack_server: SlackServer,
) -> None:
    path = tenants(1)
    run_targets_file(load_targets(path), processes=1, use_history=False)
    expected = findings_of(path)
    shutil.rmtree(tmp_path / "out")
    slack_server.faults.latency_s = 0.3  # every Slack call is slow: the task is long
    first = workers.start(visibility_timeout=2)
    run = subprocess.Popen(
        residency("scan", "--config", str(path), "--broker", redis_url),
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    before = sum(slack_server.requests.values())
    deadline = time.monotonic() + 60
    while sum(slack_server.requests.values()) == before:  # the first worker is collecting
        assert time.monotonic() < deadline, "no worker started the task"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    slack_server.faults.latency_s = 0.0
    workers.start(visibility_timeout=2)
    _, err = run.communicate(timeout=120)
    assert run.returncode in (0, 1, 3), err.decode()
    assert findings_of(path) == expected
    history = tmp_path / "out" / "history.sqlite"
    runs = subprocess.run(
        residency("history", "--config", str(path), "--json"),
        env=child_env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert history.exists() and runs.returncode == 0, runs.stderr
    [record] = json.loads(runs.stdout)  # one run, recorded once...
    assert record["targets"] == 1  # ...with its one target once


def test_a_broker_that_is_down_is_one_line_and_exit_2(
    tenants: Callable[[int], Path], tmp_path: Path
) -> None:
    path = tenants(1)
    port = free_port()  # nothing listens here
    run = subprocess.run(
        residency("scan", "--config", str(path), "--broker", f"redis://:hunter2@127.0.0.1:{port}/0"),
        env=child_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "broker" in lines[0]
    assert "hunter2" not in run.stderr
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_a_second_run_sees_the_lock_in_the_broker(
    tenants: Callable[[int], Path], redis_url: str
) -> None:
    path = tenants(1)
    client = redis_client(redis_url)
    client.set(f"residency:lock:{path.resolve()}", "token other-host:42", ex=60)
    run = subprocess.run(
        residency("scan", "--config", str(path), "--broker", redis_url),
        env=child_env(), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert run.returncode == 2
    assert "holds the lock" in run.stderr and "other-host:42" in run.stderr


def children_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


@pytest.mark.parametrize("how", ["ctrl-c", "killed"])
def test_collector_processes_end_with_the_run(
    tenants: Callable[[int], Path], slack_server: SlackServer, how: str
) -> None:
    """Ctrl-C exits at once without waiting for API calls, and a run killed outright leaves no
    collector behind either: each collector watches the run's process."""
    path = tenants(2)
    slack_server.faults.latency_s = 0.5  # still collecting when interrupted
    run = subprocess.Popen(
        residency("scan", "--config", str(path), "--processes", "2"),
        env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while sum(slack_server.requests.values()) == 0:
        assert time.monotonic() < deadline and run.poll() is None, "the scan did not start"
        time.sleep(0.05)
    collectors = children_of(run.pid)
    assert len(collectors) >= 2
    run.send_signal(signal.SIGINT if how == "ctrl-c" else signal.SIGKILL)
    _, err = run.communicate(timeout=30)
    if how == "ctrl-c":
        assert run.returncode == 130 and "interrupted" in err.decode()
        lines = err.decode().strip().splitlines()
        assert len(lines) == 1, lines  # one line: no traceback, no "leaked semaphore" warning
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in collectors):
        assert time.monotonic() < deadline, "collector processes outlived the run"
        time.sleep(0.1)


def test_the_rate_budget_in_redis_holds_across_workers(redis_url: str) -> None:
    """Two workers (two connections) taking slots from one provider's budget in Redis never get
    the same slot, and the budget's clock is Redis's own."""
    from scanner.engines.distributed import RedisSlots

    slots = [RedisSlots(redis_client(redis_url), "residency:rate:slack") for _ in range(2)]
    waits = [slots[i % 2].reserve(0.05) for i in range(10)]
    assert waits[0] <= 0.0 + 1e-3  # the first caller goes at once
    # each further caller waits one more interval (less the few ms the calls themselves took)
    assert all(b - a > 0.04 for a, b in itertools.pairwise(waits))


def test_an_interrupted_run_leaves_no_work_and_no_evidence_behind(
    tenants: Callable[[int], Path],
    redis_url: str,
    workers: Workers,
    slack_server: SlackServer,
) -> None:
    """Ctrl-C while tasks wait in the queue: a worker that comes later drops them (the run has
    ended), so no API call is made and no evidence lands in Redis."""
    path = tenants(2)
    client = redis_client(redis_url)
    run = subprocess.Popen(
        residency("scan", "--config", str(path), "--broker", redis_url, "--no-history"),
        env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while client.llen("residency") < 2:
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.1)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=30)
    assert run.returncode == 130, err.decode()
    workers.start()
    deadline = time.monotonic() + 60
    while client.llen("residency") or client.hlen("unacked"):
        assert time.monotonic() < deadline, "the worker did not take the tasks"
        time.sleep(0.2)
    time.sleep(1)  # a task it took would be collecting by now
    assert sum(slack_server.requests.values()) == 0
    assert not list(client.scan_iter("residency:run:*"))
