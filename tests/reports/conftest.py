"""Shared fixtures for the report tests: the fixed findings document and golden-file checks."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def fixed_document() -> dict[str, Any]:
    return json.loads((HERE / "fixtures" / "findings.json").read_text(encoding="utf-8"))


@pytest.fixture
def document(fixed_document: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(fixed_document)


def assert_golden(name: str, text: str) -> None:
    """Compare with golden/<name>; UPDATE_GOLDEN=1 rewrites it (review the git diff after)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"no golden file {path}; run with UPDATE_GOLDEN=1 once"
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs from golden"
