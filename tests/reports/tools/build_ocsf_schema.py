"""Build the vendored OCSF Compliance Finding JSON Schema from the ocsf/ocsf-schema sources.

OCSF publishes its schema as dictionary/class/object files, not as a JSON Schema; the OCSF
server derives one. This script does the same derivation for class ``compliance_finding``
(class_uid 2003) so tests can validate our output with jsonschema, offline:

    python tests/reports/tools/build_ocsf_schema.py /path/to/ocsf-schema-checkout COMMIT

Rules (those of the OCSF server's JSON Schema export): ``extends`` and ``$include`` are merged,
attributes marked ``required`` are required unless they come from a profile, ``*_id`` enums
become integer enums, ``class_uid``/``category_uid``/``type_uid`` are fixed to the class, object
``at_least_one``/``just_one`` constraints become anyOf/oneOf, and no undeclared attribute is
allowed (``unmapped`` is the place for those).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

PRIMITIVES = {
    "boolean_t": {"type": "boolean"},
    "integer_t": {"type": "integer"},
    "long_t": {"type": "integer"},
    "float_t": {"type": "number"},
    "json_t": {},
    "object": {"type": "object"},
}


class Source:
    def __init__(self, repo: Path, commit: str) -> None:
        self.repo, self.commit = repo, commit
        listing = self._git("ls-tree", "-r", "--name-only", commit).splitlines()
        self.files = [p for p in listing if p.endswith(".json") and not p.startswith("extensions")]
        self.objects = self._by_name("objects/")
        self.events = self._by_name("events/")
        dictionary = self.load("dictionary.json")
        self.attributes = dictionary["attributes"]
        self.types = dictionary["types"]["attributes"]

    def _git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(self.repo), *args], check=True, capture_output=True, text=True
        ).stdout

    def load(self, path: str) -> dict[str, Any]:
        return json.loads(self._git("show", f"{self.commit}:{path}"))

    def _by_name(self, prefix: str) -> dict[str, dict[str, Any]]:
        found = {}
        for path in self.files:
            if path.startswith(prefix):
                data = self.load(path)
                found[data["name"]] = data
        return found

    def attributes_of(self, item: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
        """Own attributes merged over the parent's, with ``$include`` files expanded."""
        parent_name = item.get("extends")
        table = self.objects if kind == "object" else self.events
        merged = self.attributes_of(table[parent_name], kind) if parent_name in table else {}
        for name, spec in self._expand(item.get("attributes", {})).items():
            merged[name] = _merge(merged.get(name, {}), spec)
        return merged

    def _expand(self, attributes: dict[str, Any]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for path in attributes.get("$include", []):
            included = self.load(path)
            profile = included.get("name") if included.get("meta") == "profile" else None
            for name, spec in self._expand(included.get("attributes", {})).items():
                out[name] = {**spec, "profile": spec.get("profile", profile)}
        for name, spec in attributes.items():
            if name != "$include":
                out[name] = _merge(out.get(name, {}), spec)
        return out


def _merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """A child's attribute spec overrides its parent's; enum values add up (0 and 99 stay)."""
    merged = {**parent, **child}
    if "enum" in parent and "enum" in child:
        merged["enum"] = {**parent["enum"], **child["enum"]}
    return merged


def type_schema(source: Source, attribute: str, spec: dict[str, Any]) -> dict[str, Any]:
    entry = {**source.attributes.get(attribute, {}), **spec}
    kind = entry.get("type", "string_t")
    if kind in PRIMITIVES:
        schema = dict(PRIMITIVES[kind])
    elif kind in source.types:
        base = source.types[kind].get("type", kind)
        schema = dict(PRIMITIVES.get(base, {"type": "string"}))
        if base == kind and kind not in PRIMITIVES:
            schema = {"type": "string"}
    else:
        schema = {"$ref": f"#/$defs/{kind}"}
    enum = entry.get("enum")
    if enum and schema.get("type") == "integer":
        schema["enum"] = sorted(int(k) for k in enum)
    if entry.get("is_array"):
        schema = {"type": "array", "items": schema}
    return schema


def object_schema(
    source: Source, attributes: dict[str, dict[str, Any]], constraints: dict[str, Any]
) -> dict[str, Any]:
    properties = {name: type_schema(source, name, spec) for name, spec in attributes.items()}
    required = sorted(
        name
        for name, spec in attributes.items()
        if spec.get("requirement") == "required" and not spec.get("profile")
    )
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
    if constraints.get("at_least_one"):
        schema["anyOf"] = [{"required": [n]} for n in constraints["at_least_one"]]
    if constraints.get("just_one"):
        schema["oneOf"] = [{"required": [n]} for n in constraints["just_one"]]
    return schema


def constraints_of(source: Source, item: dict[str, Any]) -> dict[str, Any]:
    parent = source.objects.get(item.get("extends", ""))
    inherited = constraints_of(source, parent) if parent else {}
    return item.get("constraints", inherited)


def build(source: Source, class_name: str) -> dict[str, Any]:
    event = source.events[class_name]
    category = source.load("categories.json")["attributes"][source.events["finding"]["category"]]
    class_uid = category["uid"] * 1000 + event["uid"]
    attributes = source.attributes_of(event, "event")
    root = object_schema(source, attributes, {})
    activities = sorted(int(k) for k in attributes["activity_id"]["enum"])
    root["properties"]["class_uid"] = {"const": class_uid}
    root["properties"]["category_uid"] = {"const": category["uid"]}
    root["properties"]["type_uid"] = {"enum": [class_uid * 100 + a for a in activities]}
    defs: dict[str, Any] = {}
    pending = _refs(root)
    while pending:
        name = pending.pop()
        if name in defs:
            continue
        item = source.objects[name]
        defs[name] = object_schema(
            source, source.attributes_of(item, "object"), constraints_of(source, item)
        )
        pending |= _refs(defs[name]) - defs.keys()
    version = source.load("version.json")["version"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://schema.ocsf.io/{version}/classes/{class_name}.schema.json",
        "title": f"OCSF {version} {event['caption']} (class_uid {class_uid})",
        "description": f"Derived from ocsf/ocsf-schema at {source.commit} by "
        "tests/reports/tools/build_ocsf_schema.py",
        **root,
        "$defs": dict(sorted(defs.items())),
    }


def _refs(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        found = {schema["$ref"].rsplit("/", 1)[1]} if "$ref" in schema else set()
        for value in schema.values():
            found |= _refs(value)
        return found
    if isinstance(schema, list):
        return set().union(*(_refs(v) for v in schema)) if schema else set()
    return set()


if __name__ == "__main__":
    repo, commit = Path(sys.argv[1]), sys.argv[2]
    print(json.dumps(build(Source(repo, commit), "compliance_finding"), indent=1))
