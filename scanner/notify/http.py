"""Webhook channels: generic JSON, Slack incoming webhook, Microsoft Teams (Workflows) webhook.

The URL is a credential (whoever has a Slack or Teams webhook URL can post to the channel), so
it comes from a secret reference and never appears in a message.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from typing import Any

from core.errors import ScannerError
from core.secrets import resolve_secret
from core.text import inert
from core.transport import insecure_url
from scanner.notify.message import Alert

RETRYABLE = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER_S = 10.0


class NotifyError(ScannerError):
    pass


def slack_escape(text: str) -> str:
    """Slack mrkdwn: ``&``, ``<`` and ``>`` escaped (Slack's documented rule), so an app named
    ``<!channel>`` or ``<https://evil|https://portal.azure.com>`` is shown, not acted on."""
    return inert(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_TEAMS_MARKDOWN = re.compile(r"([\\`*_\[\]<>])")  # what opens a link, emphasis or code


def teams_escape(text: str) -> str:
    """Adaptive Card TextBlock markdown: the characters that open links, emphasis and code are
    backslash-escaped, so a name cannot become a disguised link."""
    return _TEAMS_MARKDOWN.sub(r"\\\1", inert(text))


def slack_payload(alert: Alert) -> dict[str, Any]:
    """Incoming-webhook message: ``text`` is the notification fallback, blocks the body. All
    text is cloud-controlled (app, organisation and resource names), so all of it is escaped."""
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": inert(alert.subject)[:150]}}
    ]
    for client in alert.clients:
        body = "\n".join(slack_escape(line) for line in client.lines())[:2900]
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{slack_escape(client.headline())}*\n{body}",
                },
            }
        )
    return {"text": slack_escape(alert.subject), "blocks": blocks[:50]}


def teams_payload(alert: Alert) -> dict[str, Any]:
    """An Adaptive Card message, the format Teams Workflows webhooks accept."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "size": "Medium",
            "weight": "Bolder",
            "text": teams_escape(alert.subject),
            "wrap": True,
        }
    ]
    for client in alert.clients:
        body.append(
            {
                "type": "TextBlock",
                "weight": "Bolder",
                "text": teams_escape(client.headline()),
                "wrap": True,
            }
        )
        body.extend(
            {"type": "TextBlock", "text": teams_escape(line), "wrap": True, "spacing": "None"}
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


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would resend the alert (and the URL's secret path) to a host nobody chose."""

    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str):
        raise NotifyError(f"the receiver answered HTTP {code} (a redirect; not followed)")


_OPENER = urllib.request.build_opener(_NoRedirects)


def send_webhook(channel: dict[str, Any], alert: Alert, attempts: int = 2) -> None:
    kind = channel["type"]
    url = resolve_secret(channel["url"], where=f"{kind} notification url").reveal()
    if problem := insecure_url(url):
        raise NotifyError(f"the {kind} notification url {problem} (value not shown)")
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
            with _OPENER.open(request, timeout=timeout) as response:
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
