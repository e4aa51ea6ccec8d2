"""Per-run report folders and a ``latest`` link that only ever points at a finished run.

``<dir>/runs/<UTC time>-<run id>/`` holds one run's files, each written atomically; ``<dir>/latest``
is swapped (a new symlink renamed over the old) only after every file of the run is in place, so
a reader following it never sees a half-written run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

from reports.writer import ReportWriteError, write_atomic
from scanner.output import write_reports

LATEST = "latest"


def folder_name(started_at: str, run_id: str) -> str:
    stamp = started_at.replace("-", "").replace(":", "").split("+")[0].split(".")[0]
    return f"{stamp}Z-{run_id[:8]}"


class RunFolder:
    def __init__(self, root: Path, started_at: str, run_id: str) -> None:
        self.root = root
        self.path = root / "runs" / folder_name(started_at, run_id)

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
