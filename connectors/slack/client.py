"""slack-sdk clients behind the read-only gate: every call is allowed, paced and counted first.

``GatedWebClient``/``GatedAsyncWebClient`` override the SDK's public ``api_call`` (every typed
method such as ``chat_postMessage`` goes through it), so a method outside the allow-list raises
:class:`~core.errors.ReadOnlyViolation` before a byte is sent. :class:`SlackApi` is the only
door the connector uses: it picks the right token per method, pages (cursor and page-numbered)
with the largest page size, and fans out per-resource calls on the async client with bounded
concurrency.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.audit_logs import AuditLogsClient
from slack_sdk.audit_logs.v1.response import AuditLogsResponse
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.web.async_client import AsyncWebClient

from connectors.base import CallLedger, ReadOnlyGate
from connectors.slack.methods import (
    ALLOWED,
    AUDIT_LOGS,
    METHODS,
    TIER_PER_MINUTE,
    TOKEN_SETTING,
    TokenKind,
)
from connectors.slack.retries import (
    MAX_RETRY_AFTER,
    async_retry_handlers,
    retry_handlers,
    seconds,
    too_long,
)
from connectors.slack.settings import SlackSettings
from core.models import GapReason

log = logging.getLogger("residency.slack")


class NoToken(Exception):
    """No configured token may call this method (e.g. integration logs without a user token)."""


class MalformedPage(Exception):
    """A response that does not have the documented shape (e.g. a list that is not a list)."""


class AuditError(SlackClientError):
    """The Audit Logs API answered with an HTTP error (its client returns, never raises)."""

    def __init__(self, status: int, code: str, retry_after: str | None = None) -> None:
        super().__init__(f"HTTP {status}: {code}")
        self.status = status
        self.code = code
        self.retry_after = retry_after


class Pacer:
    """Token buckets per method sized to its rate-limit tier: bursts up to the per-minute budget,
    then one call every 60/limit seconds. ``reserve`` returns how long the caller must wait."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def reserve(self, method: str) -> float:
        capacity = float(TIER_PER_MINUTE[METHODS[method].tier])
        rate = capacity / 60.0
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(method, (capacity, now))
            tokens = min(capacity, tokens + (now - last) * rate) - 1.0
            self._buckets[method] = (tokens, now)
        return 0.0 if tokens >= 0 else -tokens / rate


class Admission:
    """Gate, pace and count one call; shared by the sync and async clients of one scan."""

    def __init__(self, ledger: CallLedger, pacer: Pacer | None = None) -> None:
        self.gate = ReadOnlyGate("slack", ALLOWED)
        self.ledger = ledger
        self.pacer = pacer or Pacer()

    def admit(self, method: str) -> float:
        self.gate.check(method)
        delay = self.pacer.reserve(method)
        self.ledger.count(method)
        log.debug("slack call %s (paced %.2fs)", method, delay)
        return delay

    def retried(self, method: str) -> None:
        """The SDK resends an admitted call (after Retry-After): one more request to count."""
        self.ledger.count(method)
        log.debug("slack call %s (retry)", method)


def _method_of(api_url: str) -> str:
    """The Web API method a request URL names (``{base_url}/{method}``)."""
    return urlsplit(api_url).path.rsplit("/", 1)[-1]


class GatedWebClient(WebClient):
    """Both ways the SDK sends a request are gated: ``api_call`` and the next pages that a
    ``SlackResponse`` fetches itself when iterated (``_request_for_pagination``)."""

    def __init__(self, *, admission: Admission, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._admission = admission

    def _admit(self, api_method: str) -> None:
        delay = self._admission.admit(api_method)
        if delay:
            time.sleep(delay)

    def api_call(self, api_method: str, **kwargs: Any) -> Any:  # type: ignore[override]
        self._admit(api_method)
        return super().api_call(api_method, **kwargs)

    def _request_for_pagination(
        self, api_url: str, req_args: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        self._admit(_method_of(api_url))
        return super()._request_for_pagination(api_url=api_url, req_args=req_args)


class GatedAsyncWebClient(AsyncWebClient):
    """As :class:`GatedWebClient`; an ``AsyncSlackResponse`` fetches its next pages through
    ``_request``, which ``api_call`` also reaches, so the gate sits there."""

    def __init__(self, *, admission: Admission, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._admission = admission

    async def _request(self, *, http_verb: str, api_url: str, req_args: dict) -> dict[str, Any]:
        delay = self._admission.admit(_method_of(api_url))
        if delay:
            await asyncio.sleep(delay)
        return await super()._request(http_verb=http_verb, api_url=api_url, req_args=req_args)


class GatedAuditLogsClient(AuditLogsClient):
    """The Audit Logs API client behind the same gate: only ``GET logs`` is allowed."""

    def __init__(self, *, admission: Admission, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._admission = admission

    def api_call(self, *, http_verb: str = "GET", path: str, **kwargs: Any) -> AuditLogsResponse:
        operation = f"audit.{path}" if http_verb == "GET" else f"{http_verb} audit.{path}"
        delay = self._admission.admit(operation)
        if delay:
            time.sleep(delay)
        return super().api_call(http_verb=http_verb, path=path, **kwargs)


def _request_args(
    method: str, params: dict[str, Any], team_id: str | None = None
) -> dict[str, Any]:
    """GET methods carry their arguments as query parameters, POST methods as a form body.
    ``team_id`` (the workspace an org-wide token speaks for) is added unless the call names its
    own team or the whole org: Slack's admin methods take ``team_id`` or ``enterprise_id``,
    never both (``too_many_teams_provided``)."""
    clean = {k: v for k, v in params.items() if v is not None}
    if team_id and "team_id" not in clean and "enterprise_id" not in clean:
        clean["team_id"] = team_id
    verb = METHODS[method].verb
    return {"http_verb": verb, ("params" if verb == "GET" else "data"): clean}


class SlackApi:
    """The connector's only way to Slack: token choice, paging and fan-out over gated clients."""

    def __init__(self, settings: SlackSettings, ledger: CallLedger) -> None:
        self.settings = settings
        self.admission = Admission(ledger)
        self.tokens: dict[TokenKind, Any] = dict(settings.tokens)
        self._clients: dict[TokenKind, GatedWebClient] = {}

    def drop(self, kind: TokenKind) -> None:
        """Stop using a token that failed auth.test or is of the wrong type."""
        self.tokens.pop(kind, None)
        self._clients.pop(kind, None)

    def token_for(self, method: str) -> TokenKind:
        for kind in METHODS[method].tokens:
            if kind in self.tokens:
                return kind
        raise NoToken(method)

    def _client_kwargs(self, kind: TokenKind) -> dict[str, Any]:
        return {
            "token": self.tokens[kind].reveal(),
            "base_url": self.settings.api_url,
            "timeout": 30,
            "admission": self.admission,
        }

    def client(self, kind: TokenKind) -> GatedWebClient:
        if kind not in self._clients:
            self._clients[kind] = GatedWebClient(
                retry_handlers=self._retry_handlers(), **self._client_kwargs(kind)
            )
        return self._clients[kind]

    def call(self, method: str, *, kind: TokenKind | None = None, **params: Any) -> dict[str, Any]:
        """One call with the preferred token for ``method``; raises SlackApiError or NoToken."""
        kind = kind or self.token_for(method)
        response = self.client(kind).api_call(
            method, **_request_args(method, params, self.settings.team_id)
        )
        return dict(response.data) if isinstance(response.data, dict) else {}

    def audit_logs(self, **params: Any) -> dict[str, Any]:
        """One GET {audit_url}logs with the org token; raises AuditError or NoToken."""
        kind = self.token_for(AUDIT_LOGS)
        client = GatedAuditLogsClient(
            token=self.tokens[kind].reveal(),
            base_url=self.settings.audit_url,
            timeout=30,
            admission=self.admission,
            retry_handlers=self._retry_handlers(),
        )
        response = client.logs(**params)
        body = response.body if isinstance(response.body, dict) else {}
        if response.status_code == 200 and body.get("ok") is not False:
            return body
        headers = {k.lower(): v for k, v in (response.headers or {}).items()}
        after = headers.get("retry-after")
        raise AuditError(
            response.status_code,
            str(body.get("error") or f"HTTP {response.status_code}"),
            str(after[0] if isinstance(after, list) else after) if after else None,
        )

    def _retry_handlers(self) -> list[Any]:
        return retry_handlers(self.settings.max_retries, self._count_retry)

    def _count_retry(self, request: HttpRequest) -> None:
        name = _method_of(request.url)
        audit = request.url.startswith(self.settings.audit_url)
        self.admission.retried(f"audit.{name}" if audit else name)

    def pages(self, method: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Cursor paging via ``response_metadata.next_cursor`` (or the top-level ``next_cursor``
        some admin methods use) with the largest page size the method allows."""
        kind = self.token_for(method)
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            page = self.call(
                method, kind=kind, limit=METHODS[method].page_size, cursor=cursor, **params
            )
            yield page
            meta = page.get("response_metadata") or {}
            cursor = meta.get("next_cursor") or page.get("next_cursor") or None
            if not cursor:
                return
            if cursor in seen:  # following it again would page forever
                raise MalformedPage("repeated cursor: the API sent a next_cursor twice")
            seen.add(cursor)

    def numbered_pages(self, method: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Legacy ``page``/``count`` paging (team.integrationLogs), stopping at ``paging.pages``."""
        kind = self.token_for(method)
        number = 1
        while True:
            page = self.call(
                method, kind=kind, count=METHODS[method].page_size, page=number, **params
            )
            yield page
            paging = page.get("paging") or {}
            try:
                last = int(paging.get("pages") or 1)
            except (TypeError, ValueError):
                last = 1
            if number >= last:
                return
            number += 1

    def fan_out(
        self, method: str, requests: list[dict[str, Any]]
    ) -> list[dict[str, Any] | Exception]:
        """The same method for many resources, concurrently on the async client (bounded by
        ``max_concurrency`` and paced by tier). Each result is a response body or the error."""
        if not requests:
            return []
        kind = self.token_for(method)
        return asyncio.run(self._fan_out(method, kind, requests))

    async def _fan_out(
        self, method: str, kind: TokenKind, requests: list[dict[str, Any]]
    ) -> list[dict[str, Any] | Exception]:
        client = GatedAsyncWebClient(
            retry_handlers=async_retry_handlers(self.settings.max_retries, self._count_retry),
            **self._client_kwargs(kind),
        )
        limit = asyncio.Semaphore(self.settings.max_concurrency)

        async def one(params: dict[str, Any]) -> dict[str, Any] | Exception:
            async with limit:
                try:
                    response = await client.api_call(
                        method, **_request_args(method, params, self.settings.team_id)
                    )
                except Exception as exc:
                    return exc
                return dict(response.data) if isinstance(response.data, dict) else {}

        return list(await asyncio.gather(*(one(p) for p in requests)))


AUTH_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "not_allowed_token_type",
        "ekm_access_denied",
    }
)
NOT_AVAILABLE = frozenset(
    {
        "not_an_admin",
        "not_allowed",
        "restricted_action",
        "paid_only",
        "feature_not_enabled",
        "not_an_enterprise",
        "team_not_found",
        "not_enabled",
        "no_permission",
        "access_denied",
        "user_not_authorized",
        "team_not_authorized",
        "invalid_workspace",
    }
)


def classify(method: str, error: Exception, retries: int) -> tuple[GapReason, str]:
    """An SDK or transport error as (gap reason, one-line message) without any token text."""
    if isinstance(error, NoToken):
        kinds = " or ".join(TOKEN_SETTING[k] for k in METHODS[method].tokens)
        return GapReason.NO_TOKEN, f"{method} needs a token in {kinds}; none is configured"
    if isinstance(error, MalformedPage):
        return GapReason.MALFORMED_RESPONSE, f"{method}: {error}"
    if isinstance(error, AuditError):
        return _classify_audit(method, error, retries)
    if not isinstance(error, SlackApiError):
        return GapReason.UNREACHABLE, f"{method}: {type(error).__name__}: {error}"
    response = error.response
    code = str(response.get("error") or f"HTTP {response.status_code}")
    if response.status_code == 429:
        headers = response.headers or {}
        return _throttled(method, retries, headers.get("Retry-After") or headers.get("retry-after"))
    if code == "missing_scope":
        return GapReason.MISSING_SCOPE, (
            f"{method} needs scope {response.get('needed') or '?'} "
            f"(token has: {response.get('provided') or 'none'})"
        )
    if code in ("not_allowed_token_type", "user_is_bot"):
        kinds = "/".join(METHODS[method].tokens)
        return (
            GapReason.WRONG_TOKEN_TYPE,
            f"{method} does not accept this token type; it needs a {kinds} token",
        )
    if code in AUTH_ERRORS:
        return GapReason.CREDENTIALS_REJECTED, f"{method}: {code}"
    if code in NOT_AVAILABLE:
        return GapReason.NOT_AVAILABLE, f"{method}: {code} (not available to this token or plan)"
    return GapReason.API_ERROR, f"{method}: {code}"


def _classify_audit(method: str, error: AuditError, retries: int) -> tuple[GapReason, str]:
    if error.status == 429:
        return _throttled(method, retries, error.retry_after)
    if (
        error.code in ("invalid_authentication", "invalid_auth", "not_authed")
        or error.status == 401
    ):
        return (
            GapReason.CREDENTIALS_REJECTED,
            f"{method}: {error.code} (the Audit Logs API needs an Org Owner token)",
        )
    if error.code in NOT_AVAILABLE:
        return GapReason.NOT_AVAILABLE, (
            f"{method}: {error.code} (needs Enterprise Grid and an Org Owner token with "
            "auditlogs:read)"
        )
    return GapReason.API_ERROR, f"{method}: {error}"


def _throttled(method: str, retries: int, after: Any) -> tuple[GapReason, str]:
    if after is not None and too_long(seconds(after)):
        return GapReason.THROTTLED, (
            f"{method} rate limited with Retry-After {str(after)[:20]!r}, longer than the "
            f"{MAX_RETRY_AFTER:g} s the scanner waits"
        )
    return (
        GapReason.THROTTLED,
        f"{method} still rate limited after {retries} retries (Retry-After: {after})",
    )
