"""Read the knowledge-base data files and refuse any that do not match their JSON Schema.

A wrong fact here silently turns a transfer into a pass, so loading is strict: every file is
validated (Draft 2020-12) and cross-checked (ISO codes exist, ids are unique) before use, and any
problem raises :class:`ConfigError` naming the file and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from core.errors import ConfigError
from core.knowledge.names import is_iso_country

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
SCHEMA_DIR = PACKAGE_DIR / "schemas"

# data file stem -> schema file; every stem is required.
FILES: tuple[str, ...] = (
    "kb",
    "countries",
    "adequacy",
    "aws_regions",
    "m365_geos",
    "slack_regions",
    "processors",
    "gdpr",
    "certifications",
    "destination_law",
)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys: YAML would silently keep the last one."""


def _mapping_no_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_no_duplicates
)


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMA_DIR.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def validator(stem: str) -> Draft202012Validator:
    """The validator for one data file (schemas are shipped with the package)."""
    schema = json.loads((SCHEMA_DIR / f"{stem}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=_registry())


def _where(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error becomes a ConfigError with the line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read knowledge-base file ({exc.strerror})") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: builds no objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}:{line}: invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from exc


def validate(stem: str, data: Any, path: Path) -> None:
    """Raise ConfigError for the first schema violation (deepest path first: clearest)."""
    errors = sorted(validator(stem).iter_errors(data), key=lambda e: (-len(e.path), str(e.path)))
    if errors:
        err = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"{path}: {_where(err.absolute_path)}: {err.message}{more}")


def load_all(data_dir: Path) -> dict[str, Any]:
    """Load, validate and cross-check every data file in ``data_dir``."""
    data: dict[str, Any] = {}
    for stem in FILES:
        path = data_dir / f"{stem}.yaml"
        content = read_yaml(path)
        validate(stem, content, path)
        data[stem] = content
    _cross_check(data, data_dir)
    return data


def _country_fields(data: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(file stem, field path, value) for every field that must be an ISO 3166-1 alpha-2 code."""
    countries = data["countries"]
    for group in ("eu_member_states", "eea_non_eu_states", "eu_territories"):
        for i, member in enumerate(countries[group]["members"]):
            yield "countries", f"{group}.members[{i}].iso2", member["iso2"]
    for alias, target in countries["code_aliases"]["aliases"].items():
        yield "countries", f"code_aliases.aliases.{alias}", target
    for i, dec in enumerate(data["adequacy"]["decisions"]):
        if dec["iso2"] is not None:
            yield "adequacy", f"decisions[{i}].iso2", dec["iso2"]
    for i, region in enumerate(data["aws_regions"]["regions"]):
        if region["country"] is not None:
            yield "aws_regions", f"regions[{i}].country", region["country"]
    for i, geo in enumerate(data["m365_geos"]["geos"]):
        for j, iso2 in enumerate(geo["countries"] + geo.get("countries_alt_source", [])):
            yield "m365_geos", f"geos[{i}].countries[{j}]", iso2
    for i, region in enumerate(data["slack_regions"]["regions"]):
        yield "slack_regions", f"regions[{i}].country", region["country"]
        yield "slack_regions", f"regions[{i}].backup_country", region["backup_country"]
    for vendor_id, vendor in data["processors"]["vendors"].items():
        yield "processors", f"vendors.{vendor_id}.country", vendor["country"]
    for iso2 in data["destination_law"]["countries"]:
        yield "destination_law", f"countries.{iso2}", iso2


def _unique(stem: str, field: str, values: list[str], data_dir: Path) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ConfigError(f"{data_dir / (stem + '.yaml')}: {field}: duplicate {value!r}")
        seen.add(value)


def _cross_check(data: dict[str, Any], data_dir: Path) -> None:
    """Checks a schema cannot express: real ISO codes, unique ids, known partitions."""
    for stem, field, value in _country_fields(data):
        if not is_iso_country(value):
            raise ConfigError(
                f"{data_dir / (stem + '.yaml')}: {field}: {value!r} is not an ISO 3166-1 "
                "alpha-2 country code"
            )
    aws = data["aws_regions"]
    _unique("aws_regions", "regions", [r["region"] for r in aws["regions"]], data_dir)
    partitions = {p["partition"] for p in aws["partitions"]}
    for i, region in enumerate(aws["regions"]):
        if region["partition"] not in partitions:
            raise ConfigError(
                f"{data_dir / 'aws_regions.yaml'}: regions[{i}].partition: "
                f"{region['partition']!r} is not listed under partitions"
            )
    _unique("m365_geos", "geos", [g["code"] for g in data["m365_geos"]["geos"]], data_dir)
    slack = data["slack_regions"]["regions"]
    _unique("slack_regions", "regions", [r["id"] for r in slack], data_dir)
    _unique("slack_regions", "regions", [r["label"].lower() for r in slack], data_dir)
    _unique("adequacy", "decisions", [d["id"] for d in data["adequacy"]["decisions"]], data_dir)
    _check_certifications(data["certifications"], data_dir / "certifications.yaml")
    for iso2, country in data["destination_law"]["countries"].items():
        ids = [f["id"] for f in country["facts"]]
        _unique("destination_law", f"countries.{iso2}.facts", ids, data_dir)
    eu = {m["iso2"] for m in data["countries"]["eu_member_states"]["members"]}
    eea = {m["iso2"] for m in data["countries"]["eea_non_eu_states"]["members"]}
    if eu & eea:
        raise ConfigError(
            f"{data_dir / 'countries.yaml'}: eea_non_eu_states: also EU members: {sorted(eu & eea)}"
        )


def standard_key(name: str) -> str:
    """A standard's name reduced for matching: "ISO/IEC 27001:2022" and "iso 27001" -> "27001"."""
    base = re.sub(r":\s*[0-9]{4}\s*$", "", name.strip().casefold())
    return re.sub(r"^(isoiec|iso)", "", re.sub(r"[^a-z0-9]", "", base))


def _check_certifications(data: dict[str, Any], path: Path) -> None:
    """Every name of a standard is unambiguous, and every published one is in the catalogue."""
    owner: dict[str, str] = {}
    for standard in data["standards"]:
        for name in (standard["name"], *standard.get("aliases", ())):
            key = standard_key(name)
            if owner.setdefault(key, standard["id"]) != standard["id"]:
                raise ConfigError(
                    f"{path}: standards: {name!r} of {standard['id']} also names {owner[key]}"
                )
    for provider_id, provider in data["providers"].items():
        for i, cert in enumerate(provider["certifications"]):
            if standard_key(cert["standard"]) not in owner:
                raise ConfigError(
                    f"{path}: providers.{provider_id}.certifications[{i}].standard: "
                    f"{cert['standard']!r} is not listed under standards"
                )
