"""`residency scan aws` options; parameter names equal Target.settings keys. Imports click only."""

from __future__ import annotations

import click


def _split(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[str] | None:
    if value is None:
        return None  # not given; given but empty ('' or ',,') is refused by the schema
    return [item.strip() for item in value.split(",") if item.strip()]


OPTIONS: list[click.Option] = [
    click.Option(["--profile", "profile"], help="AWS profile (default: the standard chain)."),
    click.Option(["--region", "region"], help="Home region for global calls (default: us-east-1)."),
    click.Option(
        ["--regions", "regions"],
        callback=_split,
        help="Comma-separated regions to scan (default: every enabled region).",
    ),
    click.Option(
        ["--services", "services"],
        callback=_split,
        help="Comma-separated services to read, e.g. s3,s3-security,dynamodb,cloudtrail "
        "(default: all).",
    ),
    click.Option(
        ["--endpoint-url", "endpoint_url"],
        help="Custom endpoint for every service (AWS_ENDPOINT_URL works too).",
    ),
    click.Option(["--max-attempts", "max_attempts"], type=int, help="Attempts per API call."),
    click.Option(
        ["--workers", "workers"],
        type=int,
        help="Concurrent API calls, shared by listing and per-resource calls "
        "(default: 8; at least 2).",
    ),
    click.Option(
        ["--org", "org"],
        is_flag=True,
        default=None,
        help="Scan every active account of the organisation (run from the management account).",
    ),
    click.Option(
        ["--role-name", "role_name"],
        help="Role assumed in each member account with --org "
        "(default: OrganizationAccountAccessRole).",
    ),
    click.Option(
        ["--external-id", "external_id"],
        help="ExternalId for AssumeRole, as a reference: env:NAME or file:PATH.",
    ),
]
