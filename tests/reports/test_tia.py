"""Transfer impact assessment drafts on small evidence: the AWS copies and the multi-Region key
replica of the demo company in us-east-1, cut down to the findings behind one draft.

Each EDPB step is compared with a golden file (UPDATE_GOLDEN=1 rewrites them; review the diff).
A country the knowledge base has no law facts on yields the fixed sentence and questions only.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from core.knowledge import default_kb
from reports import tia
from reports.registry import renderer
from tests.conftest import run_cli
from tests.reports.conftest import HERE, XSS, assert_golden

FIXTURE = HERE / "fixtures" / "tia_findings.json"
TOKEN = "xoxb-123456789012-abcdefABCDEF"


@pytest.fixture
def evidence() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return document


def step(text: str, number: int) -> str:
    """The Markdown of one step, from its heading to the next step's."""
    start = text.index(f"## Step {number}:")
    end = text.find(f"## Step {number + 1}:", start)
    return text[start : end if end > 0 else len(text)]


def _moved(document: dict[str, Any], country: str) -> dict[str, Any]:
    """The same transfers, but to ``country``: location, country and place of every finding."""
    moved = copy.deepcopy(document)
    for finding in moved["findings"]:
        if finding["country"] == "US":
            finding["country"] = country
            place = finding["evidence"].get("place")
            if place:
                place["countries"], place["adequacy"] = [country], []
    return moved


@pytest.mark.parametrize("number", range(1, 7))
def test_each_step_matches_its_golden_draft(evidence: dict[str, Any], number: int) -> None:
    (draft,) = tia.drafts(evidence)
    assert_golden(f"tia/step-{number}.md", step(tia.markdown(draft), number))


def test_one_draft_per_recipient_and_country_covers_the_copies_and_the_key(
    evidence: dict[str, Any],
) -> None:
    (draft,) = tia.drafts(evidence)
    assert (draft.recipient, draft.countries) == ("Amazon Web Services EMEA SARL", ("US",))
    know, tool, law, measures = draft.sections[:4]
    resources = {row[2] for row in know.rows}
    assert "kn-connect-recordings -> kn-connect-recordings-dr" in resources
    assert any(r.startswith("call recordings -> arn:aws:kms:us-east-1:") for r in resources)
    assert "kn-connect-recordings" not in resources  # stays in Frankfurt: not a transfer
    assert any("SCC module 2, TIA 2024-04-15" in f.text for f in tool.facts)
    assert all(f.source.startswith("https://") for f in law.facts)
    assert {row[0] for row in measures.rows} == {
        "Encryption at rest",
        "Encryption in transit (TLS enforced)",
        "Key custody",
        "Access logging",
    }
    assert all(section.questions for section in draft.sections[:5])


def test_a_country_without_facts_gets_questions_and_no_invented_text(
    evidence: dict[str, Any],
) -> None:
    assert default_kb().destination_law("BR") is None
    (draft,) = tia.drafts(_moved(evidence, "BR"))
    law = draft.sections[2]
    assert law.facts == []
    assert law.text == [
        "The knowledge base has no facts on the law and practice of Brazil (BR). The draft does "
        "not fill them in: answer the questions below from primary sources."
    ]
    asked = tia.guide()["questions"]
    fill = {"country": "Brazil", "recipient": draft.recipient, "resources": "", "targets": ""}
    expected = [q.format(**fill) for q in asked["step3"] + asked["step3_unknown"]]
    assert sorted(law.questions) == sorted(expected)
    text = tia.markdown(draft)
    for fact in default_kb().destination_law("US")["facts"]:  # type: ignore[index]
        assert fact["source"] not in text
        assert fact["title"] not in text


def test_cloud_names_are_escaped_and_secrets_redacted(evidence: dict[str, Any]) -> None:
    hostile = f"{XSS} [x](javascript:alert(1)) `code` | {TOKEN}"
    for finding in evidence["findings"]:
        if finding["resource_name"] == "kn-connect-recordings-dr":
            finding["resource_name"] = hostile
    (draft,) = tia.drafts(evidence)
    markdown, page = tia.markdown(draft), tia.html(draft)
    for text in (markdown, page):
        assert TOKEN not in text
        assert "<img" not in text
    assert "\\[x\\](javascript:alert(1)) \\`code\\` \\|" in markdown
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'http-equiv="Content-Security-Policy" content="default-src' in page


def test_format_tia_writes_every_draft_or_says_there_is_none(evidence: dict[str, Any]) -> None:
    render, extension = renderer("tia")
    assert extension == "tia.md"
    assert render(evidence).count("# Transfer impact assessment (draft):") == 1
    inside = copy.deepcopy(evidence)
    inside["findings"] = [f for f in inside["findings"] if f["jurisdiction"] != "third_country"]
    assert "No transfer to a third country" in render(inside)


def test_tia_command_writes_one_file_per_draft(tmp_path: Path) -> None:
    for output_format in ("md", "html"):
        result = run_cli("tia", str(FIXTURE), "--output-dir", str(tmp_path),
                         "--format", output_format)  # fmt: skip
        assert result.exit_code == 0, result.stderr
        written = tmp_path / f"tia-amazon-web-services-emea-sarl-us.{output_format}"
        assert result.stdout.split() == [str(written)]
        assert "Step 6: Re-evaluate" in written.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("missing.json",), "missing.json: cannot read"),
        (("{bad}",), "not valid JSON"),
        (("ok", "--format", "pdf"), "Invalid value for '--format'"),
    ],
)
def test_tia_command_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    path = tmp_path / "report.json"
    path.write_text(args[0] if args[0].startswith("{") else "{}", encoding="utf-8")
    target = args[0] if args[0] == "missing.json" else str(path)
    result = run_cli("tia", str(tmp_path / target) if target == "missing.json" else target,
                     *args[1:])  # fmt: skip
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_tia_command_without_third_country_transfer_writes_nothing(
    evidence: dict[str, Any], tmp_path: Path
) -> None:
    evidence["findings"] = [f for f in evidence["findings"] if f["country"] != "US"]
    report = tmp_path / "report.json"
    report.write_text(json.dumps(evidence), encoding="utf-8")
    result = run_cli("tia", str(report), "--output-dir", str(tmp_path / "out"))
    assert result.exit_code == 0
    assert "no transfer to a third country" in result.stderr
    assert not (tmp_path / "out").exists()


def test_an_app_match_in_the_evidence_still_gives_the_register_entry(
    evidence: dict[str, Any],
) -> None:
    """App checks record the register entry inside the match that found it ({vendor, matched_by});
    the draft reads it the same as a plain entry, with its TIA and review dates."""
    plain = tia.markdown(tia.drafts(evidence)[0])
    for finding in evidence["findings"]:
        entry = finding["evidence"].get("vendor_register")
        if entry:
            finding["evidence"]["vendor_register"] = {
                "vendor": entry,
                "matched_by": "app_id",
                "matched_value": "A0APP",
            }
    wrapped = tia.markdown(tia.drafts(evidence)[0])
    assert wrapped == plain
    assert "2027-03-01" in wrapped  # the register's review date
