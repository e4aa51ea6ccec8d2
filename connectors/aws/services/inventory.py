"""Shared by the simple per-region inventories: one paginated list call, one asset per item."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.aws.context import AwsScan, paginate


def list_assets(
    scan: AwsScan,
    region: str,
    *,
    service: str,
    operation: str,
    key: str,
    kind: str,
    categories: list[str],
    identify: Callable[[Any], tuple[str, str]],
    page_size: int | None = None,
    describe: Callable[[Any], dict[str, Any]] | None = None,
    **kwargs: Any,
) -> list[Any]:
    """Record every item of ``operation`` as an asset located in ``region``.

    ``identify(item) -> (asset id, name)``; ``describe(item)`` gives extra attributes.
    """
    items = paginate(scan.client(service, region), operation, key, page_size, **kwargs)
    return record_assets(
        scan, region, items, kind=kind, categories=categories, identify=identify, describe=describe
    )


def record_assets(
    scan: AwsScan,
    region: str,
    items: list[Any],
    *,
    kind: str,
    categories: list[str],
    identify: Callable[[Any], tuple[str, str]],
    describe: Callable[[Any], dict[str, Any]] | None = None,
) -> list[Any]:
    """Record already listed ``items`` as assets located in ``region`` (see ``list_assets``)."""
    for item in items:
        asset_id, name = identify(item)
        scan.asset(
            id=asset_id,
            kind=kind,
            name=name,
            region=region,
            categories=categories,
            **(describe(item) if describe else {}),
        )
    if items:
        scan.recorder.read(f"{kind} ({scan.account_id}, {region}): {len(items)}")
    return items


def tag_name(item: dict[str, Any], default: str) -> str:
    """The ``Name`` tag (EC2 style ``Tags: [{Key, Value}]``), else ``default``."""
    for tag in item.get("Tags") or []:
        if tag.get("Key") == "Name" and tag.get("Value"):
            return str(tag["Value"])
    return default
