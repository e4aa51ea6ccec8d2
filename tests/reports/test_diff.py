"""`residency diff`: new, resolved and regressed findings by stable id, through the real CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from reports.diff import compare, render_html, render_json, render_text
from scanner.cli import main
from tests.reports.conftest import XSS, assert_golden


def _later(document: dict[str, Any]) -> dict[str, Any]:
    """The next run: one failure fixed, one pass regressed, one finding new, one gone."""
    later = copy.deepcopy(document)
    later["run"] = {**later["run"], "id": "00000000-0000-4000-8000-000000000002"}
    by_name = {f["resource_name"]: f for f in later["findings"]}
    by_name["kn-uk-support-tickets"]["status"] = "pass"
    by_name["kn-call-recordings"]["status"] = "fail"
    later["findings"].remove(by_name["kn-chat-transcripts-dr"])
    added = copy.deepcopy(by_name["kn-crm-exports-legacy-us"])
    added.update(id="0123456789abcdef", resource="aws:s3:::kn-new", resource_name="kn-new")
    later["findings"].append(added)
    return later


def test_compare_classifies_changes(document: dict[str, Any]) -> None:
    diff = compare(document, _later(document))
    assert [f["resource_name"] for f in diff["new"]] == ["kn-new"]
    assert [(f["resource_name"], f["previous_status"]) for f in diff["regressed"]] == [
        ("kn-call-recordings", "pass")
    ]
    resolved = {f["resource_name"]: f["current_status"] for f in diff["resolved"]}
    assert resolved == {"kn-uk-support-tickets": "pass", "kn-chat-transcripts-dr": "gone"}
    assert compare(document, document)["counts"] == {
        "new": 0, "regressed": 0, "resolved": 0, "unassessed": 0,
    }  # fmt: skip


def test_findings_of_a_target_that_could_not_be_read_are_not_resolved(
    document: dict[str, Any], tmp_path: Path
) -> None:
    """A target that failed this time has no findings: that is "not assessed", never
    "resolved", and the exit code says the comparison is incomplete (3)."""
    later = copy.deepcopy(document)
    failed = later["targets"][0]
    failed.update(complete=False, error="credentials rejected")
    later["findings"] = [f for f in later["findings"] if f["target"] != failed["name"]]
    diff = compare(document, later)
    gone = [f for f in document["findings"] if f["target"] == failed["name"]]
    open_before = [f for f in gone if f["status"] in ("fail", "warn", "error")]
    assert open_before and diff["counts"]["unassessed"] == len(open_before)
    assert not [f for f in diff["resolved"] if f["target"] == failed["name"]]
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(document))
    new.write_text(json.dumps(later))
    result = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 3 and "not assessed" in result.output


def test_diff_golden_files(document: dict[str, Any]) -> None:
    diff = compare(document, _later(document))
    assert_golden("diff.txt", render_text(diff))
    assert_golden("diff.json", render_json(diff))
    assert_golden("diff.html", render_html(diff))


def test_diff_html_and_text_keep_hostile_names_inert(document: dict[str, Any]) -> None:
    later = _later(document)
    hostile = next(f for f in later["findings"] if f["resource_name"] == "kn-new")
    hostile["resource_name"] = XSS + "\n  fail  fake-line"
    diff = compare(document, later)
    page = render_html(diff)
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\n  fail  fake-line" not in render_text(diff)


def test_cli_diff_exit_codes_and_formats(document: dict[str, Any], tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(document), encoding="utf-8")
    new.write_text(json.dumps(_later(document)), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["diff", str(old), str(new)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("1 new, 1 regressed, 2 resolved")
    same = runner.invoke(main, ["diff", str(old), str(old), "--format", "json"])
    assert same.exit_code == 0 and json.loads(same.output)["counts"]["new"] == 0
    out = tmp_path / "diff.html"
    written = runner.invoke(
        main, ["diff", str(old), str(new), "--format", "html", "--output", str(out)]
    )
    assert written.exit_code == 1 and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_diff_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_text('{"findings": []}', encoding="utf-8")
    runner = CliRunner()
    for args in ([str(bad), str(bad)], [str(other), str(other)], [str(tmp_path / "no.json")] * 2):
        result = runner.invoke(main, ["diff", *args])
        assert result.exit_code == 2
        assert result.output.count("\n") == 1 and "residency: error:" in result.output
