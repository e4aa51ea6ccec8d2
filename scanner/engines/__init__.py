"""Where the targets of a scheduled run are collected: threads, a process pool, or Celery workers.

Every engine takes :class:`connectors.base.Target` objects (settings with secret *references*,
never values) and hands back one future per target that resolves to the target's
:class:`core.models.Collection` or to its failure record. Everything after collection (checks,
reports, history, notifications) stays in the process that started the run, so the three
engines give the same reports and exit codes.
"""

from __future__ import annotations

import abc
from concurrent.futures import Future
from typing import Any

from connectors.base import Target
from core.models import Collection

Result = Collection | dict[str, str]
Progress = Any  # Callable[[str, str], None] | None


class Engine(abc.ABC):
    """Runs collections somewhere and reports back through futures."""

    @abc.abstractmethod
    def submit(self, target: Target) -> Future[Result]:
        """Start collecting ``target``; the future holds its Collection or failure record."""

    @abc.abstractmethod
    def close(self, cancel: bool = False) -> None:
        """Release workers; ``cancel`` drops work not yet started (Ctrl-C)."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        self.close(cancel=exc_type is not None)


def result_from_wire(data: dict[str, Any]) -> Result:
    """A result that crossed a process or machine boundary as plain JSON-able data."""
    if "collection" in data:
        return Collection.from_dict(data["collection"])
    return {str(k): str(v) for k, v in data["failure"].items()}


def result_to_wire(result: Result) -> dict[str, Any]:
    if isinstance(result, Collection):
        return {"collection": result.to_dict()}
    return {"failure": result}


def target_to_wire(target: Target) -> dict[str, Any]:
    return {"name": target.name, "provider": target.provider, "settings": target.settings}


def target_from_wire(data: dict[str, Any]) -> Target:
    return Target(data["name"], data["provider"], dict(data["settings"]))
