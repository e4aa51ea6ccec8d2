"""Art. 32(1)(b)/(d) and 33: Entra sign-in and directory audit logs, the unified audit log."""

from __future__ import annotations

from collections.abc import Iterator

from checks.audit_logs import log_verdicts
from checks.base import CheckContext, Verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    return log_verdicts(ctx, "m365")
