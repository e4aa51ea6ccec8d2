"""The knowledge base: provider location codes -> :class:`Place` (country + jurisdiction).

Facts live in ``data/*.yaml``; this module only indexes them and applies the Chapter V order:
EU -> EEA -> adequacy decision in force -> third country, with ``unknown`` for anything it cannot
place. Lookups never raise for unknown codes, because connectors pass whatever the provider says.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from core.knowledge.loader import DATA_DIR, load_all, standard_key
from core.knowledge.names import country_name, is_iso_country
from core.knowledge.place import JURISDICTION_ORDER, Jurisdiction, Place, SourceRef

NAMESPACES = ("aws", "m365", "entra", "slack", "country")
T = TypeVar("T")
_ARTICLE_RE = re.compile(r"^\s*(?:art(?:icle)?\.?\s*)?([0-9]{1,3})((?:\s*\([0-9a-z]+\))*)", re.I)


@dataclass(frozen=True)
class _Verdict:
    """How one country is classed on one date, with why and where from."""

    jurisdiction: Jurisdiction
    sources: tuple[SourceRef, ...]
    decision: dict[str, Any] | None = None
    notes: tuple[str, ...] = ()


def _ref(fact: dict[str, Any]) -> SourceRef:
    return SourceRef(source=fact["source"], as_of=fact["as_of"])


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _least_protected(values: list[Jurisdiction]) -> Jurisdiction:
    return max(values, key=JURISDICTION_ORDER.index)


def _dedupe(items: list[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))


def _inherit(section: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """An entry with its section's source/as_of/status unless it states its own."""
    out = copy.deepcopy(entry)
    for key in ("source", "as_of", "status"):
        if key in section:
            out.setdefault(key, section[key])
    return out


class KnowledgeBase:
    """Validated knowledge-base data plus the lookups checks and reports need."""

    def __init__(self, data: dict[str, Any], data_dir: Path) -> None:
        self.data_dir = data_dir
        self.evaluation_date: dt.date | None = None
        self.version: str = data["kb"]["version"]
        self._data = data
        countries = data["countries"]
        self._eu = {m["iso2"]: m for m in countries["eu_member_states"]["members"]}
        self._eea = {m["iso2"]: m for m in countries["eea_non_eu_states"]["members"]}
        self._territories = {m["iso2"]: m for m in countries["eu_territories"]["members"]}
        self._aliases: dict[str, str] = countries["code_aliases"]["aliases"]
        self._decisions: dict[str, list[dict[str, Any]]] = {}
        for decision in data["adequacy"]["decisions"]:
            if decision["kind"] == "gdpr":
                self._decisions.setdefault(decision["iso2"], []).append(decision)
        self._aws = {r["region"]: r for r in data["aws_regions"]["regions"]}
        self._m365 = {g["code"]: g for g in data["m365_geos"]["geos"]}
        self._standards = {
            standard_key(name): standard
            for standard in data["certifications"]["standards"]
            for name in (standard["name"], *standard.get("aliases", ()))
        }
        self._entra = {s["scope"]: s for s in data["m365_geos"]["entra_region_scopes"]["scopes"]}
        self._slack: dict[str, dict[str, Any]] = {}
        for region in data["slack_regions"]["regions"]:
            for key in (region["id"], region["label"].lower(), region["label"].split(",")[0]):
                self._slack.setdefault(key.strip().lower(), region)

    @classmethod
    def load(cls, data_dir: Path | None = None) -> KnowledgeBase:
        """Load and validate every data file (default: the files shipped with the package)."""
        directory = Path(data_dir) if data_dir is not None else DATA_DIR
        return cls(load_all(directory), directory)

    def on(self, day: dt.date) -> KnowledgeBase:
        """A view that judges on ``day`` by default (the evaluation date of a scan or of
        re-evaluated old evidence), so that expiries and entries into force follow it."""
        view = copy.copy(self)
        view.evaluation_date = _day(day)
        return view

    # ----------------------------------------------------------------- resolving codes

    def resolve(self, code: str | None, on: dt.date | None = None) -> Place:
        """Where a namespaced location code is, legally, on date ``on`` (default: the
        evaluation date of this view, else today)."""
        day = _day(on or self.evaluation_date)
        if not isinstance(code, str) or not code.strip():
            return _unknown(str(code or ""), "", "", "empty location code")
        raw = code.strip()
        namespace, sep, value = raw.partition(":")
        namespace, value = namespace.strip().lower(), value.strip()
        if not sep:
            return _unknown(
                raw,
                "",
                raw,
                f"location code {raw!r} has no namespace "
                f"(expected one of {', '.join(n + ':' for n in NAMESPACES)})",
            )
        if namespace not in NAMESPACES:
            return _unknown(raw, namespace, value, f"unknown location namespace {namespace!r}")
        if not value:
            return _unknown(raw, namespace, "", f"location code {raw!r} has no value")
        return getattr(self, f"_resolve_{namespace}")(value, day)

    def country(self, iso2: str, on: dt.date | None = None) -> Place:
        """Same as ``resolve("country:" + iso2)``."""
        return self.resolve(f"country:{iso2}", on)

    def _resolve_aws(self, value: str, day: dt.date) -> Place:
        region = value.lower()
        entry = self._aws.get(region)
        if entry is None:
            return _unknown(
                f"aws:{region}",
                "aws",
                region,
                f"AWS region {region!r} is not in the knowledge base",
                sources=(_ref(self._data["aws_regions"]),),
            )
        mapped = _ref(_inherit(self._data["aws_regions"], entry))
        if entry["country"] is None:
            return _unknown(
                f"aws:{region}",
                "aws",
                entry["description"],
                f"country of AWS region {region!r} is not known: {entry['note']}",
                sources=(mapped,),
            )
        notes = (entry["note"],) if entry.get("note") else ()
        return self._place(
            f"aws:{region}", "aws", entry["description"], [entry["country"]], day, mapped, notes
        )

    def _resolve_m365(self, value: str, day: dt.date) -> Place:
        code = value.upper()
        geo = self._m365.get(code)
        if geo is None:
            return _unknown(
                f"m365:{code}",
                "m365",
                code,
                f"Microsoft 365 geo code {code!r} is not in the knowledge base",
                sources=(_ref(self._data["m365_geos"]),),
            )
        countries = list(_dedupe(geo["countries"] + geo.get("countries_alt_source", [])))
        notes = [geo["note"]] if geo.get("note") else []
        if len(countries) > 1:
            notes.append(
                f"{code} is a multi-country geo: data may be in any of "
                f"{', '.join(countries)}; the least protected one decides"
            )
        mapped = _ref(_inherit(self._data["m365_geos"], geo))
        return self._place(
            f"m365:{code}", "m365", geo["label"], countries, day, mapped, tuple(notes)
        )

    def _resolve_entra(self, value: str, day: dt.date) -> Place:
        code = value.upper()
        section = self._data["m365_geos"]["entra_region_scopes"]
        scope = self._entra.get(code)
        if scope is None:
            return _unknown(
                f"entra:{code}",
                "entra",
                code,
                f"Entra tenant_region_scope {code!r} is not in the knowledge base",
                sources=(_ref(section),),
            )
        return Place(
            code=f"entra:{code}",
            namespace="entra",
            label=scope["label"],
            countries=(),
            jurisdiction="unknown",
            sources=(_ref(_inherit(section, scope)),),
            notes=(scope["note"],),
            region=scope["region"],
        )

    def _resolve_slack(self, value: str, day: dt.date) -> Place:
        key = " ".join(value.lower().split())
        region = self._slack.get(key) or self._slack.get(key.split(",")[0].strip())
        if region is None:
            return _unknown(
                f"slack:{key}",
                "slack",
                value,
                f"Slack data residency region {value!r} is not in the knowledge base",
                sources=(_ref(self._data["slack_regions"]),),
            )
        countries = list(_dedupe([region["country"], region["backup_country"]]))
        notes = (f"backup copy: {region['backup']} ({region['backup_country']})",)
        mapped = _ref(_inherit(self._data["slack_regions"], region))
        return self._place(
            f"slack:{region['id']}", "slack", region["label"], countries, day, mapped, notes
        )

    def _resolve_country(self, value: str, day: dt.date) -> Place:
        given = value.upper()
        iso2 = self._aliases.get(given, given)
        notes: tuple[str, ...] = ()
        if iso2 != given:
            notes = (f"{given} is an alias of ISO code {iso2}",)
        if not is_iso_country(iso2):
            return _unknown(
                f"country:{given}",
                "country",
                value,
                f"{value!r} is not an ISO 3166-1 alpha-2 country code",
            )
        aliases = self._data["countries"]["code_aliases"]
        mapped = _ref(aliases) if notes else None
        return self._place(
            f"country:{iso2}", "country", country_name(iso2), [iso2], day, mapped, notes
        )

    def _place(
        self,
        code: str,
        namespace: str,
        label: str,
        countries: list[str],
        day: dt.date,
        mapped: SourceRef | None,
        notes: tuple[str, ...],
    ) -> Place:
        verdicts = [self._classify(iso2, day) for iso2 in countries]
        jurisdiction = _least_protected([v.jurisdiction for v in verdicts])
        sources = ([mapped] if mapped else []) + [s for v in verdicts for s in v.sources]
        decisions = {v.decision["id"]: v.decision for v in verdicts if v.decision is not None}
        return Place(
            code=code,
            namespace=namespace,
            label=label,
            countries=tuple(countries),
            jurisdiction=jurisdiction,
            sources=_dedupe(sources),
            adequacy=tuple(copy.deepcopy(d) for d in decisions.values()),
            notes=_dedupe([*notes, *(n for v in verdicts for n in v.notes)]),
        )

    def _classify(self, iso2: str, day: dt.date) -> _Verdict:
        """EU, EEA, adequacy in force on ``day``, else third country."""
        countries = self._data["countries"]
        if iso2 in self._eu:
            return _Verdict("eu", (_ref(countries["eu_member_states"]),))
        if iso2 in self._territories:
            part = self._territories[iso2]
            return _Verdict(
                "eu",
                (_ref(countries["eu_territories"]),),
                notes=(
                    f"{iso2} ({part['name']}) is part of {part['part_of']} and of "
                    f"the EU ({part.get('kind', 'territory')}; status "
                    f"{countries['eu_territories']['status']})",
                ),
            )
        if iso2 in self._eea:
            return _Verdict("eea", (_ref(countries["eea_non_eu_states"]),))
        adequacy = self._data["adequacy"]
        notes: list[str] = []
        for decision in self._decisions.get(iso2, []):
            start = decision.get("in_force") or decision["adopted"]
            if _date(start) > day:
                notes.append(
                    f"{iso2}: {decision['instrument']} entered into force only on "
                    f"{start}, after {day.isoformat()}"
                )
                continue
            if decision["expiry"] and _date(decision["expiry"]) <= day:
                notes.append(
                    f"{iso2}: {decision['instrument']} expired on "
                    f"{decision['expiry']}; no adequacy on {day.isoformat()}"
                )
                continue
            sources = (_ref(decision),)
            if decision.get("recipient_list"):
                listed = decision["recipient_list"]["name"]
                notes.append(
                    f"{iso2}: {decision['instrument']} covers only recipients on the "
                    f"{listed}; the country alone is a third country - check the "
                    "recipient's certification or an Art. 46 tool"
                )
                return _Verdict("third_country", sources, decision, tuple(notes))
            if decision["partial"]:
                notes.append(f"{iso2}: partial adequacy - {decision['scope']}")
            return _Verdict("adequate", sources, decision, tuple(notes))
        return _Verdict("third_country", (_ref(adequacy),), notes=tuple(notes))

    # ----------------------------------------------------------------- plain lookups

    def adequacy(self, iso2: str) -> dict[str, Any] | None:
        """The Art. 45 GDPR decision for a country (aliases accepted), in force or not."""
        code = str(iso2).strip().upper()
        decisions = self._decisions.get(self._aliases.get(code, code))
        return copy.deepcopy(decisions[0]) if decisions else None

    def adequacy_decisions(self) -> list[dict[str, Any]]:
        """Every adequacy decision, including LED and international-organisation ones."""
        return copy.deepcopy(self._data["adequacy"]["decisions"])

    def processor(self, vendor_id: str) -> dict[str, Any] | None:
        """Vendor facts (entity, DPA, SCC, DPF, BCR) for ``aws``, ``microsoft``, ``slack``."""
        vendor = self._data["processors"]["vendors"].get(str(vendor_id).strip().lower())
        return copy.deepcopy(vendor) if vendor is not None else None

    def destination_law(self, iso2: str) -> dict[str, Any] | None:
        """The law and practice of a destination country for a transfer impact assessment:
        ``{"name", "facts": [...]}``, each fact with source, as_of and legal_review; ``None``
        for a country the knowledge base has no facts on (aliases accepted)."""
        code = str(iso2).strip().upper()
        country = self._data["destination_law"]["countries"].get(self._aliases.get(code, code))
        return copy.deepcopy(country) if country is not None else None

    def standard(self, name: str) -> dict[str, Any] | None:
        """The catalogue entry (id, name, kind, note, source) for a standard's name or alias."""
        standard = self._standards.get(standard_key(str(name)))
        return copy.deepcopy(standard) if standard is not None else None

    def published_certifications(self, provider_id: str) -> dict[str, Any] | None:
        """What ``aws``, ``microsoft`` or ``slack`` publish: the names their service goes by, where
        the certificates are, and each certification with its scope, source and as_of."""
        provider = self._data["certifications"]["providers"].get(str(provider_id).strip().lower())
        return copy.deepcopy(provider) if provider is not None else None

    def aws_regions(self) -> list[dict[str, Any]]:
        """Every AWS region, each with partition, description, country, source and as_of."""
        section = self._data["aws_regions"]
        return [_inherit(section, r) for r in section["regions"]]

    def m365_geos(self) -> list[dict[str, Any]]:
        """Every Microsoft 365 geo code with its countries, source and as_of."""
        section = self._data["m365_geos"]
        return [_inherit(section, g) for g in section["geos"]]

    def slack_residency_scope(self) -> dict[str, Any]:
        """What Slack's data residency keeps in the region and what may stay outside it."""
        section = self._data["slack_regions"]
        return {
            "data_in_region": list(section["data_in_region"]),
            "data_possibly_outside_region": list(section["data_possibly_outside_region"]),
            "source": section["source"],
            "as_of": section["as_of"],
        }

    def slack_regions(self) -> list[dict[str, Any]]:
        """Every Slack residency region with country, backup country, source and as_of."""
        section = self._data["slack_regions"]
        return [_inherit(section, r) for r in section["regions"]]

    def fine_tiers(self) -> list[dict[str, Any]]:
        """Art. 83 fine tiers, each with source and as_of."""
        section = self._data["gdpr"]["fine_tiers"]
        return [_inherit(section, t) for t in section["tiers"]]

    def processor_contract_terms(self) -> list[dict[str, Any]]:
        """What Art. 28(3) requires in a processor contract: key, article and label per term."""
        return copy.deepcopy(self._data["gdpr"]["processor_contract_terms"]["terms"])

    def transfer_mechanisms(self) -> list[dict[str, Any]]:
        """Chapter V transfer tools (adequacy, DPF, SCC 2021, BCR, ...), with source and as_of."""
        section = self._data["gdpr"]["transfer_mechanisms"]
        return [_inherit(section, m) for m in section["items"]]

    def article(self, ref: str) -> dict[str, Any]:
        """Title and link for a GDPR reference such as "44" or "Art. 28(3)".

        The URL is the base article's; a title missing from gdpr.yaml is ``None``. Raises
        ``KeyError`` for text that is not an article of the Regulation.
        """
        articles = self._data["gdpr"]["articles"]
        match = _ARTICLE_RE.match(str(ref))
        if not match or not 1 <= int(match.group(1)) <= articles["count"]:
            raise KeyError(f"not a GDPR article reference: {ref!r}")
        number = str(int(match.group(1)))
        return {
            "article": number + re.sub(r"\s+", "", match.group(2)).lower(),
            "number": number,
            "title": articles["titles"].get(number),
            "url": articles["url_template"].format(number=number),
            "regulation_url": self._data["gdpr"]["regulation"]["url"],
            "source": articles["source"],
            "as_of": articles["as_of"],
            "status": articles["status"],
        }


def _day(on: dt.date | None) -> dt.date:
    if on is None:
        return dt.date.today()
    return on.date() if isinstance(on, dt.datetime) else on


def _unknown(
    code: str, namespace: str, label: str, why: str, sources: tuple[SourceRef, ...] = ()
) -> Place:
    return Place(
        code=code,
        namespace=namespace,
        label=label,
        countries=(),
        jurisdiction="unknown",
        sources=sources,
        notes=(why,),
    )
