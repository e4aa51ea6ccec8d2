"""Read a saved findings report (report.json) with one-line errors for every way it can be bad."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jsonschema import ValidationError

from core.errors import ConfigError
from core.yamlfile import load_json
from reports.json_format import validate


def load_report(path: Path) -> dict[str, Any]:
    """The validated document; ConfigError (exit 2) naming the file otherwise."""
    document = load_json(path, "findings report")
    try:
        validate(document)
    except ValidationError as exc:
        raise ConfigError(f"{path}: not a findings report: {exc.message}") from None
    return document
