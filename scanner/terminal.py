"""Talking to the terminal: summary table, progress line, logs on stderr."""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

import click

from core.models import STATUS_ORDER
from core.secrets import redact

NOISY_LOGGERS = ("slack_sdk", "azure", "msal", "urllib3", "botocore", "boto3", "httpx", "werkzeug")


def on_terminal() -> bool:
    return sys.stderr.isatty()


class Progress:
    """One status line on stderr when it is a terminal; silent otherwise (cron stays quiet)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, target: str, step: str) -> None:
        if self.enabled:
            click.echo(f"\r\033[K[{target}] {step}", nl=False, err=True)

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
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        _JsonFormatter()
        if log_format == "json"
        else _RedactingFormatter("%(levelname)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    logging.getLogger("residency").setLevel(level)
    # The SDKs log their own retries and failures; the scanner reports them as gaps, so in a
    # cron run only the scanner's own lines reach stderr.
    # Their DEBUG output dumps request and response bodies (AssumeRole's ExternalId, temporary
    # keys), so even --debug keeps them at WARNING: --debug adds tracebacks and our own logs.
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
            _clip(f["resource_name"], 48),
            f["country"] or (f["location"] or "-"),
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
            lines.append(f"Could not scan {target['name']}: {target['error']}")
        elif target["coverage"]["gaps"]:
            lines.append(
                f"Incomplete: {target['name']} has {len(target['coverage']['gaps'])} gap(s)"
            )
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
