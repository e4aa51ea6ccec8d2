"""The organisation's own rules: allowed jurisdictions and places, the vendor register, waivers.

The policy decides; the knowledge base only states facts. ``judge`` never allows a place whose
jurisdiction is unknown, and adequacy countries are allowed only when the policy names them.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from core.errors import ConfigError
from core.knowledge import default_kb
from core.knowledge.place import Place
from core.yamlfile import line_of, load_schema, load_yaml, plain, validate

if TYPE_CHECKING:
    from core.knowledge import KnowledgeBase

POLICY_SCHEMA = Path(__file__).parent / "schemas" / "policy.schema.json"
DEFAULT_JURISDICTIONS = ("eu", "eea")
# What a processor of personal data (a provider or an app) must be certified for by default.
DEFAULT_REQUIRED_CERTIFICATIONS = ("ISO/IEC 27001",)


@dataclass(frozen=True)
class Judgement:
    allowed: bool
    basis: str
    reason: str
    refused: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vendor:
    id: str
    name: str
    kind: Literal["processor", "app"]
    aliases: tuple[str, ...] = ()
    dpa_signed: date | None = None
    scc_module: int | None = None
    tia_date: date | None = None
    relies_on_dpf: bool = False
    owner: str | None = None
    review_date: date | None = None
    extends: str | None = None
    legal_entity: str | None = None
    country: str | None = None
    dpa_version: str | None = None
    dpa_reference: str | None = None
    dpa_terms: dict[str, Any] = field(default_factory=dict)
    transfer_tool: str | None = None
    certifications: tuple[dict[str, Any], ...] = ()
    incident_contact: dict[str, Any] | None = None
    required_certifications: tuple[str, ...] | None = None
    services: tuple[str, ...] = ()
    app_ids: tuple[str, ...] = ()
    publisher_tenant_ids: tuple[str, ...] = ()
    verified_publisher_ids: tuple[str, ...] = ()
    aws_accounts: tuple[str, ...] = ()

    def keys(self) -> set[str]:
        return {k.casefold() for k in (self.id, self.name, *self.aliases, *self.aws_accounts)}

    def ids_for(self, key: AppKey) -> set[str]:
        """The register's values for one stable key; aliases and the id count too, since older
        registers list app ids there, and an id cannot be chosen by whoever names an app."""
        own = {
            "app_id": self.app_ids,
            "publisher_tenant_id": self.publisher_tenant_ids,
            "verified_publisher_id": self.verified_publisher_ids,
        }[key]
        return {k.casefold() for k in (*own, *self.aliases, self.id)}

    def to_dict(self) -> dict[str, Any]:
        return plain(self.__dict__)


AppKey = Literal["app_id", "publisher_tenant_id", "verified_publisher_id"]
STABLE_KEYS: tuple[AppKey, ...] = ("app_id", "publisher_tenant_id", "verified_publisher_id")


@dataclass(frozen=True)
class AppIdentity:
    """What a provider proves about an app. Ids are stable and cannot be picked by the app's
    author; names can, so a name counts only when ``names_trusted`` (a verified publisher)."""

    provider: str
    app_id: str | None
    names: tuple[str | None, ...] = ()
    publisher_tenant_id: str | None = None
    verified_publisher_id: str | None = None
    names_trusted: bool = False

    def value(self, key: AppKey) -> str | None:
        return getattr(self, key)


@dataclass(frozen=True)
class VendorMatch:
    """A vendor register entry and the key that found it (said in the finding)."""

    vendor: Vendor
    key: str
    value: str

    def evidence(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor.to_dict(),
            "matched_by": self.key,
            "matched_value": self.value,
        }


@dataclass(frozen=True)
class OwnApp:
    """An app the organisation declares its own: internal processing, not a third party."""

    provider: str
    owner: str
    app_id: str | None = None
    name: str | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return plain(self.__dict__)


@dataclass(frozen=True)
class Waiver:
    check: str
    resource: str
    reason: str
    owner: str
    expires: date
    target: str = "*"
    match: str = "id"

    def matches(self, check_id: str, target: str, resource: str, resource_name: str) -> bool:
        """By the resource's immutable id unless the waiver says ``match: name``: a name is
        cloud-controlled, and anyone who can name a bucket or an app could put it under a
        name-glob waiver."""
        subject = resource_name if self.match == "name" else resource
        return (
            fnmatch.fnmatchcase(check_id, self.check)
            and fnmatch.fnmatchcase(target, self.target)
            and fnmatch.fnmatchcase(subject, self.resource)
        )

    def active(self, today: date) -> bool:
        return today <= self.expires

    def to_dict(self) -> dict[str, Any]:
        return plain(self.__dict__)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


@dataclass
class Policy:
    allowed_jurisdictions: tuple[str, ...] = DEFAULT_JURISDICTIONS
    adequacy_countries: frozenset[str] = frozenset()
    allowed_locations: frozenset[str] = frozenset()
    forbidden_locations: frozenset[str] = frozenset()
    vendors: tuple[Vendor, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    certification_requirements: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: _requirements({})
    )
    own_apps: tuple[OwnApp, ...] = ()
    source: str = "built-in default (EU + EEA only)"
    country_class_of: Callable[[str], str] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, path: Path) -> Policy:
        """Read and validate a policy file; errors carry file and line (exit code 2)."""
        return cls.from_document(load_policy_document(path), str(path))

    @classmethod
    def from_document(cls, doc: dict[str, Any], source: str) -> Policy:
        """A Policy from a document already validated against policy.schema.json."""
        return cls(
            allowed_jurisdictions=tuple(doc.get("allowed_jurisdictions", DEFAULT_JURISDICTIONS)),
            adequacy_countries=frozenset(doc.get("adequacy_countries", ())),
            allowed_locations=frozenset(c.lower() for c in doc.get("allowed_locations", ())),
            forbidden_locations=frozenset(c.lower() for c in doc.get("forbidden_locations", ())),
            vendors=tuple(_vendor(v) for v in doc.get("vendors", ())),
            waivers=tuple(_waiver(w) for w in doc.get("waivers", ())),
            certification_requirements=_requirements(doc.get("certification_requirements", {})),
            own_apps=tuple(OwnApp(**o) for o in doc.get("own_apps", ())),
            source=source,
        )

    def judge(self, place: Place) -> Judgement:
        """Is storing or sending personal data to ``place`` allowed by this policy?"""
        location = place.code.lower()
        if location in self.forbidden_locations:
            return Judgement(False, "forbidden_location", f"{location} is forbidden by the policy")
        if not place.known or not place.countries:
            why = "; ".join(place.notes) or "not in the knowledge base"
            return Judgement(False, "unknown", f"location {location} is unknown ({why})")
        if location in self.allowed_locations:
            return Judgement(True, "allowed_location", f"{location} is allowed by the policy")
        refused = [c for c in place.countries if not self._country_allowed(c, place)]
        if refused:
            return Judgement(
                False,
                place.jurisdiction,
                f"{', '.join(refused)} ({place.jurisdiction.replace('_', ' ')}) is outside the "
                f"allowed jurisdictions ({self.describe_allowed()})",
                tuple(refused),
            )
        if place.jurisdiction == "adequate":
            return Judgement(
                True,
                "adequacy",
                f"{', '.join(place.countries)}: adequacy decision, accepted by the policy",
            )
        return Judgement(True, place.jurisdiction, f"{place.jurisdiction.upper()} jurisdiction")

    def country_class(self, country: str, place: Place) -> str:
        if self.country_class_of is not None:
            return self.country_class_of(country)
        return place.jurisdiction if len(place.countries) == 1 else "unknown"

    def _country_allowed(self, country: str, place: Place) -> bool:
        jurisdiction = self.country_class(country, place)
        if jurisdiction in self.allowed_jurisdictions:
            return True
        return jurisdiction == "adequate" and country in self.adequacy_countries

    def bind(self, kb: KnowledgeBase) -> Policy:
        """A copy that classifies each country of a multi-country place through ``kb``."""
        return dataclasses.replace(
            self, country_class_of=lambda iso2: kb.country(iso2).jurisdiction
        )

    def describe_allowed(self) -> str:
        parts = [j.upper() for j in self.allowed_jurisdictions]
        if self.adequacy_countries:
            parts.append("adequacy: " + ", ".join(sorted(self.adequacy_countries)))
        return " + ".join(parts) or "nothing"

    def find_vendor(self, *keys: str | None) -> Vendor | None:
        wanted = {k.casefold() for k in keys if k}
        return next((v for v in self.vendors if v.keys() & wanted), None)

    def required_certifications(
        self, vendor: Vendor | None, kind: str = "processor"
    ) -> tuple[str, ...]:
        """The standards a vendor must hold: its own list if the register gives one, else its
        kind's."""
        if vendor is not None and vendor.required_certifications is not None:
            return vendor.required_certifications
        return self.certification_requirements[vendor.kind if vendor else kind]

    def match_app_vendor(self, app: AppIdentity) -> VendorMatch | None:
        """The register entry for an app: by app id, then publisher tenant, then verified
        publisher id; by name only when the provider vouches for the names."""
        for key in STABLE_KEYS:
            value = app.value(key)
            vendor = next(
                (v for v in self.vendors if value and value.casefold() in v.ids_for(key)), None
            )
            if vendor is not None and value:
                return VendorMatch(vendor, key, value)
        if app.names_trusted:
            for name in filter(None, app.names):
                vendor = self.find_vendor(name)
                if vendor is not None:
                    return VendorMatch(vendor, "name", name)
        return None

    def name_lookalike(self, app: AppIdentity) -> Vendor | None:
        """A register entry the app's untrusted name matches (not accepted; worth saying)."""
        return None if app.names_trusted else self.find_vendor(*app.names)

    def own_app(self, app: AppIdentity, *, by_name: bool) -> tuple[OwnApp, str] | None:
        """The declaration that makes ``app`` the organisation's own, with the key that
        matched (``app_id``, or ``name`` where ``by_name`` allows names)."""
        declared = [o for o in self.own_apps if o.provider == app.provider]
        for own in declared:
            if own.app_id and app.app_id and own.app_id.casefold() == app.app_id.casefold():
                return own, "app_id"
        names = {n.casefold() for n in app.names if n} if by_name else set()
        for own in declared:
            if own.name and own.name.casefold() in names:
                return own, "name"
        return None

    def waiver_for(
        self, check_id: str, target: str, resource: str, resource_name: str
    ) -> Waiver | None:
        return next(
            (w for w in self.waivers if w.matches(check_id, target, resource, resource_name)),
            None,
        )

    def summary(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "allowed_jurisdictions": list(self.allowed_jurisdictions),
            "adequacy_countries": sorted(self.adequacy_countries),
            "allowed_locations": sorted(self.allowed_locations),
            "forbidden_locations": sorted(self.forbidden_locations),
            "vendors": len(self.vendors),
            "waivers": len(self.waivers),
            "own_apps": len(self.own_apps),
        }


def load_policy_document(path: Path) -> dict[str, Any]:
    """A policy file as plain data, after every check a policy gets (schema and register)."""
    located = load_yaml(path)
    validate_policy(located, str(path))
    return plain(located)


def validate_policy(located: Any, where: str) -> None:
    """The one validation of a policy document, whether it is a file or a block inside the
    targets file: its schema, then what the schema cannot say about the vendor register."""
    validate(located, load_schema(POLICY_SCHEMA), where)
    _check_register(plain(located).get("vendors", []), located, where)
    _check_standards(plain(located), located, where)
    _check_own_apps(plain(located).get("own_apps", []), located, where)
    _check_adequacy(plain(located).get("adequacy_countries", []), located, where)


def _check_standards(doc: dict[str, Any], located: Any, where: str) -> None:
    """Every standard the policy requires is one the knowledge base can tell apart from others."""
    lists: list[tuple[list[str | int], list[str]]] = [
        (["certification_requirements", kind], names)
        for kind, names in doc.get("certification_requirements", {}).items()
    ]
    lists += [
        (["vendors", i, "required_certifications"], vendor["required_certifications"])
        for i, vendor in enumerate(doc.get("vendors", []))
        if "required_certifications" in vendor
    ]
    kb = default_kb()
    for path, names in lists:
        for j, name in enumerate(names):
            if kb.standard(name) is None:
                line = line_of(located, [*path, j])
                dotted = ".".join(str(p) for p in [*path, j])
                raise ConfigError(
                    f"{where}:{line}: {dotted}: {name!r} is not a standard the knowledge base "
                    "knows (e.g. ISO/IEC 27001, ISO/IEC 27701, ISO 9001, ISO 26000, SOC 2 Type II)"
                )


def _check_own_apps(own_apps: list[dict[str, Any]], located: Any, path: str) -> None:
    """What the schema cannot say: one declaration per app."""
    seen: dict[tuple[str, str, str], int] = {}
    for index, own in enumerate(own_apps):
        for key in ("app_id", "name"):
            if own.get(key) is None:
                continue
            marker = (own["provider"], key, str(own[key]).casefold())
            if marker in seen:
                line = line_of(located, ["own_apps", index, key])
                raise ConfigError(
                    f"{path}:{line}: own_apps.{index}.{key}: {own[key]!r} is already declared "
                    f"in own_apps.{seen[marker]}"
                )
            seen[marker] = index


def _check_adequacy(codes: list[str], located: Any, where: str) -> None:
    """Each code an ISO country with an EU adequacy decision: ``UK`` (for GB) or ``XX`` would
    otherwise be accepted and silently allow nothing."""
    from core.knowledge.names import is_iso_country

    kb = default_kb()
    for index, code in enumerate(codes):
        if is_iso_country(code) and kb.adequacy(code):
            continue
        line = line_of(located, ["adequacy_countries", index])
        problem = (
            "not an ISO 3166-1 country code"
            if not is_iso_country(code)
            else ("no EU adequacy decision covers this country")
        )
        raise ConfigError(f"{where}:{line}: adequacy_countries.{index}: {code!r}: {problem}")


def _check_register(vendors: list[dict[str, Any]], located: Any, path: str) -> None:
    """What the schema cannot say: unique ids and names, dates in a possible order."""
    seen: dict[str, int] = {}
    for index, vendor in enumerate(vendors):

        def fail(field_name: str, problem: str, index: int = index) -> None:
            line = line_of(located, ["vendors", index, field_name])
            raise ConfigError(f"{path}:{line}: vendors.{index}.{field_name}: {problem}")

        for key in {vendor["id"].casefold(), vendor["name"].casefold()}:
            if key in seen:
                fail("id", f"duplicate vendor {vendor['id']!r} (also vendors.{seen[key]})")
            seen[key] = index
        for cert in vendor.get("certifications", []):
            valid_from = _date(cert.get("valid_from"))
            if valid_from and valid_from > date.fromisoformat(cert["expires"]):
                fail(
                    "certifications",
                    f"{cert['standard']} is valid from {valid_from}, after it expires "
                    f"({cert['expires']})",
                )
        signed = _date(vendor.get("dpa_signed"))
        if signed is None:
            continue
        review = _date(vendor.get("review_date"))
        if review and review < signed:
            fail("review_date", f"review date {review} is before the DPA signing date {signed}")
        for cert in vendor.get("certifications", []):
            if date.fromisoformat(cert["expires"]) < signed:
                fail(
                    "certifications",
                    f"{cert['standard']} expires {cert['expires']}, before the DPA signing "
                    f"date {signed}",
                )


def _requirements(doc: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    """Required standards per vendor kind: the policy's, else the built-in default."""
    kinds = ("processor", "app")
    return {kind: tuple(doc.get(kind, DEFAULT_REQUIRED_CERTIFICATIONS)) for kind in kinds}


def _vendor(doc: dict[str, Any]) -> Vendor:
    return Vendor(
        id=doc["id"],
        name=doc["name"],
        kind=doc["kind"],
        aliases=tuple(doc.get("aliases", ())),
        dpa_signed=_date(doc.get("dpa_signed")),
        scc_module=doc.get("scc_module"),
        tia_date=_date(doc.get("tia_date")),
        relies_on_dpf=bool(doc.get("relies_on_dpf", False)),
        owner=doc.get("owner"),
        review_date=_date(doc.get("review_date")),
        extends=doc.get("extends"),
        legal_entity=doc.get("legal_entity"),
        country=doc.get("country"),
        dpa_version=doc.get("dpa_version"),
        dpa_reference=doc.get("dpa_reference"),
        dpa_terms=dict(doc.get("dpa_terms", {})),
        transfer_tool=doc.get("transfer_tool"),
        certifications=tuple(doc.get("certifications", ())),
        incident_contact=doc.get("incident_contact"),
        required_certifications=(
            tuple(doc["required_certifications"]) if "required_certifications" in doc else None
        ),
        services=tuple(doc.get("services", ())),
        app_ids=tuple(doc.get("app_ids", ())),
        publisher_tenant_ids=tuple(doc.get("publisher_tenant_ids", ())),
        verified_publisher_ids=tuple(doc.get("verified_publisher_ids", ())),
        aws_accounts=tuple(doc.get("aws_accounts", ())),
    )


def _waiver(doc: dict[str, Any]) -> Waiver:
    return Waiver(
        check=doc["check"],
        resource=doc["resource"],
        reason=doc["reason"],
        owner=doc["owner"],
        expires=date.fromisoformat(doc["expires"]),
        target=doc.get("target", "*"),
        match=doc.get("match", "id"),
    )
