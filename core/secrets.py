"""Secret references (``env:NAME``, ``file:PATH``) resolved at the last moment, never printed.

A :class:`Secret` hides its value from ``repr``/``str`` so that a secret that reaches a log line,
an exception message or a report shows up as ``***`` instead of leaking.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from core.errors import ConfigError

REFERENCE = re.compile(r"^(env|file):(.+)$")


class Secret:
    """A secret value that refuses to be printed; call :meth:`reveal` at the point of use."""

    __slots__ = ("_value", "reference")

    def __init__(self, value: str, reference: str = "") -> None:
        self._value = value
        self.reference = reference

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.reference or '***'})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("secrets are not serialisable")


def is_reference(value: str) -> bool:
    return bool(REFERENCE.match(value))


def resolve_secret(reference: str, *, where: str = "") -> Secret:
    """Turn ``env:NAME`` or ``file:PATH`` into a :class:`Secret`; a literal value is refused."""
    match = REFERENCE.match(reference or "")
    prefix = f"{where}: " if where else ""
    if not match:
        raise ConfigError(
            f"{prefix}secrets must be references such as env:NAME or file:PATH, not literal values"
        )
    kind, name = match.groups()
    if kind == "env":
        value = os.environ.get(name, "").strip()
        source = f"environment variable {name}"
        if not value:
            raise ConfigError(f"{prefix}{source} is not set or empty")
        return Secret(_single_token(value, prefix, source), reference)
    path = Path(name).expanduser()
    source = f"secret file {path}"
    try:
        value = path.read_bytes().decode("utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{prefix}cannot read {source}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{prefix}{source} is not UTF-8 text (value not shown)") from None
    if not value:
        raise ConfigError(f"{prefix}{source} is empty")
    return Secret(_single_token(value, prefix, source), reference)


def _single_token(value: str, prefix: str, source: str) -> str:
    """A token, key or URL never holds whitespace: a hard-wrapped token file would otherwise
    send half a token and leak the other half into an error message."""
    if any(c.isspace() or not c.isprintable() for c in value):
        raise ConfigError(
            f"{prefix}{source} holds whitespace, a line break or a control character "
            "(value not shown); a secret is one token on one line"
        )
    return value


_TOKENS = re.compile(r"(?i)bearer\s+[A-Za-z0-9\-._~+/]{8,}=*|xox[abposre]-[A-Za-z0-9-]+")
# AWS access key ids, and 40-character secret access keys (mixed case and a digit, so that a
# SHA-1 in hex is left alone).
_AWS_KEYS = re.compile(
    r"\b(?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b"
    r"|(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[A-Z])"
    r"(?=[A-Za-z0-9/+]{0,39}[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])"
)
_URL_CREDENTIALS = re.compile(r"(://[^:/@\s]*:)[^/\s]+(@)")  # up to the last @: p@ss too
_SECRET_KEYS = (
    r"aws_secret_access_key|secretaccesskey|sessiontoken|externalid|client_secret|password|token"
)
_ASSIGNED = re.compile(rf"(?i)((?:{_SECRET_KEYS})[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9\-._~+/=]{{12,}}")
_XML_SECRET = re.compile(rf"(?i)(<(?:{_SECRET_KEYS})>)[^<]+(</)")


def redact(text: str) -> str:
    """Mask token-looking substrings in text that came from elsewhere (e.g. an SDK error):
    bearer and Slack tokens, passwords in URLs, and long values assigned to secret-named keys.
    Ordinary prose ("the access token has expired") is left readable."""
    text = _TOKENS.sub("***", text)
    text = _AWS_KEYS.sub("***", text)
    text = _URL_CREDENTIALS.sub(r"\1***\2", text)
    text = _XML_SECRET.sub(r"\1***\2", text)
    return _ASSIGNED.sub(r"\1***", text)
