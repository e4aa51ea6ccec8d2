"""The transfer register: one entry per place personal data is stored in and per flow that copies
or exposes it, aggregated over the resources behind it (Art. 30(1)(d)-(e) and 30(2)(c) GDPR).

Which checks give entries is data (``register.yaml``); security measures are no entries. An entry
names the data categories (a copy inherits its source's), the system, the recipient, where the
data goes with its jurisdiction, the transfer tool with the TIA and DPA dates of the vendor
register, the worst verdict and the checks that judged it, and when it was first seen (the
document's ``first_seen`` map, written by scheduled runs with a history). Like every report
helper it reads the findings document only (plus the shipped knowledge base), so a saved
report.json renders the same register as a fresh scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from core.knowledge import default_kb
from core.models import STATUS_ORDER
from core.yamlfile import load_yaml, plain
from reports.common import JURISDICTION_LABELS

REGISTER_FILE = Path(__file__).parent / "register.yaml"
REGISTER_SCHEMA = Path(__file__).parent / "schemas" / "register.schema.json"
ENTRY_ORDER = {"storage": 0, "copy": 1, "app_access": 2, "sharing": 3, "disclosure": 4}
RECIPIENT_ROLES = {
    "storage": "processor",
    "copy": "processor",
    "app_access": "app vendor",
    "sharing": "external organisation",
    "disclosure": "grantee of an access grant",
}
INSIDE = frozenset({"eu", "eea"})
# A spreadsheet cell holds at most 32,767 characters (Excel); longer resource lists are cut and
# say how many names are left out (resource_count and the JSON report keep them all).
RESOURCES_CELL_LIMIT = 32_000
# The columns of every register format, in order (defined in the README, "Transfer register").
COLUMNS = (
    "target",
    "entry",
    "data_categories",
    "system",
    "provider",
    "recipient",
    "recipient_role",
    "source",
    "destination",
    "country",
    "jurisdiction",
    "transfer_tool",
    "tia_date",
    "dpa_date",
    "verdict",
    "checks",
    "first_seen",
    "resource_count",
    "resources",
    "recipients",  # named people or parties where the evidence names them (e.g. guests)
)


@cache
def entry_checks() -> dict[str, dict[str, str]]:
    """Check id -> ``{"entry": ..., "system"?: ..., "requires"?: ...}`` from register.yaml."""
    checks: dict[str, dict[str, str]] = plain(load_yaml(REGISTER_FILE, REGISTER_SCHEMA))["checks"]
    return checks


@dataclass
class _Entry:
    cells: dict[str, str]
    categories: set[str] = field(default_factory=set)
    statuses: set[str] = field(default_factory=set)
    checks: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)
    recipients: set[str] = field(default_factory=set)
    findings: list[dict[str, Any]] = field(default_factory=list)
    first_seen: str = ""

    def add(self, finding: dict[str, Any], categories: Iterable[str], seen: str | None) -> None:
        self.categories.update(categories)
        if seen and (not self.first_seen or seen < self.first_seen):
            self.first_seen = seen
        self.statuses.add(finding["status"])
        self.checks.add(finding["check_id"])
        self.resources.add(finding["resource_name"])
        self.recipients.update(finding["evidence"].get("recipients", ()))
        self.findings.append(finding)

    def row(self) -> dict[str, str]:
        return {
            **self.cells,
            "data_categories": "; ".join(sorted(self.categories)),
            "verdict": min(self.statuses, key=STATUS_ORDER.__getitem__),
            "checks": ", ".join(sorted(self.checks)),
            "first_seen": self.first_seen,
            "resource_count": str(len(self.resources)),
            "resources": _listed(sorted(self.resources)),
            "recipients": _listed(sorted(self.recipients)),
        }


def _listed(names: list[str]) -> str:
    text = "; ".join(names)
    if len(text) <= RESOURCES_CELL_LIMIT:
        return text
    shown: list[str] = []
    length = 0
    for name in names:
        length += len(name) + 2
        if length > RESOURCES_CELL_LIMIT - 100:
            break
        shown.append(name)
    return "; ".join(shown) + f"; … and {len(names) - len(shown)} more"


def register(document: dict[str, Any]) -> list[dict[str, str]]:
    """The register's rows (``COLUMNS`` -> text), storage first, then copies, apps, sharing."""
    return [row for row, _ in entries(document)]


def entries(document: dict[str, Any]) -> list[tuple[dict[str, str], list[dict[str, Any]]]]:
    """Each register row with the findings behind it, in the register's order."""
    kinds = entry_checks()
    findings = [
        f
        for f in document["findings"]
        if f["check_id"] in kinds and _exposes(f, kinds[f["check_id"]])
    ]
    stored = {f["resource"]: f for f in findings if kinds[f["check_id"]]["entry"] == "storage"}
    processors = {t["name"]: t["identity"].get("processor") for t in document["targets"]}
    vendors = _vendor_register(document["findings"])
    first_seen: dict[str, str] = document.get("first_seen", {})
    grouped: dict[tuple[str, ...], _Entry] = {}
    for finding in findings:
        meta = kinds[finding["check_id"]]
        cells = _cells(finding, meta, stored, vendors, processors.get(finding["target"]))
        entry = grouped.setdefault(tuple(cells.values()), _Entry(cells))
        entry.add(finding, _categories(finding, meta, stored), first_seen.get(finding["id"]))
    rows = [(e.row(), e.findings) for e in grouped.values()]
    return sorted(
        rows,
        key=lambda r: (
            r[0]["target"],
            ENTRY_ORDER[_entry_kind(r[0]["entry"])],
            r[0]["destination"],
            r[0]["system"],
            r[0]["source"],
        ),
    )


def _entry_kind(entry: str) -> str:
    return entry if entry in ENTRY_ORDER else "copy"


def _exposes(finding: dict[str, Any], meta: dict[str, str]) -> bool:
    evidence = finding["evidence"]
    if "present" in meta and not evidence.get(meta["present"]):
        return False
    return "requires" not in meta or bool(evidence.get(meta["requires"]))


def _categories(
    finding: dict[str, Any], meta: dict[str, str], stored: dict[str, dict[str, Any]]
) -> list[str]:
    evidence = finding["evidence"]
    if "requires" in meta:
        return list(evidence[meta["requires"]])
    if meta["entry"] == "copy" and evidence.get("source") in stored:
        return list(stored[evidence["source"]]["evidence"].get("data_categories", []))
    return list(evidence.get("data_categories", []))


def _cells(
    finding: dict[str, Any],
    meta: dict[str, str],
    stored: dict[str, dict[str, Any]],
    vendors: dict[str, list[dict[str, Any]]],
    processor: str | None,
) -> dict[str, str]:
    """The columns that identify an entry: equal cells, one row."""
    evidence = finding["evidence"]
    entry = meta["entry"]
    name = evidence.get("flow_kind", entry) if entry == "copy" else entry
    kind = evidence.get("kind") or evidence.get("path")
    source = ""
    if entry == "copy":
        origin = stored.get(evidence.get("source", ""))
        source = _where(origin) if origin else str(evidence.get("source", ""))
    if entry in ("storage", "copy"):
        vendor = _find(vendors.get(finding["target"], []), {processor or ""})
        facts = default_kb().processor(processor) if processor else None
        recipient = _processor_name(vendor, facts, finding["provider"])
    elif entry == "app_access":
        keys = {finding["resource_name"], str(evidence.get("app_id", ""))}
        keys |= {finding["resource"].rsplit(":", 1)[-1]}
        vendor = register_entry(evidence.get("vendor_register")) or _find(
            vendors.get(finding["target"], []), keys
        )
        facts = None
        recipient = _vendor_name(vendor) or evidence.get("publisher") or finding["resource_name"]
    elif entry == "disclosure":
        account = str((evidence.get("grant") or {}).get("account") or "")
        vendor = register_entry(evidence.get("vendor_register")) or _find(
            vendors.get(finding["target"], []), {account}
        )
        facts = None
        grantee = finding["resource_name"].rpartition(" -> ")[2]
        recipient = _vendor_name(vendor) or grantee or finding["resource_name"]
    else:
        vendor, facts, recipient = None, None, finding["resource_name"]
    jurisdiction = finding["jurisdiction"] or "unknown"
    return {
        "target": finding["target"],
        "entry": name,
        "system": meta.get("system") or f"{finding['provider']} {kind or name}",
        "provider": finding["provider"],
        "recipient": recipient,
        "recipient_role": RECIPIENT_ROLES[entry],
        "source": source,
        "destination": _where(finding),
        "country": finding["country"]
        or " ".join(c for c in _place(finding).get("countries") or [] if c),
        "jurisdiction": JURISDICTION_LABELS[jurisdiction],
        "transfer_tool": transfer_tool(finding, vendor, facts),
        "tia_date": str((vendor or {}).get("tia_date") or "")
        if jurisdiction == "third_country"
        else "",
        "dpa_date": str((vendor or {}).get("dpa_signed") or ""),
    }


def transfer_tool(
    finding: dict[str, Any], vendor: dict[str, Any] | None, facts: dict[str, Any] | None
) -> str:
    """The Chapter V tool: none needed inside the EU/EEA, the adequacy decision by its
    instrument, else the vendor register's tool (SCC module, BCR, DPF), else the provider's own
    terms from the knowledge base, else ``none on record``."""
    jurisdiction = finding["jurisdiction"] or "unknown"
    if jurisdiction in INSIDE:
        return "not needed (EU/EEA)"
    if jurisdiction == "adequate":
        decisions = _place(finding).get("adequacy") or []
        instrument = decisions[0].get("instrument") if decisions else None
        return f"adequacy decision ({instrument})" if instrument else "adequacy decision"
    if jurisdiction != "third_country":
        return "unknown (location unknown)"
    if vendor:
        return _register_tool(vendor)
    if facts:
        return _provider_tool(facts)
    return "none on record"


def _register_tool(vendor: dict[str, Any]) -> str:
    tool, module = vendor.get("transfer_tool"), vendor.get("scc_module")
    if tool == "scc" or (tool is None and module):
        return f"SCC module {module}" if module else "SCC"
    if tool == "dpf" or (tool is None and vendor.get("relies_on_dpf")):
        return "DPF"
    return {"bcr": "BCR", "adequacy": "adequacy decision"}.get(tool or "", "none on record")


def _provider_tool(facts: dict[str, Any]) -> str:
    scc = facts.get("scc") or {}
    if scc:
        modules = ", ".join(str(m) for m in scc.get("modules", []))
        return f"SCC in the provider's DPA (module {modules})" if modules else "SCC in the DPA"
    if facts.get("bcr"):
        return "BCR of the provider"
    if (facts.get("dpf") or {}).get("certified"):
        return "DPF"
    return "none on record"


def _place(finding: dict[str, Any]) -> dict[str, Any]:
    """The place as the check summarised it, else as the knowledge base knows the location
    (app and sharing checks name a location without summarising it)."""
    place: dict[str, Any] | None = finding["evidence"].get("place")
    if place or not finding["location"]:
        return place or {}
    known = default_kb().resolve(finding["location"])
    return {"label": known.label, "countries": known.countries, "adequacy": known.adequacy}


def _where(finding: dict[str, Any]) -> str:
    label = _place(finding).get("label")
    location = finding["location"] or "unknown location"
    return f"{label} ({location})" if label else location


def _vendor_register(findings: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Target -> the vendor register entries its findings carry as evidence."""
    vendors: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        for key in ("vendor", "vendor_register"):
            vendor = register_entry(finding["evidence"].get(key))
            if vendor is not None:
                known = vendors.setdefault(finding["target"], [])
                if vendor not in known:
                    known.append(vendor)
    return vendors


def register_entry(value: Any) -> dict[str, Any] | None:
    """A register entry from evidence: the entry itself, or an app match that carries it."""
    if isinstance(value, dict) and isinstance(value.get("vendor"), dict) and "matched_by" in value:
        value = value["vendor"]
    return value if isinstance(value, dict) and value.get("id") else None


def _find(vendors: list[dict[str, Any]], keys: set[str]) -> dict[str, Any] | None:
    wanted = {k.casefold() for k in keys if k}
    for vendor in vendors:
        names = (vendor.get("id"), vendor.get("extends"), vendor.get("name"))
        names += tuple(vendor.get("aliases") or ())
        if wanted & {n.casefold() for n in names if n}:
            return vendor
    return None


def _vendor_name(vendor: dict[str, Any] | None) -> str:
    return str((vendor or {}).get("legal_entity") or (vendor or {}).get("name") or "")


def _processor_name(
    vendor: dict[str, Any] | None, facts: dict[str, Any] | None, provider: str
) -> str:
    """The register's legal entity, else the knowledge base's, else the register's name."""
    vendor, facts = vendor or {}, facts or {}
    return str(
        vendor.get("legal_entity") or facts.get("legal_entity") or vendor.get("name") or provider
    )
