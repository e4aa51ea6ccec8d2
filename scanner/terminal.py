"""Talking to the terminal: verdict first, the findings that need attention, progress, logs.

Everything a cloud returned (bucket, site, channel and app names, messages) reaches the terminal
as a rich ``Text`` with its control characters stripped, never as markup: a name cannot colour,
move the cursor or rewrite the screen.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Callable, Iterable
from itertools import groupby
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from connectors.base import CallLedger
from core.models import SEVERITY_RANK, STATUS_ORDER
from core.secrets import redact
from core.text import inert
from scanner.scan import FINISHED

NOISY_LOGGERS = (
    "slack_sdk", "azure", "msal", "urllib3", "botocore", "boto3", "httpx", "httpcore", "hpack",
    "kiota_http", "werkzeug", "asyncio",
)  # fmt: skip
ATTENTION = ("fail", "error", "warn", "manual")
STATUS_STYLE = {
    "fail": "bold red",
    "error": "bold magenta",
    "warn": "yellow",
    "manual": "cyan",
    "muted": "dim",
    "pass": "green",
}
VERDICT_STYLE = {"pass": "bold green", "fail": "bold red", "incomplete": "bold yellow"}
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "", "info": ""}


def on_terminal() -> bool:
    return sys.stderr.isatty()


def console(file: TextIO | None = None) -> Console:
    """A console that colours only a terminal and honours NO_COLOR; never wraps a pipe's lines."""
    return Console(file=file or sys.stdout, highlight=False, soft_wrap=True, emoji=False)


# ----------------------------------------------------------------------------- progress


class _CountingLedger(CallLedger):
    def __init__(self, tell: Callable[[], None]) -> None:
        super().__init__()
        self._tell = tell

    def count(self, operation: str) -> None:
        super().count(operation)
        self._tell()


class ScanProgress:
    """A live display on stderr: targets done and API calls in all, then one line per target
    (stage, API calls, elapsed). Silent when stderr is not a terminal, so cron stays quiet."""

    def __init__(self, enabled: bool, targets: Iterable[str] = ()) -> None:
        self.enabled = enabled
        self._lock = threading.Lock()
        self._tasks: dict[str, TaskID] = {}
        self._calls: dict[str, int] = {}
        self._live = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.fields[target]}", markup=False, style="bold"),
            TextColumn("{task.fields[stage]}", markup=False),
            TextColumn("{task.fields[calls]}", markup=False, style="dim"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr, highlight=False),
            transient=True,
            disable=not enabled,
        )
        self._done = 0
        self._overall = self._live.add_task(
            "", total=None, target="scan", stage="0/0 targets done", calls=""
        )
        for name in targets:
            self._task(name)

    def __enter__(self) -> ScanProgress:
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.stop()

    def _task(self, target: str) -> TaskID:
        with self._lock:
            if target not in self._tasks:
                self._calls[target] = 0
                self._tasks[target] = self._live.add_task(
                    "", total=1, target=inert(target), stage="starting", calls=""
                )
            self._tell_overall()
            return self._tasks[target]

    def _tell_overall(self) -> None:
        """Caller holds the lock."""
        self._live.update(
            self._overall,
            stage=f"{self._done}/{len(self._tasks)} targets done",
            calls=_calls(sum(self._calls.values())),
        )

    def __call__(self, target: str, step: str) -> None:
        task = self._task(target)
        if step == FINISHED:
            self._live.update(task, completed=1, stage="done")
            with self._lock:
                self._done += 1
                self._tell_overall()
        else:
            self._live.update(task, stage=inert(step))

    def ledger(self, target: str) -> CallLedger:
        """A ledger for ``target``'s connector that also moves its API call counter."""
        task = self._task(target)

        def tell() -> None:
            with self._lock:
                self._calls[target] += 1
                self._live.update(task, calls=_calls(self._calls[target]))
                self._tell_overall()

        return _CountingLedger(tell)


def _calls(count: int) -> str:
    """Nothing until a call is counted (a runner without counting ledgers shows no zero)."""
    return f"{count} API calls" if count else ""


# ----------------------------------------------------------------------------- logging


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        return json.dumps(entry)


def setup_logging(log_format: str, verbose: int, debug: bool) -> None:
    """Only the scanner's own loggers (``residency.*``) go below WARNING, even with --debug.

    Libraries log at DEBUG what must not reach a terminal or a CI log: httpcore's wire trace
    (request headers, bearer tokens), botocore's request bodies (AssumeRole's ExternalId,
    temporary keys). So the root logger stays at WARNING, and the chattiest libraries are
    silenced entirely unless --debug asks for their warnings; whatever library is added next is
    covered without a list to keep up to date."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _JsonFormatter()
        if log_format == "json"
        else _RedactingFormatter("%(levelname)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    logging.getLogger("residency").setLevel(level)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING if debug else logging.CRITICAL)


# ----------------------------------------------------------------------------- summary


def _rank(finding: dict[str, Any]) -> tuple[int, int]:
    """Worst first: by status, then by severity."""
    return (STATUS_ORDER[finding["status"]], -SEVERITY_RANK[finding["severity"]])


def _one_line(text: object) -> str:
    """Inert and on one line: a name or message with newlines cannot break the layout."""
    return " ".join(inert(str(text)).split())


def _where(finding: dict[str, Any]) -> str:
    place = finding["country"] or finding["location"] or ""
    jurisdiction = (finding["jurisdiction"] or "").replace("_", " ")
    return f"{place} ({jurisdiction})" if place and jurisdiction else place


def verdict_lines(document: dict[str, Any]) -> list[Text]:
    """The verdict, the counts and what could not be read: the first thing a reader sees."""
    summary = document["summary"]
    line = Text("Verdict: ")
    line.append(summary["verdict"].upper(), style=VERDICT_STYLE.get(summary["verdict"], "bold"))
    line.append("   ")
    counts = [(s, n) for s, n in summary["by_status"].items() if n]
    counts.sort(key=lambda item: STATUS_ORDER[item[0]])
    for i, (status, n) in enumerate(counts):
        line.append(", " if i else "")
        line.append(f"{n} {status}", style=STATUS_STYLE[status])
    if not counts:
        line.append("no findings")
    line.append(f"   {summary['targets']} target(s), {summary['api_calls']} API calls", style="dim")
    lines = [line]
    severities = [f"{n} {s}" for s, n in summary["by_severity"].items() if n]
    if severities:
        lines.append(Text(f"Open findings by severity: {', '.join(severities)}", style="dim"))
    for target in document["targets"]:
        name = inert(target["name"])
        if target["error"]:
            lines.append(Text(f"Could not scan {name}: {inert(target['error'])}", style="red"))
        elif target["coverage"]["gaps"]:
            gaps = len(target["coverage"]["gaps"])
            lines.append(Text(f"Incomplete: {name} has {gaps} gap(s)", style="yellow"))
    return lines


def finding_lines(document: dict[str, Any], show_passes: bool = False) -> list[Text]:
    """Findings grouped by target, then by check, the worst target and group first; passes and
    muted findings on request."""
    wanted = ATTENTION + (("muted", "pass") if show_passes else ())
    findings = sorted(
        (f for f in document["findings"] if f["status"] in wanted),
        key=lambda f: (f["target"], f["check_id"], *_rank(f), f["resource_name"]),
    )
    targets = [
        sorted(
            ([*g] for _, g in groupby(in_target, key=lambda f: f["check_id"])),
            key=lambda g: (_rank(g[0]), g[0]["check_id"]),
        )
        for _, in_target in groupby(findings, key=lambda f: f["target"])
    ]
    targets.sort(key=lambda groups: (_rank(groups[0][0]), groups[0][0]["target"]))
    lines: list[Text] = []
    for groups in targets:
        lines.append(Text(""))
        lines.append(Text(_one_line(groups[0][0]["target"]), style="bold underline"))
        for group in groups:
            first = group[0]
            header = Text("  ")
            header.append(first["check_id"], style="bold")
            header.append(f"  {_one_line(first['title'])}", style="dim")
            lines.append(header)
            lines += [_finding_line(f) for f in group]
    return lines


def _finding_line(finding: dict[str, Any]) -> Text:
    line = Text("    ")
    line.append(f"{finding['status'].upper():<6}", style=STATUS_STYLE[finding["status"]])
    line.append(" ")
    line.append(f"{finding['severity']:<8}", style=SEVERITY_STYLE[finding["severity"]])
    line.append(" ")
    line.append(_one_line(finding["resource_name"]))
    where = _where(finding)
    if where:
        line.append(f"  {_one_line(where)}", style="dim")
    if finding["status"] != "pass":
        line.append(f"\n             {_one_line(finding['message'])}", style="dim")
    return line


def print_summary(
    document: dict[str, Any], out: Console | None = None, show_passes: bool = False
) -> None:
    """Verdict and counts first, then the findings that need attention (all with passes)."""
    out = out or console()
    for line in verdict_lines(document):
        out.print(line)
    lines = finding_lines(document, show_passes)
    for line in lines:
        out.print(line)
    by_status = document["summary"]["by_status"]
    hidden = by_status["pass"] + by_status["muted"]
    if hidden and not show_passes:
        out.print(
            Text(
                f"\n{hidden} passing or muted finding(s) hidden; --show-passes lists them.",
                style="dim",
            )
        )
