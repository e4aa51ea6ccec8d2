"""connectors.base.GapRecorder: the one way a failed call becomes a gap, for every connector."""

from __future__ import annotations

import asyncio

import pytest

from connectors.base import GapRecorder, Recorder
from core.errors import AuthError
from core.models import Collection, Gap, GapReason


class Fatal(LookupError):
    """Stands for an error that must end the target (a rejected token)."""


class Reads(GapRecorder):
    provider = "test"
    errors = (LookupError,)

    def __init__(self) -> None:
        self.collection = Collection("t", "test", "2026-12-01T00:00:00+00:00")
        self.recorder = Recorder(self.collection)

    def classify(
        self, operation: str, error: Exception, region: str | None = None
    ) -> tuple[GapReason, str]:
        return GapReason.API_ERROR, f"{operation} in {region}: {error}"

    def stop(self, error: Exception) -> None:
        if isinstance(error, Fatal):
            raise AuthError("stop") from None


def fails(error: Exception) -> dict[str, str]:
    raise error


def test_an_answer_is_returned_and_noted_as_read() -> None:
    reads = Reads()
    assert reads.attempt("svc", "Get", lambda: {"a": 1}) == ({"a": 1}, False)
    assert reads.attempt("svc", "List", lambda: [], read=False) == ([], False)
    assert reads.collection.read == ["Get"] and reads.collection.gaps == []


def test_a_failure_is_one_gap_worded_by_the_provider() -> None:
    reads = Reads()
    answer = reads.attempt(
        "svc", "Get", lambda: fails(KeyError("k")), resource="r1", region="eu-west-1"
    )
    assert answer == (None, False)
    assert reads.collection.gaps == [
        Gap("test", "svc", "Get", GapReason.API_ERROR, "Get in eu-west-1: 'k'", "r1", "eu-west-1")
    ]
    assert reads.collection.read == []


def test_absent_is_no_gap_and_is_told_apart_from_a_failure() -> None:
    reads = Reads()
    absent = reads.attempt(
        "svc", "Get", lambda: fails(KeyError("none")), absent=lambda e: "none" in str(e)
    )
    assert absent == (None, True) and reads.collection.gaps == []


def test_a_fatal_error_stops_and_other_errors_are_not_swallowed() -> None:
    reads = Reads()
    with pytest.raises(AuthError):
        reads.attempt("svc", "Get", lambda: fails(Fatal("401")))
    with pytest.raises(ValueError):
        reads.attempt("svc", "Get", lambda: fails(ValueError("a bug")))
    assert reads.collection.gaps == []


def test_the_async_variant_behaves_the_same() -> None:
    reads = Reads()

    async def ok() -> int:
        return 7

    async def broken() -> int:
        raise IndexError("page 2")

    async def run() -> list[tuple[int | None, bool]]:
        return [
            await reads.attempt_async("svc", "Ok", ok()),
            await reads.attempt_async("svc", "Broken", broken(), resource="r"),
        ]

    assert asyncio.run(run()) == [(7, False), (None, False)]
    assert reads.collection.read == ["Ok"]
    [gap] = reads.collection.gaps
    assert (gap.operation, gap.resource, gap.message) == ("Broken", "r", "Broken in None: page 2")
