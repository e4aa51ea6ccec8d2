"""Art. 32 evidence from Graph: audit-log availability, licence signals, and their checks."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from checks.engine import evaluate
from connectors.m365.endpoints import graph_operation
from core.knowledge import default_kb
from core.models import Asset, Collection, Finding, GapReason
from core.policy import Policy
from sandbox.graph import GraphServer
from tests.m365.conftest import Scan

SIGN_INS = "audit_log:entra-sign-ins"
AUDITS = "audit_log:entra-directory-audit"
UNIFIED = "audit_log:purview-unified"


def _asset(collection: Collection, suffix: str) -> Asset:
    [asset] = [a for a in collection.assets if a.id.endswith(suffix)]
    return asset


def _findings(collection: Collection, check: str) -> dict[str, Finding]:
    found = evaluate(collection, Policy(), default_kb(), date(2026, 11, 28), only={check})
    return {f.resource.rsplit(":", 2)[-2] + ":" + f.resource.rsplit(":", 1)[-1]: f for f in found}


def _premium(dataset: dict[str, Any]) -> None:
    """An E5 tenant: Entra ID P2, Audit Premium and Customer Key, all provisioned."""
    dataset["unlicensed"] = []
    dataset["subscribedSkus"][1]["capabilityStatus"] = "Enabled"


def test_tenant_without_premium_licence_is_evidence_not_a_gap(scan: Scan) -> None:
    collection = scan()
    assert not collection.gaps
    sign_ins = _asset(collection, SIGN_INS).attributes
    assert (sign_ins["available"], sign_ins["reason"]) == (False, "no_licence")
    audits = _asset(collection, AUDITS).attributes
    assert (audits["available"], audits["retention_days"]) == (True, 7)
    assert audits["newest_entry"] == "2026-11-26T10:15:00Z"
    unified = _asset(collection, UNIFIED).attributes
    assert (unified["available"], unified["retention_days"]) == (None, 180)
    keys = _asset(collection, ":encryption").attributes  # the suspended E5 trial does not count
    assert (keys["customer_key_licensed"], keys["double_key_licensed"]) == (False, False)

    logs = _findings(collection, "m365-audit-logs")
    assert logs["audit_log:entra-sign-ins"].status == "warn"
    assert "premium license" in logs["audit_log:entra-sign-ins"].message
    assert logs["audit_log:entra-directory-audit"].status == "pass"
    assert logs["audit_log:purview-unified"].status == "manual"
    assert "Get-AdminAuditLogConfig" in logs["audit_log:purview-unified"].message
    [custody] = evaluate(collection, Policy(), default_kb(), only={"m365-key-custody"})
    assert custody.status == "manual" and "no Customer Key" in custody.message


def test_premium_tenant_logs_and_key_licences(
    dataset: dict[str, Any], graph: GraphServer, scan: Scan
) -> None:
    _premium(dataset)
    dataset["max_page_size"] = 1  # the probe reads one record and never follows nextLink
    collection = scan()
    assert not collection.gaps
    assert collection.calls["auditLogs.signIns"] == 1 and graph.requests["signIns"] == 1
    sign_ins = _asset(collection, SIGN_INS).attributes
    assert (sign_ins["available"], sign_ins["retention_days"]) == (True, 30)
    assert sign_ins["newest_entry"] == "2026-11-27T16:40:12Z"
    assert _asset(collection, AUDITS).attributes["retention_days"] == 30
    assert _asset(collection, UNIFIED).attributes["retention_days"] == 365
    assert _asset(collection, ":encryption").attributes["customer_key_licensed"] is True
    logs = _findings(collection, "m365-audit-logs")
    assert logs["audit_log:entra-sign-ins"].status == "pass"
    [custody] = evaluate(collection, Policy(), default_kb(), only={"m365-key-custody"})
    assert "licensed for Customer Key:" in custody.message


def test_missing_permission_is_a_gap_and_the_scan_completes(
    dataset: dict[str, Any], scan: Scan
) -> None:
    dataset["denied"] = ["directoryAudits", "subscribedSkus"]
    collection = scan()
    assert {(g.operation, g.reason) for g in collection.gaps} == {
        ("auditLogs.directoryAudits", GapReason.ACCESS_DENIED),
        ("subscribedSkus.list", GapReason.ACCESS_DENIED),
    }
    audits = _asset(collection, AUDITS).attributes
    assert audits["available"] is None and "Insufficient privileges" in audits["detail"]
    assert _asset(collection, UNIFIED).attributes["retention_days"] is None
    assert _findings(collection, "m365-audit-logs")["audit_log:entra-directory-audit"].status == (
        "manual"
    )
    [custody] = evaluate(collection, Policy(), default_kb(), only={"m365-key-custody"})
    assert "could not be read" in custody.message
    assert any(a.kind == "user_data" for a in collection.assets)  # the rest was read


def test_throttled_probe_is_retried(graph: GraphServer, scan: Scan) -> None:
    graph.faults.throttle("directoryAudits", times=1, retry_after=0)
    collection = scan()
    assert graph.requests["directoryAudits"] == 2
    assert _asset(collection, AUDITS).attributes["available"] is True


@pytest.mark.parametrize(
    ("path", "operation"),
    [
        ("/auditLogs/signIns", "auditLogs.signIns"),
        ("/auditLogs/directoryAudits", "auditLogs.directoryAudits"),
        ("/subscribedSkus", "subscribedSkus.list"),
        ("/auditLogs/signIns/abc", None),
        ("/auditLogs/provisioning", None),
    ],
)
def test_allow_list_names_exactly_the_new_reads(path: str, operation: str | None) -> None:
    assert graph_operation(path) == operation
