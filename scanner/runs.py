"""Per-run report folders and a ``latest`` link that only ever points at a finished run.

``<dir>/runs/<UTC time to the microsecond>-<run id>/`` holds one run's files, each written
atomically (names sort in creation order); ``<dir>/latest`` is swapped (a new symlink renamed
over the old) only after every file of the run is in place, so a reader
following it never sees a half-written run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reports.writer import ReportWriteError, write_atomic, write_reports

LATEST = "latest"


STAMP = "%Y%m%dT%H%M%S.%fZ"
TICK = timedelta(microseconds=1)


def now() -> datetime:
    return datetime.now(UTC)


def folder_name(root: Path, run_id: str, clock: Callable[[], datetime] = now) -> str:
    """A name that sorts after every run already in ``root/runs``, so text order is creation
    order: the time to the microsecond, moved just past the newest run should the clock have
    stepped back (NTP) or not moved on."""
    stamp = clock()
    newest = max((p.name for p in (root / "runs").glob("*T*Z-*")), default="")
    if newest >= stamp.strftime(STAMP):
        with contextlib.suppress(ValueError):
            stamp = datetime.strptime(newest.split("Z-")[0] + "Z", STAMP).replace(tzinfo=UTC) + TICK
    return f"{stamp.strftime(STAMP)}-{run_id[:8]}"


class RunFolder:
    def __init__(self, root: Path, run_id: str, clock: Callable[[], datetime] = now) -> None:
        self.root = root
        self.path = root / "runs" / folder_name(root, run_id, clock)

    def write_reports(self, document: dict[str, Any], formats: list[str]) -> list[Path]:
        return write_reports(document, formats, self.path)

    def write(self, name: str, text: str) -> Path:
        return write_atomic(self.path / name, text)

    def publish(self) -> Path:
        """Point ``latest`` at this run (atomic rename of a fresh symlink)."""
        link = self.root / LATEST
        tmp = self.root / f".{LATEST}.{os.getpid()}.tmp"
        target = os.path.relpath(self.path, self.root)
        try:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            tmp.symlink_to(target, target_is_directory=True)
            os.replace(tmp, link)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise ReportWriteError(f"cannot update {link}: {exc.strerror or exc}") from None
        return link

    def abandon(self) -> None:
        """After a failed write: remove this run's own folder so no partial run is left."""
        shutil.rmtree(self.path, ignore_errors=True)
