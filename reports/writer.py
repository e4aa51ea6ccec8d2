"""Write report files atomically: a temp file in the same folder, fsync, then rename.

A crash, a full disk or an interrupted run leaves either the old file or the new one, never a
half-written report.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from scanner.errors import ScannerError


class ReportWriteError(ScannerError):
    exit_code = 2


def write_atomic(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise ReportWriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
