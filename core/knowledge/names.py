"""Country names and ISO 3166-1 validation, from pycountry (Debian iso-codes) not our own list."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def is_iso_country(iso2: object) -> bool:
    """True when ``iso2`` is an assigned ISO 3166-1 alpha-2 code (upper case)."""
    if not isinstance(iso2, str) or len(iso2) != 2 or not iso2.isupper():
        return False
    return pycountry.countries.get(alpha_2=iso2) is not None


@cache
def country_name(iso2: str) -> str:
    """Short English name ("South Korea", not "Korea, Republic of"); the code if unknown."""
    country = pycountry.countries.get(alpha_2=iso2) if is_iso_country(iso2) else None
    if country is None:
        return iso2
    return getattr(country, "common_name", None) or country.name
