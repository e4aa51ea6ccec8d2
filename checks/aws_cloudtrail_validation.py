"""Art. 5(1)(f), 32(1)(b): CloudTrail log files can be proven unaltered (log file validation).

With validation on, CloudTrail writes signed digest files, so an attacker who edits or deletes
log files after a breach is detected. Judged per trail, in the account that owns it.
"""

from __future__ import annotations

from collections.abc import Iterator

from checks.aws_cloudtrail import read_cloudtrail, trails
from checks.base import CheckContext, Verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    if not read_cloudtrail(ctx):
        return
    for trail in trails(ctx):
        attrs = trail.attributes
        if attrs.get("managed_by"):
            continue  # an organisation trail: judged in the management account's scan
        valid = attrs.get("log_file_validation")
        status = "pass" if valid else "fail"
        state = (
            "validates its log files (signed digests)"
            if valid
            else ("does not validate its log files: edited or deleted logs go unnoticed")
        )
        yield Verdict(
            trail.id,
            trail.name,
            status,
            f"trail {trail.name} {state}",
            location=trail.location,
            evidence={"log_file_validation": valid, "multi_region": attrs.get("multi_region")},
        )
