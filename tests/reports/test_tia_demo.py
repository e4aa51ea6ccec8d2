"""The demo company's TIA drafts: every third-country transfer of the register is in a draft, and
the AWS draft has the US replication copies and the US multi-Region key replica with steps 1, 2
and 4 filled from the scan and the open questions listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports import tia
from reports.load import load_report
from reports.register import register
from tests.conftest import run_cli

US_COPIES = (
    "kn-connect-recordings -> kn-connect-recordings-dr",
    "kn-chat-transcripts -> kn-chat-transcripts-dr",
    "kn-customer-profiles -> kn-customer-profiles (us-east-1)",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--output-dir", str(out), "--no-summary", "--format", "json",
                     "--format", "tia")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return out


def test_every_third_country_transfer_has_a_draft(demo: Path) -> None:
    document = load_report(demo / "report.json")
    drafts = tia.drafts(document)
    rows = [r for r in register(document) if r["jurisdiction"] == "third country"]
    assert {(d.recipient, " ".join(d.countries)) for d in drafts} == {
        (r["recipient"], r["country"]) for r in rows
    }
    drafted = {(d.recipient, row[2]) for d in drafts for row in d.sections[0].rows}
    assert {(r["recipient"], r["resources"]) for r in rows} == drafted
    text = (demo / "report.tia.md").read_text(encoding="utf-8")
    assert text.count("# Transfer impact assessment (draft):") == len(drafts)


def test_the_aws_draft_fills_steps_1_2_4_from_the_scan(demo: Path) -> None:
    drafts = tia.drafts(load_report(demo / "report.json"))
    (aws,) = [d for d in drafts if d.recipient == "Amazon Web Services EMEA SARL"]
    know, tool, law, measures, _, again = aws.sections
    resources = [row[2] for row in know.rows]
    assert all(copy in resources for copy in US_COPIES)
    assert any(r.startswith("call recordings -> arn:aws:kms:us-east-1:") for r in resources)
    assert any("SCC module 2" in f.text and f.source == "transfer register" for f in tool.facts)
    assert any("C-703/25 P" in f.text for f in tool.facts)
    assert {f.source for f in law.facts} >= {"https://eur-lex.europa.eu/eli/dec_impl/2023/1795/oj"}
    found = {(row[0], row[1], row[4]) for row in measures.rows}
    assert ("Key custody", "call recordings", "fail") in found
    assert ("Encryption in transit (TLS enforced)", "kn-crm-exports-legacy-us", "fail") in found
    assert any(f.text == "Next evaluation: 2027-03-01" for f in again.facts)
    assert all(s.questions for s in (know, tool, law, measures))


def test_tia_command_writes_self_contained_html_drafts(demo: Path, tmp_path: Path) -> None:
    result = run_cli("tia", str(demo / "report.json"), "--output-dir", str(tmp_path),
                     "--format", "html")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    pages = sorted(tmp_path.glob("tia-*.html"))
    assert [str(p) for p in pages] == sorted(result.stdout.split())
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "<script src" not in text and "<link" not in text
        assert "QUESTION:" in text
