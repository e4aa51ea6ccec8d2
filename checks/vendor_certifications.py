"""Art. 28(1)/32: the vendor holds a current certificate for every standard the policy requires.

Required standards come from the policy (per vendor kind, overridable per vendor). What the
vendor holds comes from the register; a provider without certificates on record falls back to
what it publishes (knowledge base), marked provider-published. A certificate counts for a
requirement only while it is valid on the scan date; one whose scope does not name the service
in use, or whose issuer is not shown to be accredited, is a warning. ISO 26000 is guidance: it
cannot be certified, so a "certificate" for it is flagged and counts only as a self-declaration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from checks.base import CheckContext, Verdict
from checks.vendors import Concern, concerns
from core.knowledge import KnowledgeBase

PROVIDER_PUBLISHED = "provider-published"
REGISTER = "register"
CONFIRMED = ("verified", "corroborated")
# States in which a certificate counts for a requirement (warnings aside).
USABLE = ("current", "published", "unconfirmed", "self-declaration")


@dataclass
class Held:
    """One certificate (or report, or declaration) as the check judged it."""

    record: dict[str, Any]
    standard: dict[str, Any] | None
    origin: str
    state: str = "current"
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.standard["name"] if self.standard else str(self.record["standard"])

    @property
    def expires(self) -> str | None:
        return self.record.get("expires") or self.record.get("valid_until")

    def row(self) -> dict[str, Any]:
        keys = ("issuer", "scope", "covers", "certificate_number", "source", "as_of", "status")
        return {
            "standard": self.name,
            "origin": self.origin,
            "state": self.state,
            "valid_from": self.record.get("valid_from"),
            "expires": self.expires,
            **{k: self.record[k] for k in keys if k in self.record},
            "warnings": self.warnings,
        }


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    for concern in concerns(ctx):
        yield _judge(ctx, concern)


def _judge(ctx: CheckContext, concern: Concern) -> Verdict:
    required = [_standard(ctx.kb, n) for n in ctx.policy.required_certifications(concern.vendor)]
    published = ctx.kb.published_certifications(concern.key) if concern.facts else None
    services = _services(concern, published)
    records, origin = _records(concern, published)
    if not records:
        return Verdict(
            concern.resource,
            concern.name,
            "manual",
            f"no certifications are recorded for {concern.name}; record "
            f"{', '.join(s['name'] for s in required) or 'its certificates'} with issuer, "
            "scope and expiry from the vendor's trust portal",
        )
    held = [_held(ctx, record, origin, services) for record in records]
    rows, chosen, missing = _requirements(required, held)
    # A warning counts when it concerns a certificate relied on, or a certified guidance standard.
    flagged = [h for h in held if h in chosen or h.state == "self-declaration"]
    warnings = list(dict.fromkeys(f"{h.name}: {w}" for h in flagged for w in h.warnings))
    evidence: dict[str, Any] = {
        "required": rows,
        "held": [h.row() for h in held],
        "services": services,
    }
    if published and origin == PROVIDER_PUBLISHED:
        evidence["attestations"] = published["attestations"]
    status = "fail" if missing else "warn" if warnings else "pass"
    return Verdict(
        concern.resource,
        concern.name,
        status,
        _message(concern.name, origin, rows, missing, warnings),
        evidence=evidence,
    )


def _standard(kb: KnowledgeBase, name: str) -> dict[str, Any]:
    # The policy's names are checked against the catalogue when it is loaded.
    return kb.standard(name) or {"id": name, "name": name, "kind": "certifiable"}


def _services(concern: Concern, published: dict[str, Any] | None) -> list[str]:
    """The names the service in use goes by, as a certificate's scope would name it."""
    vendor = concern.vendor
    if vendor and vendor.services:
        return list(vendor.services)
    if published:
        return list(published["services"])
    return [concern.name, *(vendor.aliases if vendor else ())]


def _records(
    concern: Concern, published: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], str]:
    if concern.vendor and concern.vendor.certifications:
        return list(concern.vendor.certifications), REGISTER
    if published:
        return published["certifications"], PROVIDER_PUBLISHED
    return [], REGISTER


def _held(ctx: CheckContext, record: dict[str, Any], origin: str, services: list[str]) -> Held:
    held = Held(record, ctx.kb.standard(record["standard"]), origin)
    kind = held.standard["kind"] if held.standard else "unknown"
    valid_from, expires = record.get("valid_from"), held.expires
    if expires and date.fromisoformat(expires) < ctx.today:
        held.state = "expired"
    elif valid_from and date.fromisoformat(valid_from) > ctx.today:
        held.state = "not yet valid"
    if kind == "guidance":
        if record.get("type", "certificate") != "self_declaration" or record.get("issuer"):
            held.warnings.append(
                "is guidance and cannot be certified (ISO/IAF); a certificate for it is no "
                "evidence - treat it as the vendor's self-declaration"
            )
        held.state = "self-declaration"
        return held
    if origin == PROVIDER_PUBLISHED and held.state == "current":
        held.state = "published"
        if record["status"] not in CONFIRMED:
            held.state = "unconfirmed"
            held.warnings.append(
                f"published status is {record['status']} (as of {record['as_of']}); confirm "
                "it on the certificate"
            )
    elif kind in ("certifiable", "extension"):
        if record.get("issuer_accredited") is False:
            held.warnings.append(f"issuer {record.get('issuer', '?')} is not accredited")
        elif record.get("issuer_accredited") is None:
            held.warnings.append("the issuer's accreditation is not recorded")
    if not _names_service(record, services):
        held.warnings.append(
            "scope not recorded"
            if not record.get("scope") and not record.get("covers")
            else f"scope does not name the service in use ({', '.join(services)})"
        )
    return held


def _names_service(record: dict[str, Any], services: list[str]) -> bool:
    text = " ".join([record.get("scope", ""), *record.get("covers", ())])
    return any(re.search(rf"\b{re.escape(s)}\b", text, re.IGNORECASE) for s in services)


def _requirements(
    required: list[dict[str, Any]], held: list[Held]
) -> tuple[list[dict[str, Any]], list[Held], list[str]]:
    """Per required standard a row with the best certificate held for it; the certificates
    relied on; and the required standards missing or not current."""
    rows: list[dict[str, Any]] = []
    chosen: list[Held] = []
    missing: list[str] = []
    for standard in required:
        matching = [h for h in held if h.standard and h.standard["id"] == standard["id"]]
        usable = [h for h in matching if h.state in USABLE]
        best = max(usable or matching, key=lambda h: h.expires or "9999", default=None)
        state = best.state if best else "missing"
        rows.append(
            {
                "standard": standard["name"],
                "held": best.name if best else None,
                "state": state,
                "expires": best.expires if best else None,
                "origin": best.origin if best else None,
                "as_of": best.record.get("as_of") if best else None,
            }
        )
        if usable and best is not None:
            chosen.append(best)
        else:
            expiry = f" {best.expires}" if best and best.expires else ""
            missing.append(f"{standard['name']} ({state}{expiry})")
    return rows, chosen, missing


def _message(
    name: str, origin: str, rows: list[dict[str, Any]], missing: list[str], warnings: list[str]
) -> str:
    source = "; provider-published: record the certificate in the register to track it" * (
        origin == PROVIDER_PUBLISHED
    )
    if missing:
        text = f"{name}: required certification missing or not current: {', '.join(missing)}"
    else:
        current = ", ".join(_validity(r) for r in rows)
        text = f"{name}: every required certification is current: {current or 'none required'}"
    if warnings:
        text += "; " + "; ".join(warnings)
    return text + source


def _validity(row: dict[str, Any]) -> str:
    if row["expires"]:
        return f"{row['standard']} until {row['expires']}"
    if row["as_of"]:
        return f"{row['standard']} (published as of {row['as_of']})"
    return f"{row['standard']} ({row['state']})"
