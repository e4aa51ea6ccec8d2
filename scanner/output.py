"""Writing reports and talking to the terminal: atomic files, summary table, progress, logs."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from core.models import STATUS_ORDER
from core.secrets import redact
from core.text import inert
from reports.registry import renderer
from reports.writer import write_all_atomic

NOISY_LOGGERS = (
    "slack_sdk", "azure", "msal", "urllib3", "botocore", "boto3", "httpx", "httpcore", "hpack",
    "kiota_http", "werkzeug", "asyncio",
)  # fmt: skip


def write_reports(
    document: dict[str, Any], formats: list[str], output_dir: Path, basename: str = "report"
) -> list[Path]:
    """Render every format first, then write them atomically: all files or none are new."""
    rendered = []
    for name in formats:
        render, extension = renderer(name)
        rendered.append((output_dir / f"{basename}.{extension}", render(document)))
    return write_all_atomic(rendered)


def on_terminal() -> bool:
    return sys.stderr.isatty()


class Progress:
    """One status line on stderr when it is a terminal; silent otherwise (cron stays quiet)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, target: str, step: str) -> None:
        if self.enabled:
            click.echo(f"\r\033[K[{inert(target)}] {inert(step)}", nl=False, err=True)

    def done(self) -> None:
        if self.enabled:
            click.echo("\r\033[K", nl=False, err=True)


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


def summary_table(document: dict[str, Any], show_pass: bool = True) -> str:
    """A plain-text table of findings, worst first, for the terminal and the demo."""
    rows = sorted(
        (f for f in document["findings"] if show_pass or f["status"] != "pass"),
        key=lambda f: (STATUS_ORDER[f["status"]], f["target"], f["check_id"], f["resource_name"]),
    )
    header = ("STATUS", "CHECK", "RESOURCE", "WHERE", "JURISDICTION")
    table = [header] + [
        (
            f["status"].upper(),
            f["check_id"],
            _clip(inert(f["resource_name"]), 48),
            inert(f["country"] or (f["location"] or "-")),
            (f["jurisdiction"] or "-").replace("_", " "),
        )
        for f in rows
    ]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    summary = document["summary"]
    counts = ", ".join(f"{n} {s}" for s, n in summary["by_status"].items() if n)
    lines.append("")
    lines.append(
        f"Verdict: {summary['verdict'].upper()}  ({counts or 'no findings'}; "
        f"{summary['targets']} target(s), {summary['api_calls']} API calls)"
    )
    for target in document["targets"]:
        if target["error"]:
            lines.append(f"Could not scan {inert(target['name'])}: {inert(target['error'])}")
        elif target["coverage"]["gaps"]:
            lines.append(
                f"Incomplete: {inert(target['name'])} has {len(target['coverage']['gaps'])} gap(s)"
            )
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
