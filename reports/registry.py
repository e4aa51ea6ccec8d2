"""Report format name -> ``render(document) -> str`` and the file extension it writes."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from core.errors import UsageError

FORMATS: dict[str, tuple[str, str]] = {
    "json": ("reports.json_format:render", "json"),
    "html": ("reports.html:render", "html"),
    "csv": ("reports.transfer_register:render", "csv"),
    "sarif": ("reports.sarif:render", "sarif"),
    "junit": ("reports.junit:render", "junit.xml"),
    "ocsf": ("reports.ocsf:render", "ocsf.json"),
    "md": ("reports.markdown:render", "md"),
    "tia": ("reports.tia:render", "tia.md"),
}


def renderer(name: str) -> tuple[Callable[[dict[str, Any]], str], str]:
    try:
        target, extension = FORMATS[name]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise UsageError(f"unknown report format {name!r} (known: {known})") from None
    module_name, _, function = target.partition(":")
    return getattr(importlib.import_module(module_name), function), extension
