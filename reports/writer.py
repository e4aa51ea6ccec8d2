"""Write report files atomically: temp files in the target folder, fsync, then rename.

A crash, a full disk or an interrupted run leaves either the old files or the new ones, never a
half-written report. Several files are staged first and renamed only once all of them are
written, so a set of formats is replaced together or not at all.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any

from core.errors import ScannerError
from reports.registry import renderer


class ReportWriteError(ScannerError):
    exit_code = 2


class _Access:
    """Reports, evidence and the history hold personal data (user addresses, guest names):
    owner-only unless the user asks for group access (``residency --group-access``)."""

    group = False


def allow_group_access(allowed: bool) -> None:
    _Access.group = allowed


def file_mode() -> int:
    """0600, or 0640 with group access (never wider than the umask allows)."""
    return (0o640 if _Access.group else 0o600) & ~_umask()


def dir_mode() -> int:
    return 0o750 if _Access.group else 0o700


def make_dirs(directory: Path) -> None:
    """Create ``directory`` and each missing parent owner-only (``mkdir(parents=True)`` would
    give the parents the umask's mode); an existing folder keeps its mode."""
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True, mode=dir_mode())


def _umask() -> int:
    """The process's umask, read without changing it (os.umask would set it process-wide for a
    moment, while other threads may be creating files)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    return 0o022  # no /proc: assume the common default (only narrows 0640 further)


def _stage(path: Path, text: str) -> str:
    """Write ``text`` to a temp file beside ``path``; returns the temp file's name."""
    make_dirs(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, file_mode())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def write_all_atomic(files: list[tuple[Path, str]]) -> list[Path]:
    """Stage every file, then rename them all; on any error (or interrupt) no target file is
    touched and no staged file is left behind."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files:
            if path.is_dir():
                raise IsADirectoryError(21, "is a directory", str(path))
            staged.append((_stage(path, text), path))
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException as exc:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if not isinstance(exc, OSError):
            raise
        where = exc.filename or (files[len(staged)][0] if len(staged) < len(files) else "")
        raise ReportWriteError(f"cannot write {where}: {exc.strerror or exc}") from None
    return [path for path, _ in files]


def write_atomic(path: Path, text: str) -> Path:
    return write_all_atomic([(path, text)])[0]


def ensure_writable(directory: Path, file: Path | None = None) -> None:
    """Fail before a scan spends its API calls when reports could not be written anyway
    (``file``: a file to be replaced there, which must not be a folder or a FIFO)."""
    if file is not None and file.exists() and not file.is_file():
        raise ReportWriteError(f"cannot write {file}: not a regular file")
    try:
        make_dirs(directory)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".residency-probe-"):
            pass
    except OSError as exc:
        raise ReportWriteError(
            f"cannot write reports to {directory}: {exc.strerror or exc}"
        ) from None


def write_reports(
    document: dict[str, Any], formats: list[str], output_dir: Path, basename: str = "report"
) -> list[Path]:
    """Render every format first, then write them atomically: all files or none are new."""
    rendered = []
    for name in formats:
        render, extension = renderer(name)
        rendered.append((output_dir / f"{basename}.{extension}", render(document)))
    return write_all_atomic(rendered)
