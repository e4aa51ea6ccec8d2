"""Orchestration: collect each target (isolated, concurrently), evaluate, build the document.

One target's failure never stops the others: it is recorded and shows in the report and the
exit code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from checks.engine import evaluate
from connectors.base import CallLedger, Target, utcnow
from connectors.registry import connector_class
from core.errors import ConfigError, ScannerError
from core.knowledge import KnowledgeBase
from core.models import SEVERITY_RANK, Collection
from core.policy import Policy
from core.secrets import redact
from core.yamlfile import load_json, load_schema, validate
from reports.document import build_document
from scanner import __version__

log = logging.getLogger("residency")

EVIDENCE_VERSION = "1.0"
EVIDENCE_SCHEMA = Path(__file__).parent / "schemas" / "evidence.schema.json"
FINISHED = "finished"  # the last progress step of every target, whatever its outcome
EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_CANNOT_START, EXIT_INCOMPLETE = 0, 1, 2, 3


@dataclass
class ScanOutcome:
    collections: list[Collection] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    started_at: str = field(default_factory=utcnow)
    finished_at: str = ""


def collect_one(
    target: Target,
    progress: Callable[[str, str], None] | None = None,
    debug: bool = False,
    ledger: CallLedger | None = None,
) -> Collection | dict[str, str]:
    """One target's collection, or the failure record the report shows for it."""

    def step(message: str) -> None:
        if progress:
            progress(target.name, message)

    try:
        connector = connector_class(target.provider)(target, progress=step, ledger=ledger)
        return connector.collect()
    except ScannerError as exc:  # redacted: a key pasted into --profile must not be stored
        return {"target": target.name, "provider": target.provider, "error": redact(str(exc))}
    except Exception as exc:  # a connector bug must not cost the other targets
        if debug:
            log.exception("connector crashed for %s", target.name)
        message = redact(f"internal error: {type(exc).__name__}: {exc}")
        return {"target": target.name, "provider": target.provider, "error": message}
    finally:
        step(FINISHED)


def collect_targets(
    targets: list[Target],
    progress: Callable[[str, str], None] | None = None,
    max_workers: int = 4,
    debug: bool = False,
    ledger: Callable[[str], CallLedger] | None = None,
) -> ScanOutcome:
    """Run every target's connector; failures to start are recorded, not raised.

    ``ledger`` gives each target's connector its call ledger by target name (a live display
    counts calls with it)."""
    outcome = ScanOutcome()
    pool = ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(targets))))
    try:
        for result in pool.map(
            lambda t: collect_one(t, progress, debug, ledger(t.name) if ledger else None), targets
        ):
            if isinstance(result, Collection):
                outcome.collections.append(result)
            else:
                log.info("%s: %s", result["target"], result["error"])  # callers report it
                outcome.failures.append(result)
    except KeyboardInterrupt:
        pool.shutdown(wait=False, cancel_futures=True)  # do not wait for in-flight API calls
        raise
    pool.shutdown()
    outcome.finished_at = utcnow()
    return outcome


def evaluate_outcome(
    outcome: ScanOutcome, policy: Policy, kb: KnowledgeBase, today: date | None = None
) -> dict[str, Any]:
    """The findings document of ``outcome``: every check over every collection."""
    findings = [f for c in outcome.collections for f in evaluate(c, policy, kb, today)]
    document = build_document(
        collections=outcome.collections,
        failures=outcome.failures,
        findings=findings,
        kb_version=kb.version,
        policy=policy.summary(),
        started_at=outcome.started_at,
        finished_at=outcome.finished_at or utcnow(),
    )
    return document


def exit_code(document: dict[str, Any], fail_on: str) -> int:
    """2 (a target could not start) beats 3 (incomplete) beats 1 (violations) beats 0."""
    targets = document["targets"]
    if any(t["error"] for t in targets):
        return EXIT_CANNOT_START
    statuses = document["summary"]["by_status"]
    if any(not t["complete"] for t in targets) or statuses["error"]:
        return EXIT_INCOMPLETE
    threshold = SEVERITY_RANK[fail_on]
    if any(
        f["status"] == "fail" and SEVERITY_RANK[f["severity"]] >= threshold
        for f in document["findings"]
    ):
        return EXIT_VIOLATIONS
    return EXIT_CLEAN


def evidence_document(outcome: ScanOutcome) -> dict[str, Any]:
    return {
        "evidence_version": EVIDENCE_VERSION,
        "tool": {"name": "eu-residency-scanner", "version": __version__},
        "started_at": outcome.started_at,
        "finished_at": outcome.finished_at,
        "collections": [c.to_dict() for c in outcome.collections],
        "failures": outcome.failures,
    }


def load_evidence(path: Path) -> ScanOutcome:
    """Read an evidence file written by ``residency collect``; errors name the file."""
    data = load_json(path, "evidence file")
    if not isinstance(data, dict) or data.get("evidence_version") != EVIDENCE_VERSION:
        raise ConfigError(f"{path}: not an evidence file of version {EVIDENCE_VERSION}")
    validate(data, load_schema(EVIDENCE_SCHEMA), f"{path}: malformed evidence")
    try:
        return ScanOutcome(
            collections=[Collection.from_dict(c) for c in data["collections"]],
            failures=list(data.get("failures", [])),
            started_at=data["started_at"],
            finished_at=data["finished_at"],
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError(f"{path}: malformed evidence: {type(exc).__name__}: {exc}") from None
