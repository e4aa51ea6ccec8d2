"""Human text for ``residency kb lookup``: what a place is and which facts say so."""

from __future__ import annotations

from typing import Any

from core.knowledge.names import country_name
from core.knowledge.place import Place

_MEANING = {
    "eu": "EU member state - no Chapter V transfer",
    "eea": "EEA (non-EU) - GDPR applies via the EEA Agreement, no Chapter V transfer",
    "adequate": "adequacy decision in force (Art. 45 GDPR)",
    "third_country": "third country - needs an Art. 46 tool (SCC, BCR) or recipient-level adequacy",
    "unknown": "unknown - never treated as allowed",
}


def _decision_lines(decision: dict[str, Any]) -> list[str]:
    partial = "yes" if decision.get("partial") else "no"
    lines = [
        f"  {decision['instrument']} ({decision['name']}), adopted {decision['adopted']}",
        f"    scope: {decision['scope']}",
        f"    partial: {partial}; expiry: {decision.get('expiry') or 'none (periodic review)'}",
    ]
    if decision.get("recipient_list"):
        listed = decision["recipient_list"]
        lines.append(f"    applies only to recipients on: {listed['name']} ({listed['url']})")
    review = decision.get("review")
    if isinstance(review, dict):
        lines.append("    review: " + "; ".join(f"{k}: {v}" for k, v in review.items()))
    elif review:
        lines.append(f"    review: {review}")
    for case in decision.get("litigation", []):
        lines.append(f"    litigation: {case['case']} - {case['outcome']}")
    for event in decision.get("risk_events", []):
        lines.append(f"    risk ({event['date']}): {event['event']}")
    if decision.get("legal_state"):
        lines.append(f"    legal state: {decision['legal_state']}")
    return lines


def describe(place: Place) -> str:
    """Multi-line description: countries, jurisdiction, instruments, limits, sources with dates."""
    code = place.code or "(empty code)"
    lines = [f"{code}: {place.label}" if place.label else code]
    if place.countries:
        names = ", ".join(f"{country_name(c)} ({c})" for c in place.countries)
        lines.append(f"Country: {names}" if len(place.countries) == 1 else f"Countries: {names}")
    else:
        lines.append("Country: unknown")
    lines.append(f"Jurisdiction: {place.jurisdiction} ({_MEANING[place.jurisdiction]})")
    if place.adequacy:
        lines.append("Legal instrument(s):")
        for decision in place.adequacy:
            lines.extend(_decision_lines(decision))
    if place.notes:
        lines.append("Notes:")
        lines.extend(f"  - {note}" for note in place.notes)
    if place.sources:
        lines.append("Sources:")
        lines.extend(f"  - {ref.source} (as of {ref.as_of})" for ref in place.sources)
    return "\n".join(lines)
