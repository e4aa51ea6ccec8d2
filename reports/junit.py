"""JUnit XML for CI dashboards: one test suite per target, one test case per check.

A check fails on a target when any of its findings fails, errors when one could not be
evaluated (or the target could not be scanned), and is skipped when all its findings are muted
or need a manual review. Output follows the Apache Ant JUnit schema (JUnit.xsd).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from reports.common import checks_by_target, gap_sentences, worst_first

# Characters XML 1.0 cannot carry, even escaped: a hostile name must not break the file.
INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render(document: dict[str, Any]) -> str:
    cells = checks_by_target(document)
    root = ET.Element("testsuites")
    for number, target in enumerate(document["targets"]):
        checks = sorted(check for name, check in cells if name == target["name"])
        suite = ET.SubElement(root, "testsuite")
        cases = [_case(target, check, cells[(target["name"], check)]) for check in checks]
        if target["error"]:
            cases.append(_scan_error(target))
        counts = {kind: sum(1 for c in cases if c.find(kind) is not None) for kind in _KINDS}
        _set(
            suite,
            name=target["name"],
            package=f"residency.{target['provider']}",
            id=str(number),
            timestamp=_timestamp(target["started_at"] or document["run"]["started_at"]),
            hostname="localhost",
            tests=str(len(cases)),
            failures=str(counts["failure"]),
            errors=str(counts["error"]),
            skipped=str(counts["skipped"]),
            time=_seconds(target["started_at"], target["finished_at"]),
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("provider", target["provider"]),
            ("verdict", document["summary"]["verdict"]),
            ("knowledge_base", document["knowledge_base"]["version"]),
            ("policy", document["policy"]["source"]),
            ("api_calls", str(target["api_calls_total"])),
        ):
            _set(ET.SubElement(properties, "property"), name=name, value=value)
        suite.extend(cases)
        ET.SubElement(suite, "system-out").text = _clean(
            "\n".join(target["coverage"]["read"]) or "nothing read"
        )
        ET.SubElement(suite, "system-err").text = _clean("\n".join(gap_sentences(target)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


_KINDS = ("failure", "error", "skipped")


def _case(target: dict[str, Any], check: str, findings: list[dict[str, Any]]) -> ET.Element:
    case = ET.Element("testcase")
    _set(case, name=check, classname=f"residency.{target['provider']}.{target['name']}", time="0")
    statuses = {f["status"] for f in findings}
    failing = worst_first(f for f in findings if f["status"] == "fail")
    errored = [f for f in findings if f["status"] == "error"]
    if failing:
        child = ET.SubElement(case, "failure")
        _set(
            child,
            type=failing[0]["severity"],
            message=f"{len(failing)} of {len(findings)} resource(s) fail: {failing[0]['title']}",
        )
        child.text = _clean(_lines(failing))
    elif errored:
        child = ET.SubElement(case, "error")
        _set(child, type="incomplete", message=f"{len(errored)} resource(s) could not be evaluated")
        child.text = _clean(_lines(errored))
    elif statuses <= {"muted", "manual"}:
        child = ET.SubElement(case, "skipped")
        _set(child, message=f"{len(findings)} finding(s) muted or awaiting manual review")
        child.text = _clean(_lines(findings))
    return case


def _scan_error(target: dict[str, Any]) -> ET.Element:
    case = ET.Element("testcase")
    _set(case, name="scan", classname=f"residency.{target['provider']}.{target['name']}", time="0")
    child = ET.SubElement(case, "error")
    _set(child, type="scan-failed", message=target["error"])
    return case


def _lines(findings: list[dict[str, Any]]) -> str:
    return "\n".join(f"{f['status'].upper()} {f['resource']}: {f['message']}" for f in findings)


def _set(element: ET.Element, **attributes: str) -> None:
    for name, value in attributes.items():
        element.set(name, _clean(value))


def _clean(text: str) -> str:
    return INVALID_XML.sub("\ufffd", text)


def _timestamp(value: str) -> str:
    """JUnit.xsd wants a timezone-less ISO time: the UTC time of the run."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _seconds(started: str | None, finished: str | None) -> str:
    if not started or not finished:
        return "0"
    delta = datetime.fromisoformat(finished) - datetime.fromisoformat(started)
    return f"{max(delta.total_seconds(), 0):.3f}"
