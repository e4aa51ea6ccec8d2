"""`residency scan slack` options; names equal Target.settings keys. Imports click only."""

from __future__ import annotations

import click

OPTIONS: list[click.Option] = [
    click.Option(
        ["--token", "token"],
        help="Bot token reference (env:NAME or file:PATH): workspace, plan, channels.",
    ),
    click.Option(
        ["--user-token", "user_token"],
        help="Admin user token reference (xoxp-, legacy admin scope): integration logs.",
    ),
    click.Option(
        ["--org-token", "org_token"],
        help="Org-level admin user token reference (Enterprise Grid admin.* methods).",
    ),
    click.Option(
        ["--api-url", "api_url"],
        help="Slack Web API base URL (default: https://slack.com/api/; GovSlack differs).",
    ),
    click.Option(
        ["--audit-url", "audit_url"],
        help="Audit Logs API base URL (default: https://api.slack.com/audit/v1/).",
    ),
    click.Option(["--team-id", "team_id"], help="Workspace id, needed with org-wide tokens."),
    click.Option(
        ["--declared-region", "declared_region"],
        help="Data-residency region your contract names (e.g. frankfurt); no API exposes it.",
    ),
    click.Option(
        ["--declared-region-evidence", "declared_region_evidence"],
        help="Where the region is documented, e.g. 'order form 2025-03'.",
    ),
    click.Option(
        ["--max-retries", "max_retries"], type=int, help="Retries on HTTP 429 (default: 3)."
    ),
    click.Option(
        ["--max-concurrency", "max_concurrency"],
        type=int,
        help="Concurrent per-resource calls (default: 4).",
    ),
    click.Option(
        ["--retention-channel-limit", "retention_channel_limit"],
        type=int,
        help="Grid: channels whose custom retention is read (default: 100).",
    ),
]
