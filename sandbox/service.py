"""A running piece of the simulated company: how to reach it and how to stop it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunningService:
    """``settings`` are a :class:`connectors.base.Target`'s settings that point at this service;
    ``env`` holds environment variables (e.g. the token a secret reference names) to set while
    scanning it."""

    name: str
    provider: str
    url: str
    settings: dict[str, Any]
    stop: Callable[[], None]
    env: dict[str, str] = field(default_factory=dict)
