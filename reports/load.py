"""Read a saved findings report (report.json) with one-line errors for every way it can be bad."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jsonschema import ValidationError

from reports.json_format import validate
from scanner.errors import ConfigError


def load_report(path: Path) -> dict[str, Any]:
    """The validated document; ConfigError (exit 2) naming the file otherwise."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a findings report: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    try:
        validate(document)
    except ValidationError as exc:
        raise ConfigError(f"{path}: not a findings report: {exc.message}") from None
    return document
