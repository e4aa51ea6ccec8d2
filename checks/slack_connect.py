"""Each external organisation in Slack Connect receives your members' messages and files and
keeps them under its own residency and retention, which no Slack API reveals: one warn each."""

from __future__ import annotations

from collections.abc import Iterator

from checks.base import CheckContext, Verdict
from checks.slack_common import gap_text, gaps_of, workspaces


def evaluate(ctx: CheckContext) -> Iterator[Verdict]:
    flows = [
        f for f in ctx.collection.flows if f.provider == "slack" and f.kind == "external_sharing"
    ]
    listing_gaps = [g for g in gaps_of(ctx, "slack_connect") if g.operation == "conversations.list"]
    for ws in workspaces(ctx):
        read = ws.attributes.get("channel_types_read")  # absent in older evidence
        if listing_gaps and read is None:
            yield Verdict(
                f"{ws.id}/slack-connect",
                f"{ws.name} Slack Connect",
                "error",
                f"shared channels of {ws.name} could not be listed: "
                f"{gap_text(gaps_of(ctx, 'slack_connect'))}",
            )
        elif read is not None and "private_channel" not in read:
            yield Verdict(
                f"{ws.id}/slack-connect-private",
                f"{ws.name} Slack Connect (private channels)",
                "error",
                f"only the public channels of {ws.name} were checked; private shared channels "
                f"could not be listed: {gap_text(listing_gaps)}",
            )
        elif not any(f.source == ws.id for f in flows):
            yield Verdict(
                f"{ws.id}/slack-connect",
                f"{ws.name} Slack Connect",
                "pass",
                f"{ws.name} shares no channel with an external organisation",
            )
    for flow in flows:
        a = flow.attributes
        channels = a.get("channels") or []
        shared = (
            f"{len(channels)} channel(s): {', '.join(channels)}"
            if channels
            else ("conversations the scanner's token cannot see")
        )
        yield Verdict(
            flow.id,
            flow.destination_name,
            "warn",
            f"{flow.destination_name} ({a.get('team_id')}) is connected through Slack Connect "
            f"({shared}). What your members post there is also held by that organisation, under "
            "its own Slack residency and retention, which no API shows: confirm where it keeps "
            "data and on what basis you share it",
            evidence={
                k: a.get(k)
                for k in (
                    "team_id",
                    "team_domain",
                    "email_domain",
                    "connection_status",
                    "channels",
                    "hosted_by_partner",
                    "name_source",
                )
            },
        )
