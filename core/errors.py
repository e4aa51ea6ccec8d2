"""Errors the CLI turns into one clear line and an exit code, never a traceback."""

from __future__ import annotations


class ScannerError(Exception):
    """Base class: ``str(error)`` is the one-line message shown to the user."""

    exit_code = 2


class ConfigError(ScannerError):
    """A policy, targets or evidence file is malformed; the message names file and line."""


class UsageError(ScannerError):
    """The command line asks for something impossible (unknown provider, bad region code)."""


class AuthError(ScannerError):
    """Credentials are missing, expired or wrong: the scan of that target cannot start."""


class ReadOnlyViolation(ScannerError):
    """A connector tried to send an operation that is not on its read-only allow-list."""
