"""Run folders: text order is creation order, whatever the clock does."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scanner.runs import RunFolder

NOON = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def make(root: Path, when: datetime) -> Path:
    folder = RunFolder(root, uuid.uuid4().hex, clock=lambda: when)
    folder.write("changes.json", "{}")
    return folder.path


def test_runs_within_one_second_sort_in_creation_order(tmp_path: Path) -> None:
    made = [RunFolder(tmp_path, uuid.uuid4().hex) for _ in range(30)]
    for folder in made:
        folder.write("changes.json", "{}")
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == [f.path.name for f in made]


def test_a_clock_that_stands_still_or_steps_back_still_sorts_new_runs_last(
    tmp_path: Path,
) -> None:
    made = [
        make(tmp_path, NOON),
        make(tmp_path, NOON),  # same microsecond
        make(tmp_path, NOON - timedelta(minutes=5)),  # NTP stepped back
        make(tmp_path, NOON + timedelta(hours=1)),
    ]
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == [p.name for p in made]
    assert made[1].name.startswith("20250301T120000.000001Z-")
    assert made[3].name.startswith("20250301T130000.000000Z-")
