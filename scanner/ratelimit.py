"""Calls per second shared by every client of one provider (one app, one budget).

The budget is a "next free slot" time. Where it lives decides who shares it: a lock in this
process (threads), shared memory (a local process pool) or Redis (Celery workers on many
machines). Each caller reserves the next slot and sleeps outside any lock, so waiting callers
queue fairly without holding each other up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from connectors.base import CallLedger


class SlotStore(Protocol):
    def reserve(self, interval: float) -> float:
        """Take the next free slot ``interval`` seconds after the last; return seconds to wait."""
        ...


class LocalSlots:
    """The budget of one process's threads."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._next = 0.0

    def reserve(self, interval: float) -> float:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + interval
        return slot - now


class SharedSlots:
    """The budget of a local process pool: a double in shared memory with its own lock.
    CLOCK_MONOTONIC is system-wide, so every process reads the same clock."""

    def __init__(self, value: Any) -> None:
        self._value = value  # multiprocessing Value("d")

    def reserve(self, interval: float) -> float:
        with self._value.get_lock():
            now = time.monotonic()
            slot = max(now, self._value.value)
            self._value.value = slot + interval
        return slot - now


class RateLimiter:
    def __init__(
        self,
        per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        slots: SlotStore | None = None,
    ) -> None:
        self.interval = 1.0 / per_second
        self._sleep = sleep
        self.slots: SlotStore = slots or LocalSlots(clock)

    def acquire(self) -> None:
        wait = self.slots.reserve(self.interval)
        if wait > 0:
            self._sleep(wait)


class LimitedLedger(CallLedger):
    """Every connector counts each request in its ledger just before sending it; this ledger
    also waits for the provider's shared budget there. The wait is a blocking sleep: in the
    asyncio-based connectors (M365, Slack's async client) it pauses that client's event loop,
    which is only that client's thread; other clients keep going."""

    def __init__(self, limiter: RateLimiter) -> None:
        super().__init__()
        self.limiter = limiter

    def count(self, operation: str) -> None:
        self.limiter.acquire()
        super().count(operation)
