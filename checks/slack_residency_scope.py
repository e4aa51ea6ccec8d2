"""Data residency never covers everything: name what may stay outside the region, and on what
basis Slack (as processor) transfers it, from the knowledge base's Slack facts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.base import CheckContext, Verdict
from checks.slack_common import workspaces

_BASIS_KEYS = ("entity", "dpa", "scc", "bcr", "dpf")


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    facts = ctx.kb.processor("slack") or {}
    scope_facts = ctx.kb.slack_residency_scope()
    outside = ", ".join(scope_facts["data_possibly_outside_region"])
    basis = _basis_summary(facts)
    for ws in workspaces(ctx):
        where = ws.attributes.get("declared_region") if ws.location != "country:US" else None
        scope = f"even with residency in {where}" if where else "with or without residency"
        yield Verdict(
            ws.id,
            ws.name,
            "warn",
            f"{ws.name}: {scope}, Slack may keep these outside the region: {outside} "
            f"(source: {scope_facts['source']}, as of {scope_facts['as_of']}). "
            f"Slack's transfer basis per the knowledge base: {basis}",
            evidence={
                "residency_scope": scope_facts,
                "data_outside_region": facts.get("data_outside_region") or {},
                "processor": {k: facts.get(k) for k in _BASIS_KEYS if k in facts},
            },
        )


def _basis_summary(facts: dict[str, Any]) -> str:
    parts = []
    if dpa := facts.get("dpa"):
        parts.append(f"{dpa.get('name', 'DPA')} [{dpa.get('status', '?')}]")
    if scc := facts.get("scc"):
        parts.append(
            f"SCCs {scc.get('instrument', '')} [{scc.get('status', '?')}]".replace("  ", " ")
        )
    if bcr := facts.get("bcr"):
        parts.append(
            f"{bcr.get('holder', '')} {bcr.get('type', '')} BCRs [{bcr.get('status', '?')}]"
        )
    if dpf := facts.get("dpf"):
        certified = "certified" if dpf.get("certified") else "no DPF certification found"
        parts.append(f"DPF: {certified} [{dpf.get('status', '?')}]")
    return "; ".join(parts) or "no facts recorded"
