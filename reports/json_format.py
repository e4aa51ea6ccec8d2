"""The JSON report: the findings document itself, validated against its shipped schema."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_PATH = Path(__file__).parent / "schemas" / "report.schema.json"


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> jsonschema.Draft202012Validator:
    """Built once per process: it keeps the references it has resolved."""
    return jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())


def validate(document: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError if the document breaks the published schema."""
    _validator().validate(document)


def render(document: dict[str, Any]) -> str:
    validate(document)
    return json.dumps(document, indent=2, sort_keys=False, default=str) + "\n"
