"""Collect in this process: a thread per target in flight (one machine, one process)."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from connectors.base import Target
from scanner.engines import Engine, Progress, Result
from scanner.ratelimit import LimitedLedger, RateLimiter
from scanner.scan import collect_one


class ThreadEngine(Engine):
    def __init__(
        self,
        concurrency: int,
        limiters: dict[str, RateLimiter],
        progress: Progress = None,
        debug: bool = False,
    ) -> None:
        self.pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="client")
        self.limiters = limiters
        self.progress = progress
        self.debug = debug

    def submit(self, target: Target) -> Future[Result]:
        limiter = self.limiters.get(target.provider)
        ledger = LimitedLedger(limiter) if limiter is not None else None
        return self.pool.submit(collect_one, target, self.progress, self.debug, ledger)

    def close(self, cancel: bool = False) -> None:
        # on Ctrl-C, do not wait for in-flight API calls
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)
