"""The demo: scan the simulated company through exactly the code path a real scan takes."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.base import CallLedger, Target
from core.errors import UsageError
from core.knowledge import default_kb
from core.policy import Policy
from scanner.scan import collect_targets, evaluate_outcome

SANDBOX_NEEDS = ("sandbox", "moto")  # the package and its extra
INSTALL_HINT = "the demo needs the simulated clouds: pip install 'eu-residency-scanner[demo]'"


def run_demo(
    policy_path: Path | None = None,
    progress: Callable[[str, str], None] | None = None,
    ledger: Callable[[str], CallLedger] | None = None,
) -> dict[str, Any]:
    """The findings document of a scan of the whole simulated company (``progress`` and
    ``ledger`` as in :func:`scanner.scan.collect_targets`)."""
    missing = [name for name in SANDBOX_NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        raise UsageError(f"{INSTALL_HINT} (missing: {', '.join(missing)})")
    from sandbox.company import COMPANY, DEMO_POLICY, environment, running_company

    policy = Policy.load(policy_path or DEMO_POLICY)
    with running_company() as services:
        targets = [
            Target(f"{COMPANY}-{s.provider}", s.provider, dict(s.settings)) for s in services
        ]
        env = {k: v for s in services for k, v in s.env.items()}
        with environment(env):
            outcome = collect_targets(targets, progress, ledger=ledger)
    document = evaluate_outcome(outcome, policy, default_kb())
    return document
