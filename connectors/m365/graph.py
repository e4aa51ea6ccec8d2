"""Graph calls through msgraph-sdk's adapter (auth, retry, redirect middleware), read as JSON.

Bulk lists are read as raw JSON and only the ``$select``ed fields are used: deserialising into
Kiota models costs ~5 ms per object (field guide, pitfall 11). Paging follows absolute
``@odata.nextLink`` by hand because ``PageIterator`` stops at an empty page.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
from azure.core.credentials_async import AsyncTokenCredential
from kiota_abstractions.base_request_configuration import RequestConfiguration
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from kiota_http.middleware.options import RetryHandlerOption, UserAgentHandlerOption
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_core import GraphClientFactory

from connectors.base import CallLedger
from connectors.m365.settings import M365Settings
from connectors.m365.transport import GuardedTransport
from core.models import GapReason
from core.secrets import redact

ERRORS = {"XXX": ODataError}
USER_AGENT = "ISV|eu-residency-scanner|Residency"


class GraphError(Exception):
    """One Graph call failed after the SDK's retries; ``kind`` decides gap versus abort."""

    def __init__(
        self, kind: GapReason, status: int | None, message: str, code: str | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.code = code


def _kind(status: int | None) -> str:
    return {
        401: GapReason.CREDENTIALS_REJECTED,
        403: GapReason.ACCESS_DENIED,
        404: GapReason.NOT_FOUND,
        429: GapReason.THROTTLED,
    }.get(status or 0, GapReason.API_ERROR)


def http_client(settings: M365Settings, ledger: CallLedger) -> httpx.AsyncClient:
    """An httpx client whose innermost transport is the read-only gate; Kiota's middleware
    (retry with Retry-After, redirects, telemetry) wraps it, so every attempt is gated."""
    client = httpx.AsyncClient(
        transport=GuardedTransport(settings, ledger),
        timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 30)),
        follow_redirects=False,
    )
    options = {
        RetryHandlerOption.get_key(): RetryHandlerOption(
            delay=settings.retry_delay, max_retries=settings.max_retries
        ),
        UserAgentHandlerOption.get_key(): UserAgentHandlerOption(
            product_name=USER_AGENT, product_version="0.1"
        ),
    }
    return GraphClientFactory.create_with_default_middleware(options=options, client=client)


class GraphReader:
    """A GraphServiceClient for one tenant whose requests are sent and parsed as raw JSON."""

    def __init__(
        self, settings: M365Settings, credential: AsyncTokenCredential, ledger: CallLedger
    ) -> None:
        self.http = http_client(settings, ledger)
        auth = AzureIdentityAuthenticationProvider(
            credential, scopes=[settings.graph_scope], allowed_hosts=[settings.graph_host]
        )
        adapter = GraphRequestAdapter(auth, client=self.http)
        adapter.base_url = settings.graph_url
        self.adapter = adapter
        self.client = GraphServiceClient(request_adapter=adapter)

    async def get(self, request: RequestInformation) -> dict[str, Any]:
        # Kiota reads the URL three times per request, expanding its template each time
        self.adapter.set_base_url_for_request_information(request)
        request.url = request.url
        try:
            raw = await self.adapter.send_primitive_async(request, "bytes", ERRORS)
        except ODataError as exc:
            status = exc.response_status_code
            detail = exc.error.message if exc.error and exc.error.message else str(exc)
            code = exc.error.code if exc.error and exc.error.code else f"HTTP {status}"
            raise GraphError(_kind(status), status, redact(f"{code}: {detail}"), code) from None
        except httpx.HTTPError as exc:
            reason = (
                GapReason.TIMEOUT
                if isinstance(exc, httpx.TimeoutException)
                else GapReason.UNREACHABLE
            )
            raise GraphError(reason, None, redact(f"{type(exc).__name__}: {exc}")) from None
        try:
            body = json.loads(raw or b"")
        except ValueError:
            raise GraphError(
                GapReason.MALFORMED_RESPONSE, 200, "the response is not JSON"
            ) from None
        if not isinstance(body, dict):
            raise GraphError(GapReason.MALFORMED_RESPONSE, 200, "the response is not a JSON object")
        return body

    async def pages(self, request: RequestInformation) -> AsyncIterator[list[dict[str, Any]]]:
        """Yield every page's ``value`` list, following absolute nextLinks past empty pages;
        a nextLink seen before would loop forever, so it ends the listing as malformed."""
        seen: set[str] = set()
        while True:
            body = await self.get(request)
            value, next_link = body.get("value"), body.get("@odata.nextLink")
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise GraphError(
                    GapReason.MALFORMED_RESPONSE, 200, "a page has no 'value' list of objects"
                )
            yield value
            if not next_link:
                return
            if not isinstance(next_link, str) or not next_link.startswith(("http://", "https://")):
                raise GraphError(
                    GapReason.MALFORMED_RESPONSE, 200, "@odata.nextLink is not an absolute URL"
                )
            if next_link in seen:
                raise GraphError(
                    GapReason.MALFORMED_RESPONSE,
                    200,
                    "repeated cursor: the same @odata.nextLink twice",
                )
            seen.add(next_link)
            request = next_request(next_link)

    async def all(self, request: RequestInformation) -> list[dict[str, Any]]:
        return [item async for page in self.pages(request) for item in page]

    async def aclose(self) -> None:
        await self.http.aclose()


def next_request(url: str) -> RequestInformation:
    request = RequestInformation()
    request.http_method = Method.GET
    request.url = url
    request.headers.try_add("Accept", "application/json")
    return request


def query(
    builder: Any, select: list[str], *, top: int | None = None, filter: str | None = None
) -> RequestInformation:
    """A GET built by the SDK's own request builder, with ``$select``/``$top``/``$filter``."""
    params = getattr(type(builder), f"{type(builder).__name__}GetQueryParameters")
    options: dict[str, Any] = {"select": select}
    if top:
        options["top"] = top
    if filter:
        options["filter"] = filter
    return builder.to_get_request_information(
        RequestConfiguration(query_parameters=params(**options))
    )
