"""Art. 32(1)(d), 33: the AWS logs that can reconstruct a breach (CloudTrail trails, their
CloudWatch Logs copies and the 90-day event history), one verdict each."""

from __future__ import annotations

from collections.abc import Iterator

from checks.audit_logs import log_verdicts
from checks.base import CheckContext, Verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    return log_verdicts(ctx, "aws")
