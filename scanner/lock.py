"""One scheduled run at a time: an exclusive, non-blocking lock on a file.

``flock`` is released by the kernel when the process ends, however it ends, so a crashed run never
leaves a stale lock behind. The holder writes its pid and start time into the file so that the
run that loses can say who has it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from connectors.base import utcnow
from core.errors import ScannerError
from reports.writer import make_dirs


class LockHeld(ScannerError):
    """Another run holds the lock: exit 2 at once rather than scan the same clients twice."""

    exit_code = 2


@contextlib.contextmanager
def exclusive(path: Path) -> Iterator[None]:
    try:
        make_dirs(path.parent)  # the report root: owner-only like every folder we create
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise LockHeld(f"cannot create the lock file {path}: {exc.strerror}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
            raise LockHeld(
                f"another run is in progress (lock {path} held by {holder}); "
                "this run exits without scanning"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {utcnow()}\n".encode(), 0)
        yield
        os.ftruncate(fd, 0)
    finally:
        os.close(fd)
