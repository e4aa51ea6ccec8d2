"""Alerts for scheduled runs: only when there is a new violation or a scan was incomplete.

Channels: a generic JSON webhook, Microsoft Teams and Slack incoming webhooks, and e-mail over
SMTP. Webhook URLs and SMTP passwords are secret references resolved at the moment of sending.
A channel that fails is reported as one line; it never stops the run or the other channels.
"""

from __future__ import annotations

import logging
from typing import Any

from core.errors import ScannerError
from core.secrets import redact
from scanner.notify.message import Alert, ClientAlert

__all__ = ["Alert", "ClientAlert", "send"]

log = logging.getLogger("residency")


def send(channels: list[dict[str, Any]], alert: Alert) -> list[str]:
    """Deliver ``alert`` to every channel; returns one error line per channel that failed."""
    from scanner.notify.email import send_email
    from scanner.notify.http import send_webhook

    errors = []
    for channel in channels:
        kind = channel["type"]
        try:
            if kind == "email":
                send_email(channel, alert)
            else:
                send_webhook(channel, alert)
            log.info("notified %s: %s", kind, alert.subject)
        except ScannerError as exc:
            errors.append(f"{kind} notification failed: {exc}")
        except OSError as exc:  # SMTP and sockets: refused, reset, timed out
            errors.append(f"{kind} notification failed: {redact(str(exc) or type(exc).__name__)}")
        except Exception as exc:  # anything else must not cost the other channels
            errors.append(
                f"{kind} notification failed: internal error: {type(exc).__name__} "
                "(details not shown: they may quote the channel's secret URL)"
            )
    return errors
