"""What an alert says, independent of the channel that carries it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.text import inert

SHOWN = 20  # findings listed per client; the report has the rest


@dataclass(frozen=True)
class ClientAlert:
    client: str
    violations: list[dict[str, Any]] = field(default_factory=list)
    incomplete: list[dict[str, str]] = field(default_factory=list)
    report: str | None = None

    @property
    def needs_attention(self) -> bool:
        return bool(self.violations or self.incomplete)

    def headline(self) -> str:
        parts = []
        if self.violations:
            parts.append(f"{len(self.violations)} new violation(s)")
        if self.incomplete:
            parts.append(f"{len(self.incomplete)} incomplete target(s)")
        return f"{self.client}: {', '.join(parts)}"

    def lines(self) -> list[str]:
        lines = []
        for v in self.violations[:SHOWN]:
            why = f" (was {v['previous_status']})" if v.get("previous_status") else ""
            lines.append(f"[{v['severity']}] {v['check_id']}: {inert(v['resource_name'])}{why}")
        if len(self.violations) > SHOWN:
            lines.append(f"... and {len(self.violations) - SHOWN} more in the report")
        lines.extend(f"incomplete: {i['target']}: {inert(i['reason'])}" for i in self.incomplete)
        if self.report:
            lines.append(f"report: {self.report}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "new_violations": self.violations,
            "incomplete": self.incomplete,
            "report": self.report,
        }


@dataclass(frozen=True)
class Alert:
    run_id: str
    clients: tuple[ClientAlert, ...]

    @property
    def subject(self) -> str:
        if len(self.clients) == 1:
            return f"residency: {self.clients[0].headline()}"
        violations = sum(len(c.violations) for c in self.clients)
        incomplete = sum(len(c.incomplete) for c in self.clients)
        return (
            f"residency: {len(self.clients)} clients need attention "
            f"({violations} new violation(s), {incomplete} incomplete target(s))"
        )

    def text(self) -> str:
        blocks = [
            f"{c.headline()}\n" + "\n".join(f"  {line}" for line in c.lines()) for c in self.clients
        ]
        return f"{self.subject}\n\n" + "\n\n".join(blocks) + f"\n\nrun {self.run_id}\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": "residency.attention",
            "subject": self.subject,
            "run_id": self.run_id,
            "clients": [c.to_dict() for c in self.clients],
        }
