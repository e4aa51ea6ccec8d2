"""Run the checks of the catalog over one collection and turn verdicts into findings.

The engine owns everything checks share: metadata from the catalog, location facts from the
knowledge base, stable ids, and waivers (an expired waiver stops muting and says so).
"""

from __future__ import annotations

import importlib
import json
import logging
from datetime import date
from functools import cache
from pathlib import Path

from checks.base import CheckContext, CheckMeta, Evaluate, Verdict
from checks.grading import facts, grade, grading
from core.errors import ConfigError
from core.knowledge import KnowledgeBase
from core.models import Collection, Finding, finding_id
from core.policy import Policy
from core.yamlfile import load_yaml, plain, validate

CATALOG_DIR = Path(__file__).parent / "catalog"
CATALOG_SCHEMA = Path(__file__).parent / "catalog.schema.json"
MUTABLE = frozenset({"fail", "warn", "manual", "error"})
log = logging.getLogger("residency.checks")


@cache
def load_catalog(directory: Path = CATALOG_DIR) -> tuple[CheckMeta, ...]:
    """Every check of every ``catalog/*.yaml`` file, validated, with unique ids."""
    schema = json.loads(CATALOG_SCHEMA.read_text(encoding="utf-8"))
    checks: dict[str, CheckMeta] = {}
    for path in sorted(directory.glob("*.yaml")):
        document = load_yaml(path)
        validate(document, schema, str(path))
        for entry in plain(document)["checks"]:
            if entry["id"] in checks:
                raise ConfigError(f"{path}: duplicate check id {entry['id']!r}")
            checks[entry["id"]] = CheckMeta(
                id=entry["id"],
                module=entry["module"],
                title=entry["title"],
                severity=entry["severity"],
                articles=tuple(entry["articles"]),
                rationale=" ".join(entry["rationale"].split()),
                remediation=" ".join(entry["remediation"].split()),
                providers=tuple(entry["providers"]),
                reads=tuple(entry["reads"]),
                supersedes=tuple(entry.get("supersedes", ())),
                grading=entry.get("grading"),
            )
    profiles = grading().profiles
    for meta in checks.values():
        if meta.grading and meta.grading not in profiles:
            raise ConfigError(f"{meta.id}: unknown grading profile {meta.grading!r}")
        unknown = sorted(set(meta.supersedes) - set(checks))
        if unknown:
            raise ConfigError(f"{meta.id}: supersedes unknown check(s) {', '.join(unknown)}")
    return tuple(checks.values())


def check_function(meta: CheckMeta) -> Evaluate:
    return importlib.import_module(meta.module).evaluate


def applies(meta: CheckMeta, provider: str) -> bool:
    return "*" in meta.providers or provider in meta.providers


def evaluate(
    collection: Collection,
    policy: Policy,
    kb: KnowledgeBase,
    today: date | None = None,
    only: set[str] | None = None,
) -> list[Finding]:
    """All findings for one collection, in catalog order. A check that ``supersedes`` another
    replaces that check's verdicts on the resources it judged itself."""
    day = today or date.today()
    dated = kb.on(day)  # judged on the evaluation date, also when re-evaluating old evidence
    ctx = CheckContext(collection, policy.bind(dated), dated, day)
    results = [
        (meta, _run(meta, ctx))
        for meta in load_catalog()
        if applies(meta, collection.provider) and not (only and meta.id not in only)
    ]
    judged: dict[str, set[str]] = {}  # superseded check id -> resources judged more specifically
    for meta, verdicts in results:
        for superseded in meta.supersedes:
            judged.setdefault(superseded, set()).update(
                r for v in verdicts for r in (v.resource, *v.covers)
            )
    return [
        _finding(meta, verdict, ctx)
        for meta, verdicts in results
        for verdict in verdicts
        if verdict.resource not in judged.get(meta.id, ())
    ]


def _run(meta: CheckMeta, ctx: CheckContext) -> list[Verdict]:
    try:
        return list(check_function(meta)(ctx))
    except Exception as exc:  # one broken check (or odd evidence) must not cost the rest
        log.debug("check %s crashed", meta.id, exc_info=True)
        return [
            Verdict(
                f"check:{meta.id}",
                meta.id,
                "error",
                f"the check could not evaluate this evidence: {type(exc).__name__}: {exc}",
            )
        ]


def _finding(meta: CheckMeta, verdict: Verdict, ctx: CheckContext) -> Finding:
    place = ctx.kb.resolve(verdict.location) if verdict.location else None
    severity = verdict.severity
    if severity is None and meta.grading:
        basis = facts(ctx, verdict, place)
        severity = grade(meta.grading, basis)
        if severity:
            verdict.evidence["severity_basis"] = {"profile": meta.grading, **basis}
    finding = Finding(
        id=finding_id(meta.id, ctx.collection.target, verdict.resource),
        check_id=meta.id,
        title=meta.title,
        target=ctx.collection.target,
        provider=ctx.collection.provider,
        resource=verdict.resource,
        resource_name=verdict.resource_name,
        status=verdict.status,
        severity=severity or meta.severity,
        message=verdict.message,
        articles=list(verdict.articles or meta.articles),
        remediation=verdict.remediation or meta.remediation,
        location=verdict.location,
        country=place.country if place else None,
        jurisdiction=place.jurisdiction if place else None,
        evidence=verdict.evidence,
    )
    _apply_waiver(finding, ctx)
    return finding


def _apply_waiver(finding: Finding, ctx: CheckContext) -> None:
    waiver = ctx.policy.waiver_for(
        finding.check_id, finding.target, finding.resource, finding.resource_name
    )
    if waiver is None or finding.status not in MUTABLE:
        return
    active = waiver.active(ctx.today)
    finding.waiver = {**waiver.to_dict(), "state": "active" if active else "expired"}
    if active:
        finding.evidence["status_before_waiver"] = finding.status
        finding.status = "muted"
    else:
        finding.message += (
            f" (waiver by {waiver.owner} expired on {waiver.expires.isoformat()}: no longer muted)"
        )
