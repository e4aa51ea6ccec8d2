"""Collect on Celery workers on any number of machines, with Redis as broker.

- A task carries a target's settings, which hold secret *references* (``env:NAME``,
  ``file:PATH``) and never values: each worker resolves them from its own environment.
- Tasks are acknowledged late: a worker that dies mid-task leaves its message in the queue,
  and Redis gives it to another worker once the visibility timeout has passed. A target may
  then be collected twice; the run takes the first result per task, so each client is
  reported and recorded once.
- Results (evidence holds personal data) do not go through Celery's result backend: each
  worker pushes its result onto a list of this run's, which the run pops, so nothing is left
  behind; the list expires as a safety net if the run dies.
- The per-provider rate budgets and the run lock live in Redis, shared by every worker.
- A run marks itself live in Redis while it waits; a worker drops a task whose run has ended
  (finished, interrupted or died), so nothing is scanned or stored for nobody.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

from connectors.base import Target
from core.errors import ScannerError
from core.secrets import redact
from scanner.engines import (
    Engine,
    Progress,
    Result,
    result_from_wire,
    result_to_wire,
    target_from_wire,
    target_to_wire,
)
from scanner.ratelimit import LimitedLedger, RateLimiter
from scanner.scan import collect_one

log = logging.getLogger("residency")

TASK = "residency.collect"
QUEUE = "residency"
RESULTS_TTL = 24 * 3600  # seconds a run's unread results may stay, if the run died
VISIBILITY_TIMEOUT = 3600  # seconds before a task a dead worker held runs elsewhere
LOCK_TTL = 120  # seconds; the holder renews it every LOCK_TTL / 4
LIVE_TTL = 60  # seconds a run's live mark outlasts its last renewal (every second while waiting)
PING_TIMEOUT = 5.0
INSTALL_HINT = "distributed scans need the extra: pip install 'eu-residency-scanner[distributed]'"


class BrokerError(ScannerError):
    """The broker cannot be used: the run cannot start (exit 2)."""


def _redis(url: str) -> Any:
    try:
        import redis
    except ImportError:
        raise BrokerError(INSTALL_HINT) from None
    try:
        client = redis.Redis.from_url(
            url, socket_connect_timeout=PING_TIMEOUT, socket_timeout=PING_TIMEOUT * 6
        )
        client.ping()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise BrokerError(f"cannot use the broker {redact(url)}: {redact(str(exc))}") from None
    return client


def make_app(broker: str, visibility_timeout: int = VISIBILITY_TIMEOUT) -> Any:
    try:
        from celery import Celery
    except ImportError:
        raise BrokerError(INSTALL_HINT) from None
    app = Celery("residency", broker=broker)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_ignore_result=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        broker_transport_options={
            "visibility_timeout": visibility_timeout,
            # look for tasks of dead workers often enough for the timeout to mean what it says
            "unacked_restore_interval": max(1, min(10, visibility_timeout // 2)),
            "unacked_restore_throttle": 1,
        },
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )
    app.task(name=TASK, bind=True)(collect_task)
    return app


def collect_task(
    task: Any, run: str, task_id: str, target: dict[str, Any], rate_limits: dict[str, float]
) -> None:
    """On a worker: collect one target and push the result onto the run's list."""
    client = _redis(task.app.conf.broker_url)
    if not client.exists(live_key(run)):
        log.info("dropping a task of run %s, which has ended", run)
        return
    per_second = rate_limits.get(target["provider"])
    ledger = None
    if per_second:
        slots = RedisSlots(client, f"residency:rate:{target['provider']}")
        ledger = LimitedLedger(RateLimiter(per_second, slots=slots))
    result = collect_one(target_from_wire(target), None, False, ledger)
    if not client.exists(live_key(run)):
        return  # the run ended while this target was collected: keep its evidence out of Redis
    key = results_key(run)
    message = json.dumps({"task": task_id, "result": result_to_wire(result)})
    client.rpush(key, message)
    client.expire(key, RESULTS_TTL)


def results_key(run: str) -> str:
    return f"residency:run:{run}:results"


def live_key(run: str) -> str:
    return f"residency:run:{run}:live"


class RedisSlots:
    """The next free slot of a provider's budget, kept in Redis and taken atomically; the clock
    is Redis's own, so workers on machines with skewed clocks still share one budget."""

    SCRIPT = """
    local t = redis.call('TIME')
    local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
    local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
    redis.call('SET', KEYS[1], tostring(slot + tonumber(ARGV[1])), 'EX', 3600)
    return tostring(slot - now)
    """

    def __init__(self, client: Any, key: str) -> None:
        self._reserve = client.register_script(self.SCRIPT)
        self.key = key

    def reserve(self, interval: float) -> float:
        return float(self._reserve(keys=[self.key], args=[repr(interval)]))


class CeleryEngine(Engine):
    def __init__(self, broker: str, rate_limits: dict[str, float], progress: Progress = None):
        self.redis = _redis(broker)
        self.app = make_app(broker)
        self.rate_limits = dict(rate_limits)
        self.progress = progress
        self.run = uuid.uuid4().hex
        self.redis.set(live_key(self.run), "1", ex=LIVE_TTL)
        self.futures: dict[str, tuple[Target, Future[Result]]] = {}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.reader = threading.Thread(target=self._read, name="broker-results", daemon=True)
        self.reader.start()

    def submit(self, target: Target) -> Future[Result]:
        future: Future[Result] = Future()
        task_id = uuid.uuid4().hex
        with self.lock:
            self.futures[task_id] = (target, future)
        self.app.send_task(
            TASK, args=[self.run, task_id, target_to_wire(target), self.rate_limits], queue=QUEUE
        )
        if self.progress:
            self.progress(target.name, "queued")
        return future

    def close(self, cancel: bool = False) -> None:
        self.stopping.set()
        self.reader.join()
        self.redis.delete(live_key(self.run), results_key(self.run))
        with self.lock:
            pending = list(self.futures.values())
            self.futures.clear()
        for target, future in pending:
            reason = "the run stopped before a worker finished this target"
            future.set_result({"target": target.name, "provider": target.provider, "error": reason})

    def _read(self) -> None:
        key = results_key(self.run)
        while not self.stopping.is_set():
            self.redis.expire(live_key(self.run), LIVE_TTL)
            popped = self.redis.blpop([key], timeout=1)
            if popped is None:
                continue
            message = json.loads(popped[1])
            with self.lock:
                entry = self.futures.pop(message["task"], None)
            if entry is None:
                continue  # a second run of a task whose first result already arrived
            target, future = entry
            if self.progress:
                self.progress(target.name, "collected")
            future.set_result(result_from_wire(message["result"]))


@contextlib.contextmanager
def redis_lock(broker: str, name: str) -> Iterator[None]:
    """One run per targets file across machines: a key set if absent, renewed while held, and
    removed only by its holder."""
    client = _redis(broker)
    key = f"residency:lock:{name}"
    token = secrets.token_hex(16)
    holder = f"{os.uname().nodename}:{os.getpid()}"
    if not client.set(key, f"{token} {holder}", nx=True, ex=LOCK_TTL):
        other = (client.get(key) or b"").decode(errors="replace").partition(" ")[2]
        raise BrokerError(
            f"another run of {name} holds the lock in the broker ({other or 'unknown holder'})"
        )
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(LOCK_TTL / 4):
            client.expire(key, LOCK_TTL)

    renewer = threading.Thread(target=renew, name="broker-lock", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()
        release = client.register_script(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end"
            " return 0"
        )
        release(keys=[key], args=[f"{token} {holder}"])


def run_worker(broker: str, concurrency: int, visibility_timeout: int, name: str | None) -> None:
    """``residency worker``: take collection tasks until stopped."""
    _redis(broker)
    app = make_app(broker, visibility_timeout)
    node = name or f"residency-{os.getpid()}@{os.uname().nodename}"
    app.worker_main(
        [
            "worker",
            "--loglevel=WARNING",
            "--pool=threads",
            f"--concurrency={concurrency}",
            f"--hostname={node}",
            f"--queues={QUEUE}",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
    )
