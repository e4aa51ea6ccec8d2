"""What several report formats need from the findings document: order, links, gaps, bases.

Every helper here reads the JSON document only (never live objects), so a saved report.json
renders exactly like a fresh scan.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from core.knowledge import default_kb
from core.models import STATUS_ORDER

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
JURISDICTION_LABELS = {
    "eu": "EU",
    "eea": "EEA",
    "adequate": "adequacy decision",
    "third_country": "third country",
    "unknown": "unknown",
}


def worst_first(findings: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Status, then severity, then target, check and resource name: the order people triage in."""
    return sorted(
        findings,
        key=lambda f: (
            STATUS_ORDER[f["status"]],
            SEVERITY_ORDER[f["severity"]],
            f["target"],
            f["check_id"],
            f["resource_name"],
        ),
    )


@cache
def article_link(ref: str) -> dict[str, str | None]:
    """``{"label": "Art. 28(3)", "title": ..., "url": ...}``; text that is no article has no url."""
    try:
        article = default_kb().article(ref)
    except KeyError:
        return {"label": ref, "title": None, "url": None}
    return {"label": f"Art. {article['article']}", "title": article["title"], "url": article["url"]}


def gap_sentences(target: dict[str, Any], limit: int | None = None) -> list[str]:
    """Coverage gaps of one target in plain words; ``limit`` keeps long lists short."""
    if target["error"]:
        return [f"{target['name']} could not be scanned: {target['error']}"]
    gaps = target["coverage"]["gaps"]
    shown = gaps if limit is None else gaps[:limit]
    sentences = [
        f"{target['name']}: could not read {g.get('operation') or g.get('service')} on "
        f"{g.get('resource') or 'the account'} ({g['reason']}): {g['message']}"
        for g in shown
    ]
    if len(gaps) > len(shown):
        sentences.append(f"{target['name']}: and {len(gaps) - len(shown)} more gap(s)")
    return sentences


def all_gap_sentences(document: dict[str, Any], limit: int | None = None) -> list[str]:
    return [s for t in document["targets"] for s in gap_sentences(t, limit)]


def checks_by_target(document: dict[str, Any]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(target, check id) -> its findings, targets in document order, checks sorted."""
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for finding in document["findings"]:
        cells.setdefault((finding["target"], finding["check_id"]), []).append(finding)
    return cells


def cell_status(findings: Iterable[dict[str, Any]]) -> str:
    """The worst status among a check's findings on one target."""
    return min((f["status"] for f in findings), key=STATUS_ORDER.__getitem__, default="pass")


def located(findings: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Findings that say where data is: one per storage place, copy or processor place."""
    return (f for f in findings if f["location"])
