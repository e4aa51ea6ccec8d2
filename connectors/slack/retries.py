"""slack-sdk retry handlers whose every retry is counted (and so paced) like a first attempt.

The SDK retries below ``api_call``, out of the gated clients' sight; a retry is still a request
Slack counts against the app's budget, so each one goes through the call ledger (which, in a
multi-client run, also waits for the provider's shared rate limit) just before it is resent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse

Count = Callable[[HttpRequest], None]
CONNECTION_RETRIES = 2  # a dead host should not cost the whole retry budget per call
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After is a throttled gap, not a stalled scan


class _Counted(RetryHandler):
    def __init__(self, count: Count, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._count = count

    def prepare_for_next_attempt(self, *, request: HttpRequest, **kwargs: Any) -> None:
        super().prepare_for_next_attempt(request=request, **kwargs)  # waits (Retry-After)
        self._count(request)


class _AsyncCounted(AsyncRetryHandler):
    def __init__(self, count: Count, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._count = count

    async def prepare_for_next_attempt_async(self, *, request: HttpRequest, **kwargs: Any) -> None:
        await super().prepare_for_next_attempt_async(request=request, **kwargs)
        self._count(request)


def seconds(value: Any) -> float | None:
    """A Retry-After value in seconds (None: absent or not a number)."""
    value = value[0] if isinstance(value, list) and value else value
    try:
        return float(str(value))
    except ValueError:
        return None


def retry_after(response: HttpResponse | None) -> float | None:
    """The Retry-After seconds of a 429 answer."""
    for name, values in ((response.headers or {}) if response else {}).items():
        if name.lower() == "retry-after":
            return seconds(values)
    return None


def too_long(seconds: float | None) -> bool:
    return seconds is None or not 0 <= seconds <= MAX_RETRY_AFTER


class _Capped(RateLimitErrorRetryHandler):
    """Wait out a 429 only for a sane Retry-After: a server asking for an hour (or for
    something that is not a number) gets no retry, and the call becomes a throttled gap."""

    def _can_retry(self, *, response: HttpResponse | None = None, **kwargs: Any) -> bool:
        return super()._can_retry(response=response, **kwargs) and not too_long(
            retry_after(response)
        )


class _AsyncCapped(AsyncRateLimitErrorRetryHandler):
    async def _can_retry_async(
        self, *, response: HttpResponse | None = None, **kwargs: Any
    ) -> bool:
        allowed = await super()._can_retry_async(response=response, **kwargs)
        return allowed and not too_long(retry_after(response))


class CountedRateLimitRetries(_Counted, _Capped):
    pass


class CountedConnectionRetries(_Counted, ConnectionErrorRetryHandler):
    pass


class AsyncCountedRateLimitRetries(_AsyncCounted, _AsyncCapped):
    pass


class AsyncCountedConnectionRetries(_AsyncCounted, AsyncConnectionErrorRetryHandler):
    pass


def retry_handlers(retries: int, count: Count) -> list[RetryHandler]:
    return [
        CountedConnectionRetries(count, min(retries, CONNECTION_RETRIES)),
        CountedRateLimitRetries(count, retries),
    ]


def async_retry_handlers(retries: int, count: Count) -> list[AsyncRetryHandler]:
    return [
        AsyncCountedConnectionRetries(count, min(retries, CONNECTION_RETRIES)),
        AsyncCountedRateLimitRetries(count, retries),
    ]
