"""Target.settings for AWS, validated against settings.schema.json into one typed object.

The schema holds every range and every default; this object is what the rest of the package
reads, so no module looks a raw settings key up itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from connectors.registry import validate_settings


@dataclass(frozen=True)
class AwsSettings:
    region: str
    max_attempts: int
    connect_timeout: int
    read_timeout: int
    workers: int
    org: bool
    profile: str | None = None
    regions: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    endpoint_url: str | None = None
    timeout: int | None = None
    role_name: str | None = None
    external_id: str | None = None

    @classmethod
    def from_settings(cls, settings: dict[str, Any], where: str = "aws") -> AwsSettings:
        values = validate_settings("aws", settings, where)
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})
