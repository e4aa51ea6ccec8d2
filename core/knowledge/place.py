"""A resolved location: what the knowledge base says about a provider's location code."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Jurisdiction = Literal["eu", "eea", "adequate", "third_country", "unknown"]

# Ordered from most to least protected; a multi-country place takes its least protected member.
JURISDICTION_ORDER: tuple[Jurisdiction, ...] = ("eu", "eea", "adequate", "third_country", "unknown")


@dataclass(frozen=True)
class SourceRef:
    source: str
    as_of: str


@dataclass(frozen=True)
class Place:
    """Where a location code is, legally.

    ``countries`` lists every ISO 3166-1 alpha-2 country the code may put data in (one for an AWS
    region, several for a Microsoft macro geo such as ``EUR``); ``country`` is set only when there
    is exactly one. ``jurisdiction`` is the least protected class among ``countries`` and
    ``unknown`` when the code or its country is not known: no check may treat ``unknown`` as
    allowed. ``adequacy`` carries the Art. 45 decision facts (instrument, adopted, partial, scope,
    expiry, review, litigation) when a country in the place has one. ``region`` names a wider
    geography (e.g. Entra's ``EMEA``) when only that, and not the country, is known: the place is
    then ``unknown`` and a check asks for confirmation instead of guessing.
    """

    code: str
    namespace: str
    label: str
    countries: tuple[str, ...]
    jurisdiction: Jurisdiction
    sources: tuple[SourceRef, ...] = ()
    adequacy: tuple[dict[str, Any], ...] = ()
    notes: tuple[str, ...] = field(default=())
    region: str | None = None

    @property
    def country(self) -> str | None:
        return self.countries[0] if len(self.countries) == 1 else None

    @property
    def known(self) -> bool:
        return self.jurisdiction != "unknown"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["country"] = self.country
        return data
