"""Turn every collection gap into an ``error`` finding, so an incomplete scan never looks clean."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    collection = ctx.collection
    if not collection.gaps:
        calls = sum(collection.calls.values())
        yield Verdict(
            f"coverage:{collection.target}",
            collection.target,
            "pass",
            f"every read succeeded ({calls} API calls; read: {', '.join(collection.read) or '-'})",
        )
        return
    for gap in collection.gaps:
        where = " ".join(p for p in (gap.region, gap.resource) if p)
        resource = f"gap:{gap.service}:{gap.operation}:{where or '-'}"
        yield Verdict(
            resource,
            f"{gap.service} {gap.operation} {where}".strip(),
            "error",
            f"could not read {gap.service} {gap.operation}"
            f"{' for ' + where if where else ''}: {gap.reason}: {gap.message}",
            evidence={"gap": gap.__dict__},
        )
