"""Each format rendered from the fixed findings document: golden files and published schemas."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import xmlschema

from reports import html, junit, markdown, ocsf, sarif, transfer_register
from reports.registry import FORMATS, renderer
from tests.reports.conftest import XSS, assert_golden

SCHEMAS = Path(__file__).parents[2] / "reports" / "schemas" / "third_party"


def test_every_format_is_registered_and_renders(document: dict[str, Any]) -> None:
    assert {"json", "html", "csv", "sarif", "junit", "ocsf", "md"} <= set(FORMATS)
    for name in FORMATS:
        render, extension = renderer(name)
        assert render(document), name
        assert extension


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("report.csv", transfer_register.render),
        ("report.sarif", sarif.render),
        ("report.junit.xml", junit.render),
        ("report.ocsf.json", ocsf.render),
        ("report.md", markdown.render),
    ],
)
def test_golden(name: str, render: Any, document: dict[str, Any]) -> None:
    assert_golden(name, render(document))


def test_html_golden_with_payload_decoded(document: dict[str, Any]) -> None:
    """The page with its compressed data block shown as JSON, so a diff of it is readable."""
    page = html.render(document)
    blob = re.search(r'data-page-size="\d+">([A-Za-z0-9+/=]+)</script>', page).group(1)
    data = json.dumps(html.decode_payload(blob), indent=1, ensure_ascii=False)
    assert_golden("report.html", page.replace(blob, "\n" + data + "\n"))


def test_sarif_validates_against_the_published_schema(document: dict[str, Any]) -> None:
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(sarif.render(document))
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert len(results) == sum(1 for f in document["findings"] if f["status"] != "pass")
    muted = [r for r in results if r["properties"]["status"] == "muted"]
    assert muted and all(r["suppressions"][0]["status"] == "accepted" for r in muted)
    ids = {r["partialFingerprints"]["residencyFindingId/v1"] for r in results}
    assert len(ids) == len(results)


def test_sarif_is_rejected_by_the_schema_when_broken(document: dict[str, Any]) -> None:
    """The schema really constrains: a wrong level fails validation (guards a vacuous test)."""
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(sarif.render(document))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(log)


def test_junit_validates_against_the_xsd_and_counts(document: dict[str, Any]) -> None:
    schema = xmlschema.XMLSchema(SCHEMAS / "JUnit.xsd")
    text = junit.render(document)
    schema.validate(text)
    tree = schema.to_dict(text)
    suites = {s["@name"]: s for s in tree["testsuite"]}
    assert set(suites) == {t["name"] for t in document["targets"]}
    aws = suites["klantenservice-noord-aws"]
    assert (aws["@tests"], aws["@failures"], aws["@errors"]) == (4, 2, 0)
    slack = suites["kn-slack"]
    assert (slack["@failures"], slack["@errors"]) == (2, 1)
    assert suites["kn-m365"]["@errors"] == 1


def test_junit_survives_control_characters(document: dict[str, Any]) -> None:
    document["findings"][0]["message"] = "bad\x00\x1bname"
    document["findings"][0]["status"] = "fail"
    xmlschema.XMLSchema(SCHEMAS / "JUnit.xsd").validate(junit.render(document))


def test_ocsf_validates_against_the_compliance_finding_schema(document: dict[str, Any]) -> None:
    schema = json.loads(
        (SCHEMAS / "ocsf-1.8.0-compliance_finding.schema.json").read_text(encoding="utf-8")
    )
    validator = jsonschema.Draft202012Validator(schema)
    events = json.loads(ocsf.render(document))
    assert len(events) == len(document["findings"])
    for event in events:
        validator.validate(event)
    assert {e["class_uid"] for e in events} == {2003}
    broken = {**events[0], "surprise": 1}
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(broken)


def register_rows(document: dict[str, Any]) -> list[dict[str, str]]:
    text = transfer_register.render(document)
    assert text.startswith("\ufeff")  # the BOM that makes Excel read UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_transfer_register_one_row_per_place_and_flow(document: dict[str, Any]) -> None:
    source = next(f for f in document["findings"] if f["resource_name"] == "kn-chat-transcripts")
    source["evidence"]["data_categories"] = ["chat"]
    rows = register_rows(document)
    by_place = {(r["entry"], r["destination"]): r for r in rows}
    assert len(by_place) == len(rows) == 11
    us_east = by_place["storage", "US East (N. Virginia) (aws:us-east-1)"]
    assert us_east["resource_count"] == "2"
    assert us_east["resources"] == f"{XSS}; kn-crm-exports-legacy-us"
    assert us_east["transfer_tool"] == "SCC in the provider's DPA (module 2, 3)"
    assert us_east["recipient"] == "AWS EMEA SARL" and us_east["recipient_role"] == "processor"
    frankfurt = by_place["storage", "Europe (Frankfurt) (aws:eu-central-1)"]
    assert (frankfurt["jurisdiction"], frankfurt["transfer_tool"]) == ("EU", "not needed (EU/EEA)")
    london = by_place["storage", "Europe (London) (aws:eu-west-2)"]
    assert london["transfer_tool"].startswith("adequacy decision (Commission Implementing")
    copy = by_place["replication", "US West (Oregon) (aws:us-west-2)"]
    assert copy["data_categories"] == "chat"  # inherited from the source bucket
    assert copy["source"] == "Europe (Ireland) (aws:eu-west-1)"
    assert copy["country"] == "US" and copy["verdict"] == "fail"
    zendesk = next(r for r in rows if r["resources"] == "Zendesk bridge")
    assert zendesk["transfer_tool"] == "unknown (location unknown)"
    # processor and coverage findings are no places: they fill the recipient and tool columns
    assert {r["checks"] for r in rows} == {"storage-outside-allowed", "replication-outside-allowed"}


@pytest.mark.parametrize(
    "name",
    ['=HYPERLINK("http://evil","x")', " =1+1", "\t@SUM(A1)", "|cmd '/c calc'!A0", "%0A=1"],
)
def test_transfer_register_defuses_spreadsheet_formulas(
    document: dict[str, Any], name: str
) -> None:
    finding = next(f for f in document["findings"] if f["resource_name"] == "kn-call-recordings")
    finding["resource_name"] = name
    row = next(r for r in register_rows(document) if "Frankfurt" in r["destination"])
    assert row["resources"] == "'" + name.replace("\t", " ")  # control characters become spaces


def test_transfer_register_cuts_a_resource_list_a_spreadsheet_cell_cannot_hold(
    document: dict[str, Any],
) -> None:
    bucket = next(f for f in document["findings"] if f["resource_name"] == "kn-call-recordings")
    copies = [
        {**bucket, "id": f"copy-{i}", "resource": f"aws:s3:::b-{i}", "resource_name": f"b-{i:05}"}
        for i in range(6000)
    ]
    document["findings"] += copies
    row = next(r for r in register_rows(document) if "Frankfurt" in r["destination"])
    assert row["resource_count"] == "6001"
    assert len(row["resources"]) <= 32_767
    listed = row["resources"].split("; ")
    assert listed[-1] == f"… and {6001 - len(listed[:-1])} more"
    assert listed[:3] == ["b-00000", "b-00001", "b-00002"]


def test_transfer_register_uses_the_vendor_register(document: dict[str, Any]) -> None:
    processor = next(f for f in document["findings"] if f["resource"].endswith("aws:us-west-2"))
    processor["evidence"]["vendor_register"] = {
        "id": "aws",
        "legal_entity": "Amazon Web Services EMEA SARL",
        "transfer_tool": "scc",
        "scc_module": 2,
        "tia_date": "2026-01-15",
        "dpa_signed": "2025-11-01",
    }
    rows = register_rows(document)
    dr = next(r for r in rows if r["resources"] == "kn-chat-transcripts-dr")
    assert (dr["transfer_tool"], dr["tia_date"], dr["dpa_date"]) == (
        "SCC module 2",
        "2026-01-15",
        "2025-11-01",
    )
    assert dr["recipient"] == "Amazon Web Services EMEA SARL"
    ireland = next(r for r in rows if r["resources"] == "kn-chat-transcripts")
    assert (ireland["tia_date"], ireland["dpa_date"]) == ("", "2025-11-01")  # no transfer, no TIA


def test_markdown_is_short_and_inert(document: dict[str, Any]) -> None:
    text = markdown.render(document)
    assert len(text.splitlines()) <= 25
    assert f"`{XSS}`" in text
    document["findings"][0].update(status="fail", resource_name="a`b|[x](http://e)")
    assert "`a'b\\|[x](http://e)`" in markdown.render(document)


def test_html_escapes_server_rendered_cloud_values(document: dict[str, Any]) -> None:
    document["targets"][1]["coverage"]["gaps"][0]["message"] = XSS
    document["targets"][1]["name"] = "<script>alert(2)</script>"
    page = html.render(document)
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "Content-Security-Policy" in page and "default-src &#39;none&#39;" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)


def test_html_portfolio_matrix_only_with_several_targets(document: dict[str, Any]) -> None:
    assert 'class="matrix"' in html.render(document)
    single = {**document, "targets": document["targets"][:1]}
    single["findings"] = [
        f for f in document["findings"] if f["target"] == single["targets"][0]["name"]
    ]
    assert 'class="matrix"' not in html.render(single)


@pytest.mark.parametrize("name", ["md", "csv", "tia"])
def test_text_formats_carry_no_terminal_control_characters(
    document: dict[str, Any], name: str
) -> None:
    """`cat report.md` must not run a cloud name's escape sequences (title, colours, bell)."""
    from reports.registry import renderer

    hostile = "kn\x1b]0;owned\x07-\x1b[31mred"
    for finding in document["findings"]:
        if finding["resource_name"] == "kn-chat-transcripts-dr":  # a US copy: in every format
            finding["resource_name"] = hostile
    render, _ = renderer(name)
    text = render(document)
    assert "owned" in text  # the name is shown...
    assert "\x1b" not in text and "\x07" not in text  # ...as text only
