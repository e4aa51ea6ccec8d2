"""Art. 32 evidence from Graph: which logs exist to reconstruct a breach, and key-custody signals.

Graph exposes the Entra sign-in and directory audit logs (``AuditLog.Read.All``); the probes read
one record (``$top=1``, ids and timestamps only) to learn whether the log is there, never its
content. Sign-in logs need Entra ID P1/P2: without it Graph answers 403
``Authentication_RequestFromNonPremiumTenantOrB2CTenant``, which is evidence (no licence), not a
failed scan. A 403 for a missing permission is a gap. The Purview unified audit log and Customer
Key / Double Key Encryption have no Graph v1.0 read (the audit search API creates a query, a
write; data-encryption policies live in Exchange Online PowerShell), so their licences from
``/subscribedSkus`` are recorded as necessary-condition signals and the rest is left to a human.

Emitted assets follow the shared ``audit_log`` convention of ``checks/breach_readiness.py``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from connectors.m365.graph import GraphError, query
from connectors.m365.reader import TenantReader
from core.models import Asset, GapReason

SKU_FIELDS = ["skuId", "skuPartNumber", "capabilityStatus", "servicePlans"]
PROBE_FIELDS = {
    "auditLogs.signIns": ["id", "createdDateTime"],
    "auditLogs.directoryAudits": ["id", "activityDateTime"],
}
# 403 codes that mean "the tenant lacks the licence", as opposed to "the app lacks a permission".
NO_LICENCE_CODES = frozenset(
    {
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Authentication_RequestFromNonPremiumTenant",
    }
)
# Service plans (servicePlanName in /subscribedSkus) that carry the signals below.
ENTRA_PREMIUM = frozenset({"AAD_PREMIUM", "AAD_PREMIUM_P2"})
AUDIT_PREMIUM = frozenset({"M365_ADVANCED_AUDITING"})
CUSTOMER_KEY = frozenset({"CUSTOMER_KEY"})
DOUBLE_KEY = frozenset({"RMS_S_PREMIUM2"})  # Purview Information Protection Premium P2
ACTIVE_SKU = frozenset({"Enabled", "Warning"})  # Warning: in the grace period, still working
# Retention (days) from Microsoft's documentation:
# learn.microsoft.com/entra/identity/monitoring-health/reference-reports-data-retention
# (audit logs 7 days Free, 30 days P1/P2; sign-ins 30 days P1/P2, API needs P1/P2) and
# learn.microsoft.com/purview/audit-log-retention-policies (Audit Standard 180 days since
# October 2023; Audit Premium one year by default).
ENTRA_FREE_DAYS = 7
ENTRA_PREMIUM_DAYS = 30
AUDIT_STANDARD_DAYS = 180
AUDIT_PREMIUM_DAYS = 365
ENTRA_RETENTION_SOURCE = (
    "https://learn.microsoft.com/entra/identity/monitoring-health/reference-reports-data-retention"
)
PURVIEW_RETENTION_SOURCE = "https://learn.microsoft.com/purview/audit-log-retention-policies"


@dataclass(frozen=True)
class Probe:
    """What one ``$top=1`` read proved: ``available`` is None when the scan could not tell."""

    operation: str
    available: bool | None
    reason: str
    detail: str = ""
    newest: str | None = None

    @property
    def needs_gap(self) -> bool:
        return self.available is None


def probe_read(operation: str, body: dict[str, Any]) -> Probe:
    value = body.get("value")
    first = value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}
    newest = first.get("createdDateTime") or first.get("activityDateTime")
    return Probe(operation, True, "read", newest=str(newest) if newest else None)


def probe_failed(operation: str, kind: str, code: str | None, message: str) -> Probe:
    if kind == GapReason.ACCESS_DENIED and code in NO_LICENCE_CODES:
        return Probe(operation, False, "no_licence", message)
    return Probe(operation, None, kind, message)


def service_plans(skus: list[dict[str, Any]] | None) -> set[str] | None:
    """Active, provisioned service plan names; None when the licences could not be read."""
    if skus is None:
        return None
    return {
        str(plan.get("servicePlanName"))
        for sku in skus
        if sku.get("capabilityStatus") in ACTIVE_SKU
        for plan in sku.get("servicePlans") or []
        if isinstance(plan, dict) and plan.get("provisioningStatus") == "Success"
    }


def _has(plans: set[str] | None, wanted: frozenset[str]) -> bool | None:
    return None if plans is None else bool(plans & wanted)


def security_assets(
    tenant_id: str, sign_ins: Probe, audits: Probe, skus: list[dict[str, Any]] | None
) -> list[Asset]:
    plans = service_plans(skus)
    premium = True if sign_ins.available else _has(plans, ENTRA_PREMIUM)
    licences = {
        "read": plans is not None,
        "skus": sorted(
            f"{s.get('skuPartNumber')} ({s.get('capabilityStatus')})" for s in skus or []
        ),
    }
    return [
        _log(
            tenant_id,
            "entra-sign-ins",
            "Entra ID sign-in log",
            sign_ins,
            ENTRA_PREMIUM_DAYS if sign_ins.available else None,
            ENTRA_RETENTION_SOURCE,
            note=(
                "sign-in logs through Graph need Entra ID P1/P2; without it the admin center "
                f"shows {ENTRA_FREE_DAYS} days and nothing can be exported to a SIEM"
            ),
        ),
        _log(
            tenant_id,
            "entra-directory-audit",
            "Entra ID directory audit log",
            audits,
            None
            if not audits.available or premium is None
            else ENTRA_PREMIUM_DAYS
            if premium
            else ENTRA_FREE_DAYS,
            ENTRA_RETENTION_SOURCE,
            note="changes to users, groups, apps and policies",
        ),
        _unified_audit_log(tenant_id, plans, licences),
        _encryption(tenant_id, plans, licences),
    ]


def _log(
    tenant_id: str,
    key: str,
    name: str,
    probe: Probe,
    retention_days: int | None,
    retention_source: str,
    note: str,
) -> Asset:
    return _tenant_asset(
        tenant_id,
        f"audit_log:{key}",
        "audit_log",
        name,
        {
            "available": probe.available,
            "retention_days": retention_days,
            "source": f"Graph {probe.operation}",
            "reason": probe.reason,
            "detail": probe.detail,
            "newest_entry": probe.newest,
            "retention_source": retention_source if retention_days else None,
            "note": note,
        },
    )


def _unified_audit_log(tenant_id: str, plans: set[str] | None, licences: dict[str, Any]) -> Asset:
    premium = _has(plans, AUDIT_PREMIUM)
    return _tenant_asset(
        tenant_id,
        "audit_log:purview-unified",
        "audit_log",
        "Microsoft 365 unified audit log (Purview)",
        {
            "available": None,
            "retention_days": None
            if premium is None
            else AUDIT_PREMIUM_DAYS
            if premium
            else AUDIT_STANDARD_DAYS,
            "source": "licence (Graph subscribedSkus.list)",
            "reason": "not_readable",
            "detail": "Graph v1.0 cannot read whether ingestion is on; run "
            "Get-AdminAuditLogConfig | Format-List UnifiedAuditLogIngestionEnabled in Exchange "
            "Online PowerShell, or open Purview > Audit",
            "audit_premium_licensed": premium,
            "licences": licences,
            "retention_source": PURVIEW_RETENTION_SOURCE if premium is not None else None,
            "note": "mailbox, SharePoint, OneDrive and Teams activity; retention assumes the "
            "default policy of the licence",
        },
    )


def _encryption(tenant_id: str, plans: set[str] | None, licences: dict[str, Any]) -> Asset:
    return _tenant_asset(
        tenant_id,
        "encryption",
        "encryption_keys",
        "Microsoft 365 key custody",
        {
            "customer_key_licensed": _has(plans, CUSTOMER_KEY),
            "double_key_licensed": _has(plans, DOUBLE_KEY),
            "configured": None,
            "source": "licence (Graph subscribedSkus.list)",
            "licences": licences,
            "note": "a licence is necessary, not proof: data-encryption policies are read with "
            "Get-M365DataAtRestEncryptionPolicy / Get-DataEncryptionPolicy (Exchange Online "
            "PowerShell) and DKE labels in Purview > Information protection",
        },
    )


def _tenant_asset(
    tenant_id: str, key: str, kind: str, name: str, attributes: dict[str, Any]
) -> Asset:
    """A tenant-wide record (a log, key custody): evidence with no storage location of its own."""
    return Asset(
        id=f"m365:{tenant_id}:{key}",
        provider="m365",
        kind=kind,
        name=name,
        location=None,
        attributes=attributes,
    )


async def read_security(reader: TenantReader) -> list[Asset]:
    """Audit-log availability and licence signals."""
    client = reader.client
    sign_ins, audits, skus = await asyncio.gather(
        _probe(reader, "auditLogs.signIns", client.audit_logs.sign_ins),
        _probe(reader, "auditLogs.directoryAudits", client.audit_logs.directory_audits),
        reader.listing(
            "licences", "subscribedSkus.list", query(client.subscribed_skus, SKU_FIELDS)
        ),
    )
    return security_assets(reader.tenant_id, sign_ins, audits, skus)


async def _probe(reader: TenantReader, operation: str, builder: Any) -> Probe:
    """One ``$top=1`` read: a missing licence is evidence, anything else unknown is a gap."""
    try:
        body = await reader.graph.get(query(builder, PROBE_FIELDS[operation], top=1))
    except GraphError as exc:
        probe = probe_failed(operation, exc.kind, exc.code, str(exc))
        if probe.needs_gap:
            reader.failed("audit_logs", operation, exc)
        return probe
    reader.recorder.read(operation)
    return probe_read(operation, body)
