"""Collect in a local pool of processes, each running several targets on its own threads.

The SDKs' work per call is CPU-bound Python, so one process saturates one core long before the
network does; a process per core with the usual thread concurrency inside each uses them all.
Targets go out and results come back as plain data over queues; the per-provider rate budgets
live in shared memory, so they hold across the whole pool. A process that dies fails only the
targets it was working on, with a record saying so.
"""

from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from connectors.base import Target
from scanner.engines import (
    Engine,
    Progress,
    Result,
    result_from_wire,
    result_to_wire,
    target_from_wire,
    target_to_wire,
)
from scanner.ratelimit import LimitedLedger, RateLimiter, SharedSlots
from scanner.scan import collect_one

log = logging.getLogger("residency")
POLL_SECONDS = 0.5


class ProcessEngine(Engine):
    def __init__(
        self,
        processes: int,
        concurrency: int,
        rate_limits: dict[str, float],
        progress: Progress = None,
        debug: bool = False,
    ) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        self.tasks: Any = context.Queue()
        self.results: Any = context.Queue()
        # kept for the pool's life: a child unpickles them after start() has dropped its args
        self.slots = {provider: context.Value("d", 0.0) for provider in rate_limits}
        threads = max(1, -(-concurrency // processes))  # ceil: the run's concurrency in total
        level = logging.getLogger("residency").getEffectiveLevel()
        setup = (self.tasks, self.results, threads, rate_limits, self.slots, debug, level)
        self.processes = [
            context.Process(target=serve, args=setup, name=f"residency-collector-{n}", daemon=True)
            for n in range(max(1, processes))
        ]
        for process in self.processes:
            process.start()
        self.progress = progress
        self.futures: dict[int, tuple[Target, Future[Result]]] = {}
        self.working: dict[int, int] = {}  # task id -> pid of the process collecting it
        self.ids = itertools.count()
        self.lock = threading.Lock()
        self.closing = False
        self.reader = threading.Thread(target=self._read, name="collector-results", daemon=True)
        self.reader.start()

    def submit(self, target: Target) -> Future[Result]:
        future: Future[Result] = Future()
        with self.lock:
            task_id = next(self.ids)
            self.futures[task_id] = (target, future)
        self.tasks.put((task_id, target_to_wire(target)))
        return future

    def close(self, cancel: bool = False) -> None:
        self.closing = True
        if cancel:
            for process in self.processes:
                process.terminate()
        else:
            for _ in self.processes:
                self.tasks.put(None)
        for process in self.processes:
            process.join()
        self.reader.join()
        self._fail_all("the collector processes stopped")
        self._release()

    def _release(self) -> None:
        """Unlink the queues' and budgets' semaphores now: after Ctrl-C the run exits without
        running finalizers, and the resource tracker would report them as leaked."""
        for channel in (self.tasks, self.results):
            channel.close()
            channel.join_thread()
        self.tasks = self.results = None
        self.slots.clear()
        gc.collect()

    # --------------------------------------------------------------------- results

    def _read(self) -> None:
        while True:
            try:
                message = self.results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if self._check_processes():
                    return
                continue
            kind = message[0]
            if kind == "progress" and self.progress:
                self.progress(message[1], message[2])
            elif kind == "started":
                self.working[message[1]] = message[2]
            elif kind == "result":
                self.working.pop(message[1], None)
                with self.lock:
                    _, future = self.futures.pop(message[1])
                future.set_result(result_from_wire(message[2]))

    def _check_processes(self) -> bool:
        """Fail what a dead process was collecting; True when the reader may stop."""
        dead = {p.pid for p in self.processes if not p.is_alive() and p.exitcode not in (0, None)}
        for task_id, pid in list(self.working.items()):
            if pid in dead:
                self.working.pop(task_id)
                self._fail(task_id, "the collector process died while scanning this target")
        if all(not p.is_alive() for p in self.processes):
            return self.closing or not self.futures or self._fail_all("no collector left")
        return False

    def _fail(self, task_id: int, reason: str) -> None:
        with self.lock:
            entry = self.futures.pop(task_id, None)
        if entry is not None:
            target, future = entry
            future.set_result({"target": target.name, "provider": target.provider, "error": reason})

    def _fail_all(self, reason: str) -> bool:
        with self.lock:
            pending = list(self.futures)
        for task_id in pending:
            self._fail(task_id, reason)
        return True


def _exit_with_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is not None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)


def serve(
    tasks: Any,
    results: Any,
    threads: int,
    rate_limits: dict[str, float],
    slots: dict[str, Any],
    debug: bool,
    log_level: int,
) -> None:
    """A collector process: take targets while a thread is free, collect, send results back.

    Ctrl-C is the run's to handle (it exits at once, without waiting for API calls), so a
    collector ignores it and ends when the run's process is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, name="parent-watch", daemon=True).start()
    logging.getLogger("residency").setLevel(log_level)
    limiters = {
        provider: RateLimiter(per_second, slots=SharedSlots(slots[provider]))
        for provider, per_second in rate_limits.items()
    }
    free = threading.BoundedSemaphore(threads)

    def progress(target: str, step: str) -> None:
        results.put(("progress", target, step))

    def run(task_id: int, target: Target) -> None:
        try:
            limiter = limiters.get(target.provider)
            ledger = LimitedLedger(limiter) if limiter is not None else None
            result = collect_one(target, progress, debug, ledger)
            results.put(("result", task_id, result_to_wire(result)))
        finally:
            free.release()

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="client") as pool:
        while True:
            free.acquire()
            task = tasks.get()
            if task is None:
                free.release()
                break
            task_id, wire = task
            results.put(("started", task_id, os.getpid()))
            pool.submit(run, task_id, target_from_wire(wire))
