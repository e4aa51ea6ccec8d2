"""A Markdown summary short enough for a chat or e-mail message: verdict, counts, worst items.

Cloud values are written inside code spans with backticks removed, so a resource name cannot
inject links, images or mentions into the message.
"""

from __future__ import annotations

from typing import Any

from core.models import OPEN_STATUSES
from core.text import inert
from reports.common import all_gap_sentences, worst_first

TOP = 10
GAPS = 5


def render(document: dict[str, Any]) -> str:
    summary = document["summary"]
    counts = ", ".join(f"{n} {s}" for s, n in summary["by_status"].items() if n) or "no findings"
    lines = [
        f"**EU residency: {summary['verdict'].upper()}** - {counts} "
        f"({summary['targets']} target(s), {summary['api_calls']} API calls, "
        f"run {document['run']['finished_at']})",
        "",
    ]
    worst = [f for f in worst_first(document["findings"]) if f["status"] in OPEN_STATUSES]
    if worst:
        lines += [
            "| Status | Severity | Target | Resource | Where | Check |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {f['status'].upper()} | {f['severity']} | {_code(f['target'])} | "
            f"{_code(f['resource_name'])} | {f['country'] or '?'} "
            f"({(f['jurisdiction'] or 'unknown').replace('_', ' ')}) | `{f['check_id']}` |"
            for f in worst[:TOP]
        ]
        if len(worst) > TOP:
            lines.append(f"\n...and {len(worst) - TOP} more open finding(s) in the full report.")
        lines.append("")
    gaps = all_gap_sentences(document)
    if gaps:
        lines.append("**Not fully scanned:**")
        lines += [f"- {_code(g)}" for g in gaps[:GAPS]]
        if len(gaps) > GAPS:
            lines.append(f"- ...and {len(gaps) - GAPS} more")
    return "\n".join(lines).rstrip() + "\n"


def _code(text: str) -> str:
    """A code span: Markdown inside it is inert; backticks and pipes cannot break out."""
    return "`" + _plain(text).replace("`", "'") + "`"


def _plain(text: str) -> str:
    """One line of printable text: control characters (ESC, BEL) would act on a terminal that
    shows the file."""
    return " ".join(inert(str(text)).split()).replace("|", "\\|")
