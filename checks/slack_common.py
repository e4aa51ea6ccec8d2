"""What the Slack checks share: finding the workspace assets and the gaps of one feature."""

from __future__ import annotations

from checks.base import CheckContext
from core.models import Asset, Gap


def workspaces(ctx: CheckContext) -> list[Asset]:
    return [a for a in ctx.collection.assets if a.provider == "slack" and a.kind == "workspace"]


def gaps_of(ctx: CheckContext, service: str) -> list[Gap]:
    return [g for g in ctx.collection.gaps if g.provider == "slack" and g.service == service]


def gap_text(gaps: list[Gap]) -> str:
    return "; ".join(f"{g.operation}: {g.message}" for g in gaps) or "no details recorded"
