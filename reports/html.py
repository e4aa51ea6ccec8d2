"""The HTML report: one self-contained file a DPO can open offline and forward.

The summary, chart, coverage gaps and portfolio matrix are rendered here with Jinja2
(autoescaped). The findings travel as gzip-compressed JSON inside a non-executable script
element and are drawn by the page's own script a page at a time with ``textContent`` only, so
100,000 findings stay a few megabytes and no cloud value is ever parsed as HTML. A Content
Security Policy allows exactly the page's own inline script and style (by hash) and nothing
from the network.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections import Counter
from typing import Any

from reports.chart import residency_chart
from reports.common import (
    article_link,
    cell_status,
    checks_by_target,
    gap_sentences,
    worst_first,
)
from reports.flows import flow_picture
from reports.html_env import page
from reports.register import register

PAGE_SIZE = 100


def render(document: dict[str, Any]) -> str:
    summary = document["summary"]
    targets = [_target_view(i, t, document) for i, t in enumerate(document["targets"])]
    return page(
        "report.html.j2",
        parts=("register",),
        title=f"EU residency report: {summary['verdict'].upper()}",
        document=document,
        summary=summary,
        targets=targets,
        chart=residency_chart(document["findings"]),
        flows=flow_picture(document),
        gaps=[s for t in document["targets"] for s in gap_sentences(t, limit=20)],
        matrix=_matrix(document) if len(document["targets"]) > 1 else None,
        vendors=_vendor_certifications(document["findings"]),
        register=register(document),
        payload=encode_payload(document["findings"], document["targets"]),
        page_size=PAGE_SIZE,
    )


def _target_view(number: int, target: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    statuses = Counter(f["status"] for f in document["findings"] if f["target"] == target["name"])
    return {
        "number": number,
        "target": target,
        "counts": {s: statuses.get(s, 0) for s in document["summary"]["by_status"]},
        "total": sum(statuses.values()),
        "gaps": gap_sentences(target, limit=20),
    }


def _matrix(document: dict[str, Any]) -> dict[str, Any]:
    """Target x check: the worst status of each check on each target (the MSP portfolio view)."""
    cells = checks_by_target(document)
    checks = sorted({check for _, check in cells})
    rows = []
    for number, target in enumerate(document["targets"]):
        row = []
        for check in checks:
            findings = cells.get((target["name"], check))
            row.append(
                {"status": cell_status(findings), "count": len(findings)} if findings else None
            )
        rows.append({"number": number, "target": target, "cells": row})
    return {"checks": checks, "rows": rows}


CERTIFICATE_STATE_STATUS = {
    "current": "pass",
    "published": "pass",
    "unconfirmed": "warn",
    "self-declaration": "warn",
}


def _vendor_certifications(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per vendor judged by vendor-certifications: the required standards and what is held,
    with validity (evidence of that check; a saved report renders the same)."""
    vendors = []
    for f in worst_first(f for f in findings if f["check_id"] == "vendor-certifications"):
        evidence = f["evidence"]
        if "required" not in evidence:
            continue
        required = {r["standard"] for r in evidence["required"]}
        rows = [{**r, "required": True} for r in evidence["required"]]
        rows += [
            {**h, "required": False} for h in evidence["held"] if h["standard"] not in required
        ]
        for row in rows:
            row["status"] = CERTIFICATE_STATE_STATUS.get(row["state"], "fail")
        vendors.append({"finding": f, "rows": rows})
    return vendors


def encode_payload(findings: list[dict[str, Any]], targets: list[dict[str, Any]]) -> str:
    """Findings as gzip + base64 JSON; repeated values (checks, evidence, waivers) stored once."""
    tables: dict[str, dict[str, int]] = {
        "targets": {t["name"]: i for i, t in enumerate(targets)},
        "providers": {},
        "rules": {},
        "evidence": {},
        "waivers": {},
    }

    def intern(table: str, value: str) -> int:
        return tables[table].setdefault(value, len(tables[table]))

    rows = []
    for f in worst_first(findings):
        rule = json.dumps(
            {
                "id": f["check_id"],
                "title": f["title"],
                "remediation": f["remediation"],
                "articles": [article_link(a) for a in f["articles"]],
            },
            sort_keys=True,
        )
        rows.append(
            [
                f["id"],
                intern("rules", rule),
                intern("targets", f["target"]),
                intern("providers", f["provider"]),
                f["resource"],
                f["resource_name"],
                f["status"],
                f["severity"],
                f["message"],
                f["location"] or "",
                f["country"] or "",
                f["jurisdiction"] or "",
                intern("evidence", json.dumps(f["evidence"], sort_keys=True, default=str)),
                intern("waivers", json.dumps(f["waiver"], sort_keys=True, default=str))
                if f["waiver"]
                else -1,
            ]
        )
    data = {
        "targets": list(tables["targets"]),
        "providers": list(tables["providers"]),
        "rules": [json.loads(r) for r in tables["rules"]],
        "evidence": list(tables["evidence"]),
        "waivers": [json.loads(w) for w in tables["waivers"]],
        "rows": rows,
    }
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return base64.b64encode(gzip.compress(raw, compresslevel=6, mtime=0)).decode("ascii")


def decode_payload(blob: str) -> dict[str, Any]:
    """The inverse of :func:`encode_payload` (tests and tools read the page's data with it)."""
    return json.loads(gzip.decompress(base64.b64decode(blob)))
