"""The floors stay as built: imports point down only, and the sandbox stands beside the product.

Walks every module's imports with ``ast`` (including imports inside functions), so a wrong-way
import anywhere fails here, not in a reviewer's head.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("core", "connectors", "checks", "reports", "scanner")
# What each package may import of the project (itself always allowed).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "connectors": {"core"},
    "checks": {"core"},
    "reports": {"core"},
    "scanner": {"core", "connectors", "checks", "reports", "sandbox"},
    "sandbox": set(),
}
PROJECT = set(ALLOWED)


def project_imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) for every import of a project package in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, n.split(".")[0]) for n in names if n.split(".")[0] in PROJECT]
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_down_only(package: str) -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {top}"
        for path in modules(package)
        for line, top in project_imports(path)
        if top != package and top not in ALLOWED[package]
    ]
    assert modules(package), f"no modules found in {package}/"
    assert wrong == []


def test_the_walker_sees_a_wrong_way_import(tmp_path: Path) -> None:
    """The test above can fail: an import nested in a function is found."""
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from scanner.cli import main\n    import sandbox.aws\n")
    assert project_imports(module) == [(2, "scanner"), (3, "sandbox")]


def test_only_the_demo_command_reaches_the_sandbox() -> None:
    """The application uses the simulated clouds for ``residency demo`` and nothing else."""
    users = {
        str(path.relative_to(ROOT))
        for path in modules("scanner")
        if any(top == "sandbox" for _, top in project_imports(path))
    }
    assert users == {"scanner/demo.py"}
