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

Count = Callable[[HttpRequest], None]
CONNECTION_RETRIES = 2  # a dead host should not cost the whole retry budget per call


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


class CountedRateLimitRetries(_Counted, RateLimitErrorRetryHandler):
    pass


class CountedConnectionRetries(_Counted, ConnectionErrorRetryHandler):
    pass


class AsyncCountedRateLimitRetries(_AsyncCounted, AsyncRateLimitErrorRetryHandler):
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
