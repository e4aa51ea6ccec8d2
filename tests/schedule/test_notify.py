"""Notifications reach local receivers in each channel's format; failures are one line that
never shows the webhook URL."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.notify import Alert, ClientAlert, send
from tests.schedule.conftest import Mailbox, Receiver

VIOLATION = {
    "id": "abc",
    "check_id": "storage-outside-allowed",
    "target": "acme/aws",
    "resource": "arn:aws:s3:::acme-us",
    "resource_name": "acme-us",
    "status": "fail",
    "severity": "high",
    "message": "in the US",
}
ALERT = Alert(
    "run1",
    (
        ClientAlert("acme", [VIOLATION], [], "/r/acme/report.json"),
        ClientAlert(
            "beta", [], [{"target": "beta/slack", "reason": "2 part(s) could not be read"}]
        ),
    ),
)


@pytest.fixture
def hook(receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("TEST_WEBHOOK_URL", f"{receiver.url}/hooks/T000/B000/secretpart")
    return "env:TEST_WEBHOOK_URL"


def test_generic_webhook_gets_the_alert_as_json(receiver: Receiver, hook: str) -> None:
    assert send([{"type": "webhook", "url": hook}], ALERT) == []
    (request,) = receiver.received
    assert request["path"] == "/hooks/T000/B000/secretpart"
    assert request["headers"]["Content-Type"] == "application/json"
    body = request["body"]
    assert body["event"] == "residency.attention" and body["run_id"] == "run1"
    assert body["subject"] == (
        "residency: 2 clients need attention (1 new violation(s), 1 incomplete target(s))"
    )
    assert body["clients"][0]["new_violations"][0]["resource_name"] == "acme-us"
    assert body["clients"][1]["incomplete"] == [
        {"target": "beta/slack", "reason": "2 part(s) could not be read"}
    ]


def test_slack_incoming_webhook_format(receiver: Receiver, hook: str) -> None:
    assert send([{"type": "slack", "url": hook}], ALERT) == []
    body = receiver.received[0]["body"]
    assert body["text"].startswith("residency: 2 clients need attention")
    assert body["blocks"][0]["type"] == "header"
    assert body["blocks"][1]["text"]["type"] == "mrkdwn"
    assert "[high] storage-outside-allowed: acme-us" in body["blocks"][1]["text"]["text"]


def test_teams_workflows_webhook_gets_an_adaptive_card(receiver: Receiver, hook: str) -> None:
    assert send([{"type": "teams", "url": hook}], ALERT) == []
    body = receiver.received[0]["body"]
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [block["text"] for block in card["body"]]
    assert "beta: 1 incomplete target(s)" in texts
    assert "incomplete: beta/slack: 2 part(s) could not be read" in texts


def test_a_throttled_receiver_is_retried_once(receiver: Receiver, hook: str) -> None:
    receiver.statuses = [429]
    assert send([{"type": "webhook", "url": hook}], ALERT) == []
    assert len(receiver.received) == 2


def test_failures_are_one_line_without_the_url(
    receiver: Receiver, hook: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver.statuses = [404]
    monkeypatch.setenv("DEAD_HOOK", "http://127.0.0.1:9/hooks/secretpart")
    errors = send(
        [{"type": "slack", "url": hook}, {"type": "teams", "url": "env:DEAD_HOOK"}], ALERT
    )
    assert errors[0] == "slack notification failed: the receiver answered HTTP 404"
    assert errors[1].startswith("teams notification failed: cannot reach the receiver: ")
    assert not any("secretpart" in e for e in errors)


def test_email_over_smtp(smtp: tuple[int, Mailbox], monkeypatch: pytest.MonkeyPatch) -> None:
    port, mailbox = smtp
    channel: dict[str, Any] = {
        "type": "email",
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": "residency@msp.example",
        "to": ["soc@msp.example", "dpo@acme.example"],
    }
    assert send([channel], Alert("run1", ALERT.clients[:1])) == []
    (envelope,) = mailbox.messages
    assert envelope.mail_from == "residency@msp.example"
    assert envelope.rcpt_tos == ["soc@msp.example", "dpo@acme.example"]
    text = envelope.content.decode()
    assert "Subject: residency: acme: 1 new violation(s)" in text
    assert "[high] storage-outside-allowed: acme-us" in text


def test_email_to_a_closed_port_is_one_line() -> None:
    channel = {
        "type": "email",
        "host": "127.0.0.1",
        "port": 9,
        "security": "none",
        "sender": "a@b.example",
        "to": ["c@d.example"],
    }
    (error,) = send([channel], ALERT)
    assert error.startswith("email notification failed: ")
    assert "Connection refused" in error


HOSTILE = "<!channel> re-consent: <https://evil.example|https://portal.azure.com> [x](https://e.x)"


def test_cloud_controlled_names_cannot_ping_a_channel_or_disguise_a_link(
    receiver: Receiver, hook: str
) -> None:
    hostile = {**VIOLATION, "resource_name": HOSTILE + "\x1b]0;owned\x07"}
    alert = Alert("run1", (ClientAlert("acme", [hostile], []),))
    assert send([{"type": "slack", "url": hook}, {"type": "teams", "url": hook}], alert) == []
    slack = receiver.received[0]["body"]["blocks"][1]["text"]["text"]
    assert "<" not in slack and ">" not in slack and "\x1b" not in slack
    assert "&lt;!channel&gt; re-consent: &lt;https://evil.example|https://portal.azure.com&gt;" in (
        slack
    )
    teams = [b["text"] for b in receiver.received[1]["body"]["attachments"][0]["content"]["body"]]
    line = next(t for t in teams if "re-consent" in t)
    assert "\\<!channel\\>" in line and "\\[x\\](https://e.x)" in line and "\x07" not in line


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example/secretpart",  # the webhook URL is a credential: not in clear
        "https://hooks.example:notaport/secretpart",  # crashed after the reports were written
        "hooks.example/secretpart",
    ],
)
def test_webhook_urls_must_be_https_except_loopback(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BAD_HOOK", url)
    (error,) = send([{"type": "webhook", "url": "env:BAD_HOOK"}], ALERT)
    assert error.startswith("webhook notification failed: the webhook notification url ")
    assert "secretpart" not in error


def test_webhook_redirects_are_not_followed(receiver: Receiver, hook: str) -> None:
    receiver.statuses = [302]
    (error,) = send([{"type": "webhook", "url": hook}], ALERT)
    assert (
        error
        == "webhook notification failed: the receiver answered HTTP 302 (a redirect; not followed)"
    )
    assert [r["path"] for r in receiver.received] == ["/hooks/T000/B000/secretpart"]


def test_smtp_login_in_clear_is_refused_except_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "hunter2hunter2")
    channel = {
        "type": "email",
        "host": "smtp.example",
        "security": "none",
        "username": "scanner",
        "password": "env:SMTP_PASSWORD",
        "sender": "a@b.example",
        "to": ["c@d.example"],
    }
    (error,) = send([channel], ALERT)
    assert error == (
        "email notification failed: SMTP login without TLS is refused except to a loopback "
        "relay; use security: starttls or tls"
    )
