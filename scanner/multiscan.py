"""Scan every client of a targets file: bounded concurrency, shared rate limits, strict isolation.

Each client gets its own Target objects, its own Policy, its own report folder and its own
notifications; nothing computed for one client is visible to another. A client whose target
cannot be scanned (or whose report cannot be written) is recorded and the others finish. The
history database and the notification channels are used after the reports are written, so a
broken database or receiver never costs a report.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from connectors.base import utcnow
from core.errors import ScannerError
from core.knowledge import default_kb
from core.models import Collection
from core.secrets import redact
from scanner import __version__
from scanner.engines import Engine, Result
from scanner.history import Drift, HistoryError, HistoryStore, RunRecord, TargetRecord, diff
from scanner.notify import Alert, ClientAlert, send
from scanner.ratelimit import RateLimiter
from scanner.runs import RunFolder, now
from scanner.scan import (
    EXIT_CANNOT_START,
    EXIT_CLEAN,
    EXIT_INCOMPLETE,
    EXIT_VIOLATIONS,
    ScanOutcome,
    evaluate_outcome,
    exit_code,
)
from scanner.targets import Client, TargetsFile

log = logging.getLogger("residency")

EXIT_PRIORITY = (EXIT_CANNOT_START, EXIT_INCOMPLETE, EXIT_VIOLATIONS, EXIT_CLEAN)
Progress = Callable[[str, str], None]


def worst(codes: list[int]) -> int:
    """2 beats 3 beats 1 beats 0, as for a single scan."""
    return next((code for code in EXIT_PRIORITY if code in codes), EXIT_CLEAN)


def write_failure(exc: OSError) -> str:
    where = f" {exc.filename}" if exc.filename else ""
    return f"cannot write{where}: {exc.strerror or exc}"


# ----------------------------------------------------------------------------- results


@dataclass
class ClientResult:
    client: str
    exit_code: int
    drift: list[Drift] = field(default_factory=list)
    incomplete: list[dict[str, str]] = field(default_factory=list)
    reports: list[Path] = field(default_factory=list)
    error: str | None = None
    report_error: str | None = None
    records: list[TargetRecord] = field(default_factory=list)

    def alert(self) -> ClientAlert:
        violations = [v for d in self.drift for v in d.alarming]
        incomplete = list(self.incomplete)
        if self.error:
            incomplete.append({"target": self.client, "reason": self.error})
        if self.report_error:
            return UnwrittenReportAlert(
                self.client, violations, incomplete, None, self.report_error
            )
        report = str(self.reports[0]) if self.reports else None
        return ClientAlert(self.client, violations, incomplete, report)


@dataclass(frozen=True)
class UnwrittenReportAlert(ClientAlert):
    """A client scanned in full whose report could not be written: said as that, not as an
    incomplete target (its results are complete and go to the history)."""

    report_error: str = ""

    @property
    def needs_attention(self) -> bool:
        return True

    def headline(self) -> str:
        if self.violations or self.incomplete:
            return f"{super().headline()}, {self.report_error}"
        return f"{self.client}: {self.report_error}"

    def lines(self) -> list[str]:
        return [*super().lines(), self.report_error]

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "report_error": self.report_error}


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a targets-file run, saying truthfully which clients' reports were
    published before it (they are complete) and that no other report was written."""

    def __init__(self, finished: list[ClientResult]) -> None:
        written = sorted(c.client for c in finished if c.reports)
        super().__init__(
            f"reports written for {', '.join(written)}; no report for the other clients"
            if written
            else "no report written"
        )


@dataclass
class MultiResult:
    run_id: str
    started_at: str
    finished_at: str = ""
    clients: list[ClientResult] = field(default_factory=list)
    history_error: str | None = None
    notify_errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        codes = [c.exit_code for c in self.clients]
        if self.history_error:
            codes.append(EXIT_CANNOT_START)
        return worst(codes)

    def attention(self) -> list[ClientAlert]:
        return [a for a in (c.alert() for c in self.clients) if a.needs_attention]

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "exit_code": self.exit_code,
            "history_error": self.history_error,
            "notify_errors": self.notify_errors,
            "clients": [
                {
                    "name": c.client,
                    "exit_code": c.exit_code,
                    "error": c.error or c.report_error,
                    "reports": [str(p) for p in c.reports],
                    "new": sum(len(d.new) for d in c.drift),
                    "regressed": sum(len(d.regressed) for d in c.drift),
                    "resolved": sum(len(d.resolved) for d in c.drift),
                    "incomplete": c.incomplete,
                }
                for c in self.clients
            ],
        }


# ----------------------------------------------------------------------------- the run


class MultiScan:
    """One scheduled run over a targets file (the caller holds the lock)."""

    def __init__(
        self,
        config: TargetsFile,
        history: HistoryStore | None,
        history_error: str | None = None,
        progress: Progress | None = None,
        today: date | None = None,
        debug: bool = False,
        engine: Callable[[], Engine] | None = None,
    ) -> None:
        """``engine`` makes the engine that collects the targets (default: threads here)."""
        self.config = config
        self.history = history
        self.result = MultiResult(run_id=uuid.uuid4().hex, started_at=utcnow())
        self.started = now()  # one folder name per run across clients
        self.result.history_error = history_error
        self.progress = progress
        self.today = today
        self.debug = debug
        self.kb = default_kb()
        self.engine = engine or (lambda: thread_engine(config, RateLimiter, progress, debug))

    def run(self) -> MultiResult:
        clients = {c.name: c for c in self.config.clients}
        pending: dict[str, list[Future[Result]]] = {}
        try:
            # on Ctrl-C the engine cancels what has not started and waits for no API call
            with self.engine() as engine:
                owner: dict[Future[Result], str] = {}
                for client in clients.values():
                    for target in client.targets:
                        future = engine.submit(target)
                        owner[future] = client.name
                        pending.setdefault(client.name, []).append(future)
                for future in as_completed(owner):
                    name = owner[future]
                    # several of a client's futures may be done when the first is yielded: once
                    if name in pending and all(f.done() for f in pending[name]):
                        finished = self._finish_client(clients[name], pending.pop(name))
                        self.result.clients.append(finished)
        except KeyboardInterrupt:
            raise Interrupted(self.result.clients) from None
        self.result.clients.sort(key=lambda c: c.client)
        self.result.finished_at = utcnow()
        self._record()
        self._notify()
        return self.result

    def _finish_client(self, client: Client, futures: list[Future[Result]]) -> ClientResult:
        outcome = ScanOutcome(started_at=self.result.started_at)
        for future in futures:
            result = future.result()
            if isinstance(result, Collection):
                outcome.collections.append(result)
            else:
                log.error("%s: %s", result["target"], result["error"])
                outcome.failures.append(result)
        outcome.finished_at = utcnow()
        try:
            return self._report(client, outcome)
        except Exception as exc:  # isolation: one client's bug is its own failure
            if self.debug:
                log.exception("client %s failed", client.name)
            message = redact(f"{type(exc).__name__}: {exc}")
            log.error("%s: %s", client.name, message)
            return ClientResult(client.name, EXIT_CANNOT_START, error=message)

    def _report(self, client: Client, outcome: ScanOutcome) -> ClientResult:
        document = evaluate_outcome(outcome, client.policy, self.kb, self.today)
        result = ClientResult(client.name, exit_code(document, client.fail_on))
        for entry in document["targets"]:
            result.records.append(
                TargetRecord.from_report(client.name, entry, document["findings"])
            )
            if not entry["complete"]:
                gaps = len(entry["coverage"]["gaps"])
                reason = entry["error"] or f"{gaps} part(s) could not be read"
                result.incomplete.append({"target": entry["name"], "reason": reason})
            result.drift.append(diff(entry["name"], self._baseline(entry["name"]), document))
        first_seen = self._first_seen(document)
        if first_seen:
            document["first_seen"] = first_seen
        folder = RunFolder(client.report_dir, self.result.run_id, clock=lambda: self.started)
        changes = {
            "run_id": self.result.run_id,
            "history": self.result.history_error or "ok",
            "targets": [d.to_dict() for d in result.drift],
        }
        try:
            result.reports = folder.write_reports(document, list(client.formats))
            result.reports.append(folder.write("changes.json", json.dumps(changes, indent=2)))
            folder.publish()
        except (ScannerError, OSError) as exc:  # OSError: e.g. the report folder is a file
            folder.abandon()
            reason = str(exc) if isinstance(exc, ScannerError) else write_failure(exc)
            log.error("%s: report not written: %s", client.name, reason)
            result.reports = []
            result.report_error = f"report not written: {reason}"
            result.exit_code = EXIT_CANNOT_START
        return result

    def _first_seen(self, document: dict[str, Any]) -> dict[str, str]:
        """Finding id -> start of the earliest recorded run with it (this run for new ones);
        empty without a history (the register's first_seen column stays blank then)."""
        if self.history is None:
            return {}
        seen: dict[str, str] = {}
        try:
            for entry in document["targets"]:
                seen.update(self.history.first_seen(entry["name"]))
        except HistoryError as exc:
            self._history_failed(exc)
            return {}
        return {f["id"]: seen.get(f["id"], self.result.started_at) for f in document["findings"]}

    def _baseline(self, target: str) -> Any:
        if self.history is None:
            return None
        try:
            return self.history.baseline(target)
        except HistoryError as exc:
            self._history_failed(exc)
            return None

    def _history_failed(self, exc: HistoryError) -> None:
        if self.result.history_error is None:
            log.error("%s", exc)
            self.result.history_error = str(exc)
        self.history = None

    def _record(self) -> None:
        if self.history is None:
            return
        run = RunRecord(
            id=self.result.run_id,
            started_at=self.result.started_at,
            finished_at=self.result.finished_at,
            source=str(self.config.path),
            exit_code=self.result.exit_code,
            tool_version=__version__,
            targets=[r for c in self.result.clients for r in c.records],
        )
        try:
            self.history.record(run)
            if self.config.history.keep_days:
                self.history.prune(self.config.history.keep_days, utcnow())
        except HistoryError as exc:
            self._history_failed(exc)

    def _notify(self) -> None:
        by_name = {c.name: c for c in self.config.clients}
        alerts = self.result.attention()
        for alert in alerts:
            channels = list(by_name[alert.client].notify)
            if channels:
                self.result.notify_errors += send(channels, Alert(self.result.run_id, (alert,)))
        if alerts and self.config.notify:
            whole = Alert(self.result.run_id, tuple(alerts))
            self.result.notify_errors += send(list(self.config.notify), whole)
        for error in self.result.notify_errors:
            log.error("%s", error)


def thread_engine(
    config: TargetsFile,
    limiter: Callable[[float], RateLimiter],
    progress: Progress | None,
    debug: bool,
) -> Engine:
    from scanner.engines.threads import ThreadEngine

    limiters = {p: limiter(r) for p, r in config.rate_limits.items()}
    return ThreadEngine(min(config.concurrency, config.target_count), limiters, progress, debug)


def run_targets_file(
    config: TargetsFile,
    progress: Progress | None = None,
    today: date | None = None,
    debug: bool = False,
    use_history: bool = True,
    limiter: Callable[[float], RateLimiter] = RateLimiter,
    processes: int = 1,
    broker: str | None = None,
) -> MultiResult:
    """Lock, open the history (a failure is recorded, not fatal), scan, record, notify.

    Targets are collected on threads here (``processes`` 1), in a local pool of ``processes``
    processes, or by Celery workers behind ``broker``; ``limiter`` makes each provider's shared
    rate limiter from its calls per second (threads only)."""
    from scanner.history import open_history
    from scanner.lock import exclusive

    def engine() -> Engine:
        if broker:
            from scanner.engines.distributed import CeleryEngine

            return CeleryEngine(broker, config.rate_limits, progress)
        if processes > 1:
            from scanner.engines.processes import ProcessEngine

            return ProcessEngine(processes, config.concurrency, config.rate_limits, progress, debug)
        return thread_engine(config, limiter, progress, debug)

    lock = broker_lock(broker, config) if broker else exclusive(config.lock_file)
    with lock:
        history, error = None, None
        if use_history and config.history.url:
            try:
                history = open_history(config.history.url, config.history.timeout)
            except HistoryError as exc:
                log.error("%s", exc)
                error = str(exc)
        try:
            return MultiScan(config, history, error, progress, today, debug, engine).run()
        finally:
            if history is not None:
                history.close()


def broker_lock(broker: str, config: TargetsFile) -> Any:
    """With workers on many machines the run lock lives in Redis, beside the queue."""
    from scanner.engines.distributed import redis_lock

    return redis_lock(broker, str(config.path.resolve()))
