"""Severity by consequence: the grading profiles of ``grading.yaml`` applied to one verdict.

A catalog entry with ``grading: <profile>`` gets the severity of the first grade whose facts
match (jurisdiction of the place, transfer basis on record, sensitivity of the data); the
facts go into the finding's evidence as ``severity_basis`` so a reader sees why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from checks.aws_common import bucket_holdings
from checks.base import CheckContext, Verdict
from checks.processor_basis import basis_status
from core.knowledge.place import Place
from core.models import Severity
from core.yamlfile import load_yaml, plain, validate

HERE = Path(__file__).parent
OUTSIDE = frozenset({"third_country", "unknown"})


@dataclass(frozen=True)
class Grading:
    sensitive_categories: frozenset[str]
    profiles: dict[str, dict[str, Any]]


@cache
def grading() -> Grading:
    document = load_yaml(HERE / "grading.yaml")
    schema = json.loads((HERE / "grading.schema.json").read_text(encoding="utf-8"))
    validate(document, schema, "checks/grading.yaml")
    data = plain(document)
    return Grading(frozenset(data["sensitive_categories"]), data["profiles"])


def facts(ctx: CheckContext, verdict: Verdict, place: Place | None) -> dict[str, Any]:
    jurisdiction = place.jurisdiction if place else None
    held = categories(ctx, verdict)
    found: dict[str, Any] = {
        "jurisdiction": jurisdiction,
        "sensitive": bool(held & grading().sensitive_categories),
        "data_categories": sorted(held),
    }
    if place is not None and jurisdiction in OUTSIDE:
        found["transfer_basis"] = "none" if basis_status(ctx, place) == "fail" else "recorded"
    return found


def categories(ctx: CheckContext, verdict: Verdict) -> set[str]:
    """What the judged resource holds: its asset's categories (a copy: its source's), the
    categories in the verdict's evidence, what lands in a bucket, and what is copied into it."""
    assets = {a.id: a for a in ctx.collection.assets}
    flow = next((f for f in ctx.collection.flows if f.id == verdict.resource), None)
    asset = assets.get(flow.source if flow else verdict.resource)
    held = set(verdict.evidence.get("data_categories") or [])
    if asset is None:
        return held
    sources = [asset] + [
        assets[f.source]
        for f in ctx.collection.flows
        if f.destination_name == asset.name and f.source in assets
    ]
    holdings = bucket_holdings(ctx)
    for source in sources:
        held.update(source.data_categories)
        if source.kind.startswith("s3.bucket"):
            held.update(holdings.get(source.name, []))
    return held


def grade(profile: str, found: dict[str, Any]) -> Severity | None:
    """The severity of the first matching grade of ``profile``, or None."""
    for rule in grading().profiles[profile]["grades"]:
        if all(_matches(found.get(key), wanted) for key, wanted in rule["when"].items()):
            severity: Severity = rule["severity"]
            return severity
    return None


def _matches(value: Any, wanted: Any) -> bool:
    return value in wanted if isinstance(wanted, list) else value == wanted
