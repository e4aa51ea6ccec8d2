"""`residency scan aws` options; parameter names equal Target.settings keys. Imports click only."""

from __future__ import annotations

import click


def _regions(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[str] | None:
    if not value:
        return None
    return [r.strip() for r in value.split(",") if r.strip()]


OPTIONS: list[click.Option] = [
    click.Option(["--profile", "profile"], help="AWS profile (default: the standard chain)."),
    click.Option(["--region", "region"], help="Home region for global calls (default: us-east-1)."),
    click.Option(
        ["--regions", "regions"],
        callback=_regions,
        help="Comma-separated regions to scan (default: every enabled region).",
    ),
    click.Option(
        ["--endpoint-url", "endpoint_url"],
        help="Custom endpoint for every service (AWS_ENDPOINT_URL works too).",
    ),
    click.Option(["--max-attempts", "max_attempts"], type=int, help="Attempts per API call."),
    click.Option(["--workers", "workers"], type=int, help="Concurrent API calls (default: 8)."),
]
