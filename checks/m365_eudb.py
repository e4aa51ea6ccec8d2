"""EU Data Boundary membership, stated with the strength of the evidence, never as a pass.

No API says "this tenant is in the EUDB". The evidence is stacked (field guide 3.2): the token's
``xms_tdbr`` claim, discovery's ``tenant_region_scope`` EU without a sub-scope, an EU/EFTA
organisation country, and every Multi-Geo location inside the EU/EFTA. Even all four is only
strong evidence: the admin center's data-location card and the Product Terms decide.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from checks.base import CheckContext, Verdict

GEO_KINDS = ("user_data", "group_data", "site_data")


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    tenant = next((a for a in ctx.collection.assets if a.kind == "tenant"), None)
    if tenant is None:
        return
    facts = (ctx.kb.processor("microsoft") or {}).get("eu_data_boundary", {})
    inside = EudbCountries(ctx, facts)
    evidence = tenant.attributes.get("evidence", {})
    discovery = evidence.get("discovery", {})
    country = tenant.attributes.get("country")
    geos = sorted(
        {a.location for a in ctx.collection.assets if a.kind in GEO_KINDS and a.location}
        | ({tenant.location} if tenant.location else set())
    )
    outside_geos = [g for g in geos if not inside.holds(g)]
    signals: dict[str, Any] = {
        "token_xms_tdbr_EU": _signal(evidence.get("token", {}).get("xms_tdbr"), "EU"),
        "discovery_scope_EU_without_sub_scope": discovery.get("tenant_region_scope") == "EU"
        and not discovery.get("tenant_region_sub_scope"),
        "country_in_EU_or_EFTA": None if not country else country.upper() in inside,
        "all_geos_in_EU_or_EFTA": not outside_geos,
    }
    failed = [name for name, value in signals.items() if value is False]
    unknown = [name for name, value in signals.items() if value is None]
    details = {
        "signals": signals,
        "outside_geos": outside_geos,
        "country": country,
        "eudb_geography": facts.get("geography"),
        "source": facts.get("source"),
        "as_of": facts.get("as_of"),
    }
    if failed:
        strength, status = "negative", "warn"
        message = f"evidence against EU Data Boundary membership: {', '.join(failed)}"
    elif unknown:
        strength, status = "moderate", "manual"
        message = (
            "consistent with EU Data Boundary membership, but not every signal could be read "
            f"({', '.join(unknown)})"
        )
    else:
        strength, status = "strong", "manual"
        message = "all four signals point to EU Data Boundary membership"
    details["strength"] = strength
    message += (
        f" (evidence strength: {strength}); confirm in the Microsoft 365 admin center "
        "(Settings > Org settings > Organization profile > Data location): the Product Terms "
        "are the definitive source"
    )
    yield Verdict(
        tenant.id, tenant.name, status, message, location=tenant.location, evidence=details
    )


def _signal(value: Any, expected: str) -> bool | None:
    return None if value is None else str(value).upper() == expected


class EudbCountries:
    """EU/EEA countries per the knowledge base, plus the EFTA states its EUDB geography names
    ("EU member states + EFTA (IS, LI, NO, CH)"): Switzerland is EUDB but not EEA."""

    def __init__(self, ctx: CheckContext, facts: dict[str, Any]) -> None:
        self.kb = ctx.kb
        self.efta = set(re.findall(r"\b[A-Z]{2}\b", str(facts.get("geography", "")))) - {"EU"}
        self.geos = {f"m365:{code}" for code in facts.get("geos", ())}

    def __contains__(self, iso2: object) -> bool:
        code = str(iso2).upper()
        return code in self.efta or self.kb.country(code).jurisdiction in ("eu", "eea")

    def holds(self, location: str) -> bool:
        if location in self.geos:  # the EUDB's own geos, whatever their macro-region list says
            return True
        place = self.kb.resolve(location)
        return place.known and bool(place.countries) and all(c in self for c in place.countries)
