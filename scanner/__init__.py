"""eu-residency-scanner, the application: CLI, scan orchestration, targets, runs, history and
notifications. The vocabulary it shares with connectors, checks and reports lives in ``core``."""

from core import __version__

__all__ = ["__version__"]
