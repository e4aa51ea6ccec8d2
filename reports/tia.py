"""Transfer impact assessment drafts: one per recipient and third country, in the EDPB's six steps.

The transfers are the transfer register's rows (:mod:`reports.register`) whose destination is a
third country, grouped by recipient and country. Each draft fills what the scan knows (step 1:
stores and copies; step 2: the transfer tool from the vendor register and the knowledge base;
step 4: encryption, key custody, TLS and logging findings) and what the knowledge base knows
(step 3: the destination's law, each fact with source, as-of date and legal review status), and
asks the rest as marked questions: a country without facts gets questions, never text. The method
data (measures, key holders, questions) is ``tia.yaml``. Drafts are built as sections of blocks
that the Markdown and the HTML writer render alike; every text is redacted and escaped there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from core.knowledge import default_kb
from core.knowledge.names import country_name
from core.secrets import redact
from core.text import inert
from core.yamlfile import load_yaml, plain
from reports.common import JURISDICTION_LABELS
from reports.html_env import page
from reports.register import entries, register_entry

GUIDE_FILE = Path(__file__).parent / "tia.yaml"
GUIDE_SCHEMA = Path(__file__).parent / "schemas" / "tia.schema.json"
THIRD_COUNTRY = JURISDICTION_LABELS["third_country"]
BASIS_CHECK = "processor-transfer-basis"
SCAN = "this scan"
REGISTER = "vendor register (policy)"
MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
LINK = re.compile(r"https://[^\s<>()\[\]`|\\]+")


@cache
def guide() -> dict[str, Any]:
    """tia.yaml, validated: method, steps, measures, key holders, questions, reopen triggers."""
    data: dict[str, Any] = plain(load_yaml(GUIDE_FILE, GUIDE_SCHEMA))
    return data


@dataclass(frozen=True)
class Fact:
    text: str
    source: str
    as_of: str = ""
    note: str = ""


@dataclass
class Section:
    """One step of a draft: facts with sources, tables from the scan, and open questions."""

    title: str
    text: list[str] = field(default_factory=list)
    header: tuple[str, ...] = ()
    rows: list[tuple[str, ...]] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)


@dataclass
class Draft:
    recipient: str
    countries: tuple[str, ...]
    sections: list[Section]
    meta: list[str]
    method: Fact

    @property
    def title(self) -> str:
        where = ", ".join(f"{country_name(c)} ({c})" for c in self.countries) or "unknown"
        return f"Transfer impact assessment (draft): {self.recipient} in {where}"

    @property
    def slug(self) -> str:
        words = re.findall(r"[a-z0-9]+", f"{self.recipient} {' '.join(self.countries)}".lower())
        return "-".join(words)[:80].strip("-") or "transfer"


# ----------------------------------------------------------------------------- building drafts


def drafts(document: dict[str, Any]) -> list[Draft]:
    """One draft per recipient and third country among the register's rows, in register order."""
    groups: dict[tuple[str, str], list[tuple[dict[str, str], list[dict[str, Any]]]]] = {}
    for row, findings in entries(document):
        if row["jurisdiction"] == THIRD_COUNTRY:
            groups.setdefault((row["recipient"], row["country"]), []).append((row, findings))
    return [_draft(document, rows) for rows in groups.values()]


@dataclass
class _Transfer:
    """The register rows of one draft with the findings behind them and those around them."""

    document: dict[str, Any]
    rows: list[dict[str, str]]
    findings: list[dict[str, Any]]
    related: list[dict[str, Any]]

    @property
    def recipient(self) -> str:
        return self.rows[0]["recipient"]

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(self.rows[0]["country"].split())

    @property
    def targets(self) -> list[str]:
        return sorted({r["target"] for r in self.rows})

    def fill(self, text: str) -> str:
        resources = "; ".join(sorted({r["resources"] for r in self.rows}))
        names = ", ".join(f"{country_name(c)}" for c in self.countries) or "the destination"
        return text.format(
            country=names,
            recipient=self.recipient,
            resources=resources,
            targets=", ".join(self.targets),
        )

    def vendor(self) -> dict[str, Any]:
        """The vendor register entry the findings carry (empty: none on record)."""
        for finding in self.findings + self.related:
            for key in ("vendor_register", "vendor"):
                vendor = register_entry(finding["evidence"].get(key))
                if vendor is not None:
                    return vendor
        return {}


def _draft(
    document: dict[str, Any], grouped: list[tuple[dict[str, str], list[dict[str, Any]]]]
) -> Draft:
    rows = [row for row, _ in grouped]
    findings = [f for _, group in grouped for f in group]
    transfer = _Transfer(document, rows, findings, _related(document, rows, findings))
    steps = guide()["steps"]
    builders = (_step1, _step2, _step3, _step4, _step5, _step6)
    sections = []
    for number, (title, build) in enumerate(zip(steps, builders, strict=True), start=1):
        section = Section(f"Step {number}: {title}")
        build(transfer, section)
        asked = guide()["questions"].get(f"step{number}", [])
        section.questions += [transfer.fill(q) for q in asked]
        sections.append(section)
    run = document["run"]
    meta = [
        "DRAFT for the data protection officer, not legal advice. Every fact names its source; "
        "items marked QUESTION are what the scan cannot know. Facts on foreign law need legal "
        "review before use.",
        f"From the scan finished {run['finished_at']} (knowledge base "
        f"{document['knowledge_base']['version']}); targets: {', '.join(transfer.targets)}.",
        "Once signed, record its date as tia_date of the vendor in the policy's vendor register; "
        "the transfer register then shows it.",
    ]
    guided = guide()["method"]
    method = Fact(f"Method: {guided['title']}", guided["source"], guided["as_of"])
    return Draft(transfer.recipient, transfer.countries, sections, meta, method)


def _related(
    document: dict[str, Any], rows: list[dict[str, str]], findings: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Other findings of the same targets about the same resources or places, or account-wide
    measures (audit logs): the basis checks and the supplementary measures of the transfer."""
    targets = {r["target"] for r in rows}
    locations = {f["location"] for f in findings if f["location"]}
    resources = {f["resource"] for f in findings}
    resources |= {str(f["evidence"]["source"]) for f in findings if f["evidence"].get("source")}
    measures = guide()["measures"]
    # the basis checks judge the provider's own places, not the apps and guests found there
    provider = any(r["recipient_role"] == "processor" for r in rows)
    wanted = {*measures, *([BASIS_CHECK] if provider else [])}
    ids = {f["id"] for f in findings}
    related = []
    for finding in document["findings"]:
        if finding["target"] not in targets or finding["id"] in ids:
            continue
        if finding["check_id"] not in wanted:
            continue
        near = finding["location"] in locations or _about(finding, resources)
        account_wide = finding["location"] is None and finding["check_id"] in measures
        if near or account_wide:
            related.append(finding)
    return related


def _about(finding: dict[str, Any], resources: set[str]) -> bool:
    names = {finding["resource"], *finding["evidence"].get("protects", [])}
    return any(n == r or n.startswith(r + "/") for n in names for r in resources)


# ----------------------------------------------------------------------------- the six steps


def _step1(transfer: _Transfer, section: Section) -> None:
    roles = sorted({r["recipient_role"] for r in transfer.rows})
    section.text.append(
        f"Exporter: the organisation operating {', '.join(transfer.targets)}. "
        f"Importer: {transfer.recipient} ({', '.join(roles)})."
    )
    section.header = ("Entry", "System", "Resources", "Data", "Route", "First seen", "Verdict")
    for row in transfer.rows:
        route = f"{row['source']} -> {row['destination']}" if row["source"] else row["destination"]
        section.rows.append(
            (
                row["entry"],
                row["system"],
                row["resources"],
                row["data_categories"] or "not classified",
                route,
                row["first_seen"] or "-",
                row["verdict"],
            )
        )
    volumes = _volumes(transfer.findings)
    section.facts += [Fact(text, SCAN) for text in volumes]
    if not volumes:
        section.questions.append(
            "How much data and how many data subjects does the transfer involve? The connector "
            "reports no volume for these resources."
        )
    unclassified = sorted(
        r["resources"] for r in transfer.rows if "unclassified" in r["data_categories"]
    )
    if unclassified:
        section.questions.append(
            f"Which personal data do {'; '.join(unclassified)} hold? They carry no data "
            "classification; the scan treats them as holding personal data."
        )


def _volumes(findings: Iterable[dict[str, Any]]) -> list[str]:
    fields = guide()["volume_fields"]
    return [
        f"{f['resource_name']}: {name.replace('_', ' ')} {f['evidence'][name]}"
        for f in findings
        for name in fields
        if f["evidence"].get(name) is not None
    ]


def _step2(transfer: _Transfer, section: Section) -> None:
    kb = default_kb()
    tools = sorted({r["transfer_tool"] for r in transfer.rows})
    for row_tool in tools:
        section.facts.append(Fact(f"Transfer tool on record: {row_tool}", "transfer register"))
    bases: dict[tuple[str, str, str], set[str]] = {}
    for finding in transfer.findings + transfer.related:
        evidence = finding["evidence"]
        if evidence.get("basis_reason") and finding["jurisdiction"] == "third_country":
            articles = ", ".join(f"Art. {a}" for a in evidence.get("basis_articles", []))
            key = (evidence["basis_reason"], evidence["basis_status"], articles)
            bases.setdefault(key, set()).add(finding["check_id"])
    for (reason, status, articles), checks in sorted(bases.items()):
        source = f"{SCAN}, checks {', '.join(sorted(checks))}"
        section.facts.append(Fact(f"{reason} ({status}; {articles})", source))
    vendor = transfer.vendor()
    if vendor:
        recorded = {
            "DPA signed": vendor.get("dpa_signed"),
            "transfer tool": vendor.get("transfer_tool"),
            "SCC module": vendor.get("scc_module"),
            "relies on the DPF": vendor.get("relies_on_dpf"),
            "TIA date": vendor.get("tia_date"),
            "review date": vendor.get("review_date"),
        }
        shown = "; ".join(f"{k}: {_value(v)}" for k, v in recorded.items() if v not in (None, ""))
        section.facts.append(Fact(f"{vendor.get('name', vendor['id'])}: {shown}", REGISTER))
    else:
        section.questions.append(
            f"{transfer.recipient} is not in the vendor register: which signed DPA and transfer "
            "tool cover the transfer?"
        )
    for processor in _processors(transfer):
        section.facts += _provider_facts(processor)
    for iso2 in transfer.countries:
        decision = kb.adequacy(iso2)
        if decision:
            section.facts += _decision_facts(decision)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _processors(transfer: _Transfer) -> list[dict[str, Any]]:
    """Knowledge-base facts of the providers whose own places the rows are (not apps, guests)."""
    ids = {
        t["identity"].get("processor")
        for t in transfer.document["targets"]
        if t["name"] in transfer.targets
    }
    if not any(r["recipient_role"] == "processor" for r in transfer.rows):
        return []
    kb = default_kb()
    return [facts for facts in (kb.processor(i) for i in sorted(ids) if i) if facts]


def _provider_facts(processor: dict[str, Any]) -> list[Fact]:
    name = processor.get("name", "the provider")
    facts = []
    labels = {"dpa": "DPA", "scc": "SCCs", "bcr": "BCRs", "dpf": "DPF"}
    for key, label in labels.items():
        fact = processor.get(key)
        if not isinstance(fact, dict):
            continue
        parts = [
            str(fact[k])
            for k in ("name", "instrument", "entity", "url", "note")
            if fact.get(k) not in (None, "")
        ]
        if key == "scc" and fact.get("modules"):
            parts.insert(1, "modules " + ", ".join(str(m) for m in fact["modules"]))
        facts.append(
            Fact(
                f"{name} {label}: {'; '.join(parts)}",
                str(fact.get("source", "knowledge base")),
                str(fact.get("as_of", "")),
                f"status {fact['status']}" if fact.get("status") else "",
            )
        )
    return facts


def _decision_facts(decision: dict[str, Any]) -> list[Fact]:
    scope = "partial" if decision.get("partial") else "whole country"
    listed = decision.get("recipient_list") or {}
    text = f"Adequacy decision {decision['instrument']} ({scope}): {decision.get('scope', '')}"
    if listed:
        text += f" Recipients must be on the {listed['name']} ({listed['url']})."
    expiry = decision.get("expiry")
    text += f" Expiry: {expiry}." if expiry else " No expiry."
    review = decision.get("review") or {}
    if review.get("next"):
        text += f" Next review: {review['next']}."
    facts = [Fact(text, decision["source"], decision["as_of"], f"status {decision['status']}")]
    for case in decision.get("litigation", []):
        if case.get("pending"):
            facts.append(
                Fact(
                    f"Pending: {case['case']} ({case['court']}): {case['outcome']}",
                    case.get("source", decision["source"]),
                    decision["as_of"],
                    f"status {case['status']}",
                )
            )
    return facts


def _step3(transfer: _Transfer, section: Section) -> None:
    kb = default_kb()
    unknown = []
    for iso2 in transfer.countries:
        law = kb.destination_law(iso2)
        if law is None:
            unknown.append(iso2)
            continue
        for fact in law["facts"]:
            section.facts.append(
                Fact(
                    f"{fact['title']}: {fact['text']} Relevant to: {fact['relevant_to']}.",
                    fact["source"],
                    fact["as_of"],
                    f"status {fact['status']}; legal review {fact['legal_review']}",
                )
            )
    for iso2 in unknown or ([] if transfer.countries else [""]):
        where = f"{country_name(iso2)} ({iso2})" if iso2 else "the destination"
        section.text.append(
            f"The knowledge base has no facts on the law and practice of {where}. The draft does "
            "not fill them in: answer the questions below from primary sources."
        )
        section.questions += [transfer.fill(q) for q in guide()["questions"]["step3_unknown"]]


def _step4(transfer: _Transfer, section: Section) -> None:
    measures, labels = guide()["measures"], guide()["measure_labels"]
    found = [f for f in transfer.findings + transfer.related if f["check_id"] in measures]
    section.header = ("Measure", "Resource", "Where", "Found", "Status")
    for finding in sorted(
        found, key=lambda f: (measures[f["check_id"]], f["resource_name"], f["id"])
    ):
        section.rows.append(
            (
                labels[measures[finding["check_id"]]],
                finding["resource_name"],
                finding["country"] or finding["location"] or "account-wide",
                _measure_text(finding),
                finding["status"],
            )
        )
    if not found:
        section.text.append(
            "The scan found no encryption, key custody, TLS or logging setting for these "
            "resources (the provider's API may not show them)."
        )


def _measure_text(finding: dict[str, Any]) -> str:
    evidence = finding["evidence"]
    text = finding["message"]
    holder = guide()["key_holders"].get(str(evidence.get("encryption")))
    if holder:
        text += f". Key held by: {holder}"
    if evidence.get("multi_region"):
        text += f". Key material in: {', '.join(evidence.get('key_regions', []))}"
    return text


def _step5(transfer: _Transfer, section: Section) -> None:
    section.text.append(
        "The scan cannot take procedural steps. If step 3 finds that the law or practice of the "
        "destination impinges on the transfer tool and step 4 finds no effective measure, the "
        "transfer is suspended or ended."
    )


def _step6(transfer: _Transfer, section: Section) -> None:
    vendor = transfer.vendor()
    if vendor.get("tia_date"):
        section.facts.append(Fact(f"Last TIA on record: {vendor['tia_date']}", REGISTER))
    if vendor.get("review_date"):
        section.facts.append(Fact(f"Next evaluation: {vendor['review_date']}", REGISTER))
    else:
        section.questions += [transfer.fill(q) for q in guide()["questions"]["step6_no_review"]]
    reopen = [transfer.fill(t) for t in guide()["reopen"]]
    section.text.append("Reopen this assessment on: " + "; ".join(reopen) + ".")


# ----------------------------------------------------------------------------- writing drafts


def render(document: dict[str, Any]) -> str:
    """``--format tia``: every draft in one Markdown file."""
    found = drafts(document)
    if not found:
        return "# Transfer impact assessments\n\nNo transfer to a third country in this report.\n"
    return "\n---\n\n".join(markdown(d) for d in found)


def draft_files(document: dict[str, Any], output_format: str) -> list[tuple[str, str]]:
    """``residency tia``: (file name, text) per draft; names unique and safe as paths."""
    write = markdown if output_format == "md" else html
    files: list[tuple[str, str]] = []
    used: set[str] = set()
    for draft in drafts(document):
        stem, n = f"tia-{draft.slug}", 2
        while stem in used:
            stem, n = f"tia-{draft.slug}-{n}", n + 1
        used.add(stem)
        files.append((f"{stem}.{output_format}", write(draft)))
    return files


def md_text(text: object) -> str:
    """Redacted, one line, with Markdown and HTML made inert (a cloud name stays a name): no
    tag can open without ``<``, no entity without ``&``, no emphasis, link, code or table cell
    without the escaped characters."""
    flat = " ".join(inert(redact(str(text))).split())  # no ESC or BEL for a terminal
    flat = flat.replace("&", "&amp;").replace("<", "&lt;")
    return MD_SPECIAL.sub(r"\\\1", flat)


def markdown(draft: Draft) -> str:
    lines = [f"# {md_text(draft.title)}", ""]
    lines += [f"> {md_text(m)}" for m in draft.meta]
    lines += [">" + _md_fact(draft.method)[1:], ""]
    for section in draft.sections:
        lines += [f"## {md_text(section.title)}", ""]
        lines += [md_text(t) + "\n" for t in section.text]
        if section.rows:
            lines.append("| " + " | ".join(md_text(h) for h in section.header) + " |")
            lines.append("|" + "---|" * len(section.header))
            lines += ["| " + " | ".join(md_text(c) for c in row) + " |" for row in section.rows]
            lines.append("")
        lines += [_md_fact(f) for f in section.facts]
        if section.facts:
            lines.append("")
        lines += [f"- [ ] **QUESTION:** {md_text(q)}" for q in section.questions]
        if section.questions:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _md_fact(fact: Fact) -> str:
    """A fact and its source; a source that is one URL becomes a link (escaping would break
    it; the knowledge-base schemas keep such sources to plain https URLs)."""
    source = redact(fact.source)
    where = f"<{source}>" if LINK.fullmatch(source) else md_text(source)
    as_of = f", as of {md_text(fact.as_of)}" if fact.as_of else ""
    note = f"; {md_text(fact.note)}" if fact.note else ""
    return f"- {md_text(fact.text)} (source: {where}{as_of}{note})"


def html(draft: Draft) -> str:
    """A self-contained page (inline style, strict CSP); Jinja2 autoescapes every value."""
    return page("tia.html.j2", title=redact(draft.title), draft=_redacted(draft))


def _redacted(draft: Draft) -> Draft:
    sections = [
        Section(
            redact(s.title),
            [redact(t) for t in s.text],
            s.header,
            [tuple(redact(c) for c in row) for row in s.rows],
            [Fact(redact(f.text), redact(f.source), f.as_of, redact(f.note)) for f in s.facts],
            [redact(q) for q in s.questions],
        )
        for s in draft.sections
    ]
    meta = [redact(m) for m in draft.meta]
    return Draft(redact(draft.recipient), draft.countries, sections, meta, draft.method)
