"""Which URLs may carry a credential: https, or plain http only to this machine (loopback).

A Slack token, a webhook URL or an SMTP password sent over plain http or SMTP to another host
travels in clear; loopback stays allowed for local relays and the sandbox servers.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_url(url: str) -> str | None:
    """Why ``url`` must not carry a credential, or None when it may (never quotes the URL)."""
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port  # .port raises for a port that is not a number
    except ValueError:
        return "is not a valid URL"
    if parts.scheme == "https" and host:
        return None
    if parts.scheme == "http" and host and is_loopback(host):
        return None
    return "must be an https URL (plain http only to a loopback address such as 127.0.0.1)"
