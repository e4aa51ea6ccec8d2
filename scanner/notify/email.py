"""E-mail alerts over SMTP (STARTTLS by default; implicit TLS or plain for a local relay)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import Any

from core.errors import ScannerError
from core.secrets import resolve_secret
from core.text import inert
from core.transport import is_loopback
from scanner.notify.message import Alert

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


class EmailError(ScannerError):
    pass


def build_message(channel: dict[str, Any], alert: Alert) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = inert(alert.subject)
    message["From"] = channel["sender"]
    message["To"] = ", ".join(channel["to"])
    message.set_content(alert.text())
    return message


def send_email(channel: dict[str, Any], alert: Alert) -> None:
    security = channel.get("security", "starttls")
    if channel.get("username") and security == "none" and not is_loopback(channel["host"]):
        raise EmailError(
            "SMTP login without TLS is refused except to a loopback relay; "
            "use security: starttls or tls"
        )
    port = int(channel.get("port", DEFAULT_PORTS[security]))
    timeout = float(channel.get("timeout", 15))
    context = ssl.create_default_context()
    smtp_class = smtplib.SMTP_SSL if security == "tls" else smtplib.SMTP
    kwargs: dict[str, Any] = {"context": context} if security == "tls" else {}
    try:
        with smtp_class(channel["host"], port, timeout=timeout, **kwargs) as smtp:
            if security == "starttls":
                smtp.starttls(context=context)
            if channel.get("username"):
                password = resolve_secret(channel["password"], where="email password").reveal()
                smtp.login(channel["username"], password)
            smtp.send_message(build_message(channel, alert))
    except smtplib.SMTPAuthenticationError as exc:
        raise EmailError(f"SMTP login refused ({exc.smtp_code})") from None
    except smtplib.SMTPException as exc:
        raise EmailError(f"SMTP error: {type(exc).__name__}: {exc}") from None
