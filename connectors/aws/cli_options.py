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
    click.Option(
        ["--max-attempts", "max_attempts"],
        type=click.IntRange(1, 20),
        help="Attempts per API call, retries of throttling and transient errors included "
        "(default: 6).",
    ),
    click.Option(
        ["--connect-timeout", "connect_timeout"],
        type=click.IntRange(1),
        help="Seconds to wait for a connection to an AWS endpoint (default: 10).",
    ),
    click.Option(
        ["--read-timeout", "read_timeout"],
        type=click.IntRange(1),
        help="Seconds to wait for an answer on an open connection (default: 30).",
    ),
    click.Option(
        ["--timeout", "timeout"],
        type=click.IntRange(1),
        help="Deadline in seconds for the whole target: no request is sent after it, what is "
        "unread becomes a gap (exit 3). The scan ends by then plus one connect and read timeout "
        "(default: none).",
    ),
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
        help="Role assumed in each member account with --org (default: "
        "EUResidencyScannerReadOnly, read-only; `residency permissions aws` prints its policies).",
    ),
    click.Option(
        ["--external-id", "external_id"],
        help="ExternalId for AssumeRole, as a reference: env:NAME or file:PATH.",
    ),
]
