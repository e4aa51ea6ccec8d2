"""Calls that turn per-resource failures into gaps, so one unreadable part never stops the scan."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from slack_sdk.errors import SlackClientError

from connectors.base import GapRecorder, Recorder
from connectors.slack.client import MalformedPage, NoToken, SlackApi, classify
from connectors.slack.methods import METHODS
from core.models import GapReason

# What a read can fail with: the API said no, the transport failed, or no token fits.
ReadError = (SlackClientError, NoToken, MalformedPage, OSError)


class Reader(GapRecorder):
    provider = "slack"
    errors = ReadError

    def __init__(self, api: SlackApi, recorder: Recorder) -> None:
        self.api = api
        self.recorder = recorder

    def classify(
        self, operation: str, error: Exception, region: str | None = None
    ) -> tuple[GapReason, str]:
        return classify(operation, error, self.api.settings.max_retries)

    def gap(self, method: str, error: Exception, resource: str | None = None) -> GapReason:
        """Record the failure as a gap of the method's feature; returns the gap reason."""
        return self.failed(METHODS[method].feature, method, error, resource)

    def call(self, method: str, resource: str | None = None, **params: Any) -> dict | None:
        return self.attempt(
            METHODS[method].feature,
            method,
            lambda: self.api.call(method, **params),
            resource=resource,
        )[0]

    def collect(
        self, method: str, key: str, *, numbered: bool = False, **params: Any
    ) -> list | None:
        """All items under ``key`` across pages; ``None`` (and a gap) if any page failed, so a
        partial list is never mistaken for the whole."""
        return self.attempt(
            METHODS[method].feature,
            method,
            lambda: self.items(method, key, numbered=numbered, **params),
            read=False,  # items() notes the read
        )[0]

    def items(self, method: str, key: str, *, numbered: bool = False, **params: Any) -> list:
        """As :meth:`collect`, but a failure is raised (one of ``ReadError``) for callers that
        can fall back to a narrower read."""
        pages: Iterator[dict[str, Any]] = (
            self.api.numbered_pages(method, **params)
            if numbered
            else self.api.pages(method, **params)
        )
        items: list[Any] = []
        for page in pages:
            value = page.get(key) or []
            if not isinstance(value, list) or not all(isinstance(i, dict) for i in value):
                raise MalformedPage(f"{key} is not a list of objects")
            items.extend(value)
        self.recorder.read(method)
        return items

    def fan_out(self, method: str, requests: dict[str, dict[str, Any]]) -> dict[str, dict]:
        """``{resource: params}`` -> ``{resource: body}`` for the calls that worked; each failure
        is a gap naming its resource."""
        if not requests:
            return {}
        try:
            results = self.api.fan_out(method, list(requests.values()))
        except NoToken as exc:
            self.gap(method, exc)
            return {}
        bodies: dict[str, dict] = {}
        for resource, result in zip(requests, results, strict=True):
            if isinstance(result, Exception):
                self.gap(method, result, resource)
            else:
                bodies[resource] = result
        if bodies:
            self.recorder.read(method)
        return bodies
