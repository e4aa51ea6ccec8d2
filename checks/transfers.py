"""The Chapter V basis of one transfer: which tool covers a place, for which recipient, how sure.

Shared by the processor-basis, storage and vendor-review checks so that they never disagree.
Order of the law: adequacy in force (Art. 45, incl. the DPF for listed US organisations) ->
appropriate safeguards (Art. 46: SCCs, BCRs under Art. 47) with a transfer impact assessment
(EDPB Recommendations 01/2020). A :class:`Basis` carries its tool and article as data, so that
the evidence of a finding names them for a later transfer impact assessment draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.knowledge.place import Place
from core.models import Status
from core.policy import Vendor

# SCC modules of Decision (EU) 2021/914 that do not fit a cloud provider acting as processor
# (modules 2, controller to processor, and 3, processor to processor, do).
OTHER_MODULES = {1: "controller to controller", 4: "processor to controller"}
TOOL_ARTICLES = {
    "adequacy": ("44", "45"),
    "dpf": ("44", "45"),
    "scc": ("44", "46(2)(c)"),
    "bcr": ("44", "46(2)(b)", "47"),
    None: ("44", "45", "46"),
}
UNSURE = "uncertain"
DOCUMENTED = {
    "data_outside_region": "transfers of data outside the chosen region",
    "remote_access": "remote access by personnel outside the region",
}


@dataclass(frozen=True)
class Basis:
    """How one transfer is covered: ``status`` pass/warn/manual/fail, the ``tool`` relied on
    (adequacy, dpf, scc, bcr or None), where the record comes from and why."""

    status: Status
    tool: str | None
    reason: str
    record: str  # "place" (adequacy), "vendor_register", "knowledge_base" or "none"
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def articles(self) -> tuple[str, ...]:
        return TOOL_ARTICLES[self.tool]

    @property
    def on_record(self) -> bool:
        """An Art. 45/46 basis is recorded (complete or not yet complete)."""
        return self.tool is not None and self.status in ("pass", "warn")

    def evidence(self) -> dict[str, Any]:
        return {
            "transfer_tool": self.tool,
            "basis_articles": list(self.articles),
            "basis_status": self.status,
            "basis_record": self.record,
            "basis_reason": self.reason,
            "basis_facts": self.facts,
        }


def register_tool(vendor: Vendor) -> str | None:
    """The transfer tool a register entry relies on (an SCC module implies SCCs)."""
    if vendor.transfer_tool and vendor.transfer_tool != "none":
        return vendor.transfer_tool
    if vendor.scc_module:
        return "scc"
    return "dpf" if vendor.relies_on_dpf else None


def tool_problems(vendor: Vendor) -> list[str]:
    """What keeps the register's transfer tool from being complete (empty: complete)."""
    tool = register_tool(vendor)
    if tool == "scc":
        if vendor.scc_module is None:
            return ["SCCs recorded without the module: record it (2 or 3 for a cloud processor)"]
        if vendor.scc_module in OTHER_MODULES:
            return [
                f"SCC module {vendor.scc_module} ({OTHER_MODULES[vendor.scc_module]}) does not "
                "fit a processor: module 2 (controller to processor) or 3 (processor to "
                "processor) does"
            ]
    if tool in ("scc", "bcr") and vendor.tia_date is None:
        return [f"{tool.upper()} recorded without a TIA date"]
    if tool == "dpf":
        return ["DPF is the only transfer basis (appeal C-703/25 P pending): add SCCs"]
    return []


def basis(
    place: Place, vendor: Vendor | None, facts: dict[str, Any], name: str, provider: bool = True
) -> Basis:
    """The basis for sending personal data to ``place``. ``provider`` is True for the cloud
    provider's own locations (whose recipients fall within a partial adequacy decision's scope);
    False for other recipients (partner tenants, guests' home tenants, app publishers)."""
    where = place.label or place.code
    if place.jurisdiction == "unknown":
        if place.region:
            return Basis(
                "manual",
                None,
                f"{where}: only the region ({place.region}) is known, not the country; confirm "
                "the country and its Chapter V basis",
                "none",
            )
        return Basis("fail", None, f"{where} is not in the knowledge base: no basis shown", "none")
    excluded = facts.get("not_covered_by_dpa") or {}
    if place.code in excluded.get("locations", ()):
        return Basis(
            "fail",
            None,
            f"{where} is not covered by {name}'s DPA: {excluded['note']} Record the separate "
            "agreement and its transfer tool",
            "knowledge_base",
            {"not_covered_by_dpa": excluded},
        )
    if place.jurisdiction in ("eu", "eea"):
        return Basis("pass", None, f"{where} is inside the EU/EEA", "place")
    if place.jurisdiction == "adequate":
        return _adequacy(place, where, name, provider)
    if vendor is not None:
        return _register(place, vendor, facts, where, name)
    return _knowledge_base(facts, where, name)


def _adequacy(place: Place, where: str, name: str, provider: bool) -> Basis:
    decision = place.adequacy[0] if place.adequacy else {}
    instrument = decision.get("instrument", "an adequacy decision")
    facts = {"adequacy": [dict(a) for a in place.adequacy]}
    partial = [a for a in place.adequacy if a.get("partial")]
    if not partial:
        covered = f"{where}: covered by {instrument} (Art. 45)"
        return Basis("pass", "adequacy", covered, "place", facts)
    scope = partial[0].get("scope", "")
    if provider:
        return Basis(
            "pass",
            "adequacy",
            f"{where}: covered by {instrument} (Art. 45); the decision is partial and "
            f"{name}, a commercial cloud provider, falls within its scope: {scope}",
            "place",
            facts,
        )
    return Basis(
        "manual",
        "adequacy",
        f"{where}: adequate within scope only ({instrument}, Art. 45): {scope} Confirm that "
        "the recipient falls within it",
        "place",
        facts,
    )


def _register(place: Place, vendor: Vendor, facts: dict[str, Any], where: str, name: str) -> Basis:
    if vendor.dpa_signed is None:
        return Basis(
            "fail",
            None,
            f"{where}: the vendor register has no signed DPA for {name} (Art. 28(3))",
            "vendor_register",
        )
    tool = register_tool(vendor)
    if tool == "dpf":
        return _dpf(place, facts, where, name)
    if tool in ("scc", "bcr"):
        problems = tool_problems(vendor)
        label = f"SCC module {vendor.scc_module}" if tool == "scc" else "BCRs (Art. 46(2)(b), 47)"
        if problems:
            return Basis("warn", tool, f"{where}: {problems[0]}", "vendor_register")
        return Basis(
            "pass",
            tool,
            f"{where}: DPA signed {vendor.dpa_signed}, {label}, TIA {vendor.tia_date}",
            "vendor_register",
        )
    if tool == "adequacy":
        return Basis(
            "fail",
            None,
            f"{where}: the register relies on adequacy, but no adequacy decision covers it",
            "vendor_register",
        )
    return Basis(
        "fail",
        None,
        f"{where}: DPA signed but no transfer tool (SCCs, BCRs, DPF) recorded for {name}",
        "vendor_register",
    )


def _dpf(place: Place, facts: dict[str, Any], where: str, name: str) -> Basis:
    dpf = facts.get("dpf") or {}
    if set(place.countries) != {"US"}:
        return Basis(
            "fail",
            None,
            f"{where}: {name} relies on the EU-US Data Privacy Framework, which covers only "
            "organisations in the United States on the DPF List (Decision (EU) 2023/1795): "
            "no basis outside the US",
            "vendor_register",
            {"dpf": dpf},
        )
    entity = dpf.get("entity", name)
    if dpf.get("certified") is True:
        listing = dpf.get("listing_status", "listed")
        listed = (
            f"the knowledge base records {entity} on the DPF List ({listing}, "
            f"{dpf.get('status')}, as of {dpf.get('as_of')})"
        )
    else:
        listed = f"the knowledge base has not verified that {entity} is on the DPF List"
    return Basis(
        "warn",
        "dpf",
        f"{where}: the DPF covers the recipient only while it is on the DPF List; {listed}: "
        "check the list. The appeal C-703/25 P is pending: record SCCs as a fallback",
        "vendor_register",
        {"dpf": dpf},
    )


def _knowledge_base(facts: dict[str, Any], where: str, name: str) -> Basis:
    dpa, scc = facts.get("dpa"), facts.get("scc")
    if not (dpa and scc):
        return Basis("fail", None, f"{where}: no DPA or SCCs recorded for {name}", "none")
    used = {"dpa": dpa, "scc": scc}
    if UNSURE in (dpa.get("status"), scc.get("status")) or not dpa.get("url"):
        return Basis(
            "manual",
            None,
            f"{where}: the knowledge base cannot confirm {name}'s DPA or its SCCs (unverified, "
            "no published text): record the signed DPA, its transfer tool and TIA in the register",
            "knowledge_base",
            used,
        )
    return Basis(
        "warn",
        "scc",
        f"{where}: {name}'s DPA ({dpa.get('name', 'DPA')}) includes the SCCs, but no TIA is "
        "recorded; add the vendor to the register with its TIA date",
        "knowledge_base",
        used,
    )


def continuing_transfers(vendor: Vendor | None, facts: dict[str, Any], name: str) -> Basis:
    """Transfers the provider documents even when every copy is stored in the EU/EEA: data it
    keeps outside the region and remote access from third countries (a transfer, EDPB
    Guidelines 05/2021). Never "no transfer": covered by a complete tool, else confirm."""
    documented = {k: facts[k] for k in ("data_outside_region", "remote_access") if k in facts}
    if not documented:
        return Basis(
            "manual",
            None,
            f"no personal data found with {name} outside the EU/EEA; whether {name} transfers "
            "data (remote access, data kept outside the region) is not in the knowledge base: "
            "confirm with its DPA",
            "none",
        )
    what = " and ".join(DOCUMENTED[k] for k in documented)
    tool = register_tool(vendor) if vendor and vendor.dpa_signed else None
    if vendor is not None and tool in ("scc", "bcr") and not tool_problems(vendor):
        return Basis(
            "pass",
            tool,
            f"personal data is stored in the EU/EEA; the transfers {name} documents ({what}) "
            f"are covered by the register's {tool.upper()} with a TIA of {vendor.tia_date}",
            "vendor_register",
            documented,
        )
    return Basis(
        "manual",
        tool,
        f"personal data is stored in the EU/EEA, but {name} documents {what} (access from a "
        "third country is a transfer, EDPB Guidelines 05/2021): record the transfer tool (SCCs "
        "or BCRs) and a TIA that covers them",
        "knowledge_base",
        documented,
    )
