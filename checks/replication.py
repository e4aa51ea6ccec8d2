"""Copies of personal data (replication, backup copies) judged by where the copy lands."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.placing import judged_verdict

COPY_KINDS = frozenset({"replication", "backup_copy"})


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    names = {asset.id: asset.name for asset in ctx.collection.assets}
    for flow in ctx.collection.flows:
        if flow.kind not in COPY_KINDS:
            continue
        source = names.get(flow.source, flow.source)
        label = f"{source} -> {flow.destination_name or flow.destination or '?'}"
        evidence = {"flow_kind": flow.kind, "source": flow.source, **flow.attributes}
        if flow.destination is None:
            yield Verdict(
                flow.id,
                label,
                "error",
                f"{flow.kind} of {source}: the destination's location could not be read",
                evidence=evidence,
            )
            continue
        yield judged_verdict(ctx, flow.id, label, flow.destination, "copied to", evidence)
