"""Where data lives, by country and jurisdiction, as an inline SVG bar chart (no script, no CDN).

Counts distinct resources per country among the findings that place data somewhere (stored or
copied); the cloud provider's own processing places are the processor check's business and are
left out so a bucket is not counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.knowledge.names import country_name
from reports.common import JURISDICTION_LABELS, located
from reports.html_env import render_template

PROCESSOR_CHECK = "processor-transfer-basis"
BAR_HEIGHT = 22
LABEL_WIDTH = 260
BAR_WIDTH = 360
JURISDICTIONS = ("eu", "eea", "adequate", "third_country", "unknown")


def residency_chart(findings: Iterable[dict[str, Any]]) -> str:
    places: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for f in located(findings):
        if f["check_id"] == PROCESSOR_CHECK:
            continue
        where = f"{country_name(f['country'])} ({f['country']})" if f["country"] else _place(f)
        key = (where, f["jurisdiction"] or "unknown")
        places.setdefault(key, set()).add((f["target"], f["resource"]))
    order = {j: i for i, j in enumerate(JURISDICTIONS)}
    bars = sorted(places.items(), key=lambda kv: (order.get(kv[0][1], 9), -len(kv[1]), kv[0][0]))
    most = max((len(v) for v in places.values()), default=1)
    rows = [
        {
            "y": i * BAR_HEIGHT,
            "label": where if len(where) <= 38 else where[:37] + "…",
            "jurisdiction": jurisdiction,
            "jurisdiction_label": JURISDICTION_LABELS.get(jurisdiction, jurisdiction),
            "count": len(resources),
            "width": max(2, round(BAR_WIDTH * len(resources) / most)),
        }
        for i, ((where, jurisdiction), resources) in enumerate(bars)
    ]
    return render_template(
        "chart.svg.j2",
        rows=rows,
        height=max(len(rows), 1) * BAR_HEIGHT + 34,
        label_width=LABEL_WIDTH,
        bar_width=BAR_WIDTH,
        bar_height=BAR_HEIGHT,
        legend=[(j, JURISDICTION_LABELS[j]) for j in JURISDICTIONS],
    )


def _place(finding: dict[str, Any]) -> str:
    """A place spanning several countries (e.g. m365:EUR) is named by its label, else its code."""
    label = finding["evidence"].get("place", {}).get("label")
    return label or finding["location"] or "Unknown place"
