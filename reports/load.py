"""Read a saved findings report (report.json) with one-line errors for every way it can be bad."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import ConfigError
from core.yamlfile import load_json, validate
from reports.json_format import schema


def load_report(path: Path) -> dict[str, Any]:
    """The validated document; ConfigError (exit 2) naming the file otherwise."""
    document = load_json(path, "findings report")
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: not a findings report")
    validate(document, schema(), f"{path}: not a findings report")
    return document
