"""Webhook channels: generic JSON, Slack incoming webhook, Microsoft Teams (Workflows) webhook.

The URL is a credential (whoever has a Slack or Teams webhook URL can post to the channel), so
it comes from a secret reference and never appears in a message.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from core.errors import ScannerError
from core.secrets import resolve_secret
from scanner.notify.message import Alert

RETRYABLE = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER_S = 10.0


class NotifyError(ScannerError):
    pass


def slack_payload(alert: Alert) -> dict[str, Any]:
    """Incoming-webhook message: ``text`` is the notification fallback, blocks the body."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": alert.subject[:150]}}
    ]
    for client in alert.clients:
        body = "\n".join(client.lines())[:2900]
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*{client.headline()}*\n{body}"},
            }
        )
    return {"text": alert.subject, "blocks": blocks[:50]}


def teams_payload(alert: Alert) -> dict[str, Any]:
    """An Adaptive Card message, the format Teams Workflows webhooks accept."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "size": "Medium",
            "weight": "Bolder",
            "text": alert.subject,
            "wrap": True,
        }
    ]
    for client in alert.clients:
        body.append(
            {"type": "TextBlock", "weight": "Bolder", "text": client.headline(), "wrap": True}
        )
        body.extend(
            {"type": "TextBlock", "text": line, "wrap": True, "spacing": "None"}
            for line in client.lines()
        )
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


PAYLOADS = {"webhook": Alert.to_dict, "slack": slack_payload, "teams": teams_payload}


def send_webhook(channel: dict[str, Any], alert: Alert, attempts: int = 2) -> None:
    kind = channel["type"]
    url = resolve_secret(channel["url"], where=f"{kind} notification url").reveal()
    data = json.dumps(PAYLOADS[kind](alert)).encode()
    timeout = float(channel.get("timeout", 10))
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(
            url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "eu-residency-scanner"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
                return
        except urllib.error.HTTPError as exc:
            if exc.code not in RETRYABLE or attempt == attempts:
                raise NotifyError(f"the receiver answered HTTP {exc.code}") from None
            time.sleep(min(_retry_after(exc.headers.get("Retry-After")), MAX_RETRY_AFTER_S))
        except urllib.error.URLError as exc:
            raise NotifyError(f"cannot reach the receiver: {exc.reason}") from None


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value else 1.0
    except ValueError:
        return 1.0
