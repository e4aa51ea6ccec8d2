"""`residency doctor`: check a target's credentials and permissions before the first night fails.

The provider's connector does the probing (``Connector.diagnose``); this module runs it for one
target or every target of a targets file and says what is missing as a least-privilege diff.
Exit codes follow `scan`: 0 a scan would be complete, 2 it could not start, 3 it would be
incomplete (a permission is missing).
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

from connectors.base import Diagnosis, Target
from connectors.registry import connector_class
from core.errors import ScannerError
from core.secrets import redact
from scanner.scan import EXIT_CANNOT_START, EXIT_CLEAN, EXIT_INCOMPLETE
from scanner.terminal import inert


@dataclass
class Checkup:
    """One target's diagnosis, or why its credentials could not even be tried."""

    target: Target
    diagnosis: Diagnosis | None = None
    error: str | None = None

    @property
    def exit_code(self) -> int:
        if self.diagnosis is None:
            return EXIT_CANNOT_START
        return EXIT_INCOMPLETE if self.diagnosis.missing else EXIT_CLEAN

    def line(self) -> str:
        """One line per target, for a targets file."""
        name = inert(self.target.name)
        if self.diagnosis is None:
            return f"{name}: cannot start: {inert(self.error)}"
        d = self.diagnosis
        who = ", ".join(inert(v) for v in d.identity.values() if v)
        if d.missing:
            return f"{name}: missing {len(d.missing)} {d.kind}: {', '.join(d.missing)} ({who})"
        return f"{name}: ok, {len(d.checks)} {d.kind} checked ({who})"


def checkup(target: Target) -> Checkup:
    try:
        return Checkup(target, connector_class(target.provider)(target).diagnose())
    except ScannerError as exc:
        return Checkup(target, error=redact(str(exc)))
    except Exception as exc:  # one target's surprise must not cost the other targets' lines
        return Checkup(target, error=redact(f"internal error: {type(exc).__name__}: {exc}"))


def checkups(targets: Iterable[Target], workers: int = 4) -> list[Checkup]:
    targets = list(targets)
    with ThreadPoolExecutor(max(1, min(workers, len(targets)))) as pool:
        return list(pool.map(checkup, targets))


def worst_exit_code(results: list[Checkup]) -> int:
    codes = {r.exit_code for r in results}
    for code in (EXIT_CANNOT_START, EXIT_INCOMPLETE):
        if code in codes:
            return code
    return EXIT_CLEAN


def print_checkup(result: Checkup, out: Console) -> None:
    """Who the scanner is, then the least-privilege diff: what to add, what could not tell."""
    if result.diagnosis is None:
        out.print(Text(f"{inert(result.target.name)}: cannot start: {inert(result.error)}"))
        return
    d = result.diagnosis
    out.print(Text(f"{inert(d.target)} ({d.provider})", style="bold"))
    for key, value in d.identity.items():
        out.print(Text(f"  {key}: {inert(value)}"))
    granted = sum(1 for c in d.checks if c.granted)
    summary = Text(f"  {len(d.checks)} {d.kind} checked: {granted} granted, ")
    summary.append(f"{len(d.missing)} missing", style="bold red" if d.missing else "green")
    if d.undetermined:
        summary.append(f", {len(d.undetermined)} could not tell", style="yellow")
    out.print(summary)
    if d.missing:
        out.print(Text(f"  Add to the scanner's {d.kind} (least privilege):"))
    for check in d.checks:
        if check.granted is False:
            line = Text("  + ", style="green")
            line.append(check.permission, style="bold")
            line.append(f"  ({check.probe}: {inert(check.detail)})", style="dim")
            out.print(line)
    for check in d.checks:
        if check.granted is None and check.permission in d.undetermined:
            text = f"  ? {check.permission}  ({check.probe}: {inert(check.detail)})"
            out.print(Text(text, style="yellow"))
    for note in d.notes:
        out.print(Text(f"  note: {inert(note)}", style="dim"))
    verdict = "a scan would be complete" if not d.missing else "a scan would be incomplete"
    out.print(Text(f"  {verdict}", style="green" if not d.missing else "red"))
