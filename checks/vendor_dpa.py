"""Art. 28(3): a signed processor agreement that sets out every term the article requires.

The required terms (first sentence and points (a)-(h)) come from the knowledge base; the data
location and the sub-processor list and notice are checked besides (Art. 28(2), EDPB Opinion
22/2024, Dutch guidance on the AVG). Without a register entry, a knowledge-base DPA the knowledge
base itself is unsure of (status uncertain, no published text) asks for confirmation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from checks.base import CheckContext, Verdict
from checks.vendors import Concern, concerns

# Checked besides Art. 28(3): where the data is, and the sub-processor chain (Art. 28(2)).
OTHER_TERMS = (
    {"key": "data_location", "article": "28(3)(a)", "label": "data location clause"},
    {"key": "subprocessor_list", "article": "28(2)", "label": "sub-processor list"},
    {"key": "subprocessor_notice", "article": "28(2)", "label": "notice of sub-processor changes"},
)


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    required = ctx.kb.processor_contract_terms()
    for concern in concerns(ctx):
        vendor = concern.vendor
        if vendor is None:
            verdict = _knowledge_base_only(concern)
            if verdict is not None:
                yield verdict
            continue
        if vendor.dpa_signed is None:
            yield Verdict(
                concern.resource,
                vendor.name,
                "fail",
                f"no signed processor agreement (DPA) is recorded for {vendor.name}",
                evidence={"vendor": vendor.to_dict()},
            )
            continue
        missing = [t for t in (*required, *OTHER_TERMS) if not _recorded(vendor.dpa_terms, t)]
        shown = "; ".join(f"{t['label']} (Art. {t['article']})" for t in missing)
        evidence: dict[str, Any] = {
            "vendor": vendor.to_dict(),
            "missing_terms": [{"key": t["key"], "article": t["article"]} for t in missing],
        }
        if missing:
            yield Verdict(
                concern.resource,
                vendor.name,
                "warn",
                f"DPA with {vendor.name} signed {vendor.dpa_signed}, but the register does not "
                f"show: {shown}",
                evidence=evidence,
            )
        else:
            yield Verdict(
                concern.resource,
                vendor.name,
                "pass",
                f"DPA with {vendor.name} signed {vendor.dpa_signed} sets out every term of "
                "Art. 28(3) (first sentence, (a)-(h)), the data location and the sub-processor "
                "list and notice",
                evidence=evidence,
            )


def _recorded(terms: dict[str, Any], term: dict[str, str]) -> bool:
    entry = terms.get(term["key"])
    return bool(entry and entry["value"])


def _knowledge_base_only(concern: Concern) -> Verdict | None:
    dpa = concern.facts.get("dpa") or {}
    if not dpa:
        return None
    evidence = {"knowledge_base": dpa}
    if dpa.get("status") == "uncertain" or not dpa.get("url"):
        return Verdict(
            concern.resource,
            concern.name,
            "manual",
            f"the knowledge base cannot confirm {concern.name}'s DPA (status "
            f"{dpa.get('status')}, no published text): record the signed DPA and its "
            "Art. 28(3) terms in the vendor register",
            evidence=evidence,
        )
    return Verdict(
        concern.resource,
        concern.name,
        "pass",
        f"{concern.name}'s DPA ({dpa.get('name', 'DPA')}) applies through its terms "
        f"({dpa.get('incorporated_via', 'service terms')}); record it in the vendor register "
        "to track its Art. 28(3) terms",
        evidence=evidence,
    )
