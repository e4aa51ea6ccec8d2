"""The transfer register of the demo company, read as a DPO files it for the Art. 30 records.

The expected rows are written from Art. 30(1)(d)-(e) and 30(2)(c): what data, which recipient,
where to (country and jurisdiction), under which transfer tool with its TIA and DPA dates, and
which resources stand behind each place or flow. The CSV is read back with Python's csv module
and with LibreOffice Calc (Debian's headless package), which must find the same rows.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reports import transfer_register
from reports.load import load_report
from tests.conftest import require_system_tool, run_cli

AWS, M365, SLACK = (
    "klantenservice-noord-aws",
    "klantenservice-noord-m365",
    "klantenservice-noord-slack",
)
AMAZON, MICROSOFT = "Amazon Web Services EMEA SARL", "Microsoft Ireland Operations Ltd"
FRANKFURT = "Europe (Frankfurt) (aws:eu-central-1)"
US_EAST, US_WEST = "US East (N. Virginia) (aws:us-east-1)", "US West (Oregon) (aws:us-west-2)"
EUR = "Europe / Middle East / Africa (EU macro region) (m365:EUR)"
NAM = "United States ('North America') (m365:NAM)"
EMEA = "Entra EMEA geography (Europe, Middle East, Africa) (entra:EU)"
EU = ("EU", "not needed (EU/EEA)", "")
SCC = ("third country", "SCC module 2", "2024-04-15")  # the AWS entry of the vendor register
SWISS = ("adequacy decision", "adequacy decision (Commission Decision 2000/518/EC)", "")
UK = (
    "adequacy decision",
    "adequacy decision (Commission Implementing Decision (EU) 2021/1772, as amended)",
    "",
)
NONE_US = ("third country", "none on record", "")
UNKNOWN = ("unknown", "unknown (location unknown)", "")
AWS_DPA, SLACK_DPA, TICKETFLOW_DPA = "2024-03-01", "2025-03-10", "2024-09-01"
# (target, entry, resources, data categories, recipient, destination, (jurisdiction, tool, TIA),
#  DPA date, verdict)
EXPECTED = {
    (AWS, "storage", "kn-account-trail", "activity_logs", AMAZON, FRANKFURT, EU, AWS_DPA, "pass"),
    (AWS, "storage", "kn-contact-centre", "call_recordings; chat; customer_profiles", AMAZON,
     FRANKFURT, EU, AWS_DPA, "pass"),
    (AWS, "storage", "kn-contact-centre: call recordings -> s3://kn-connect-recordings/connect/"
     "recordings; kn-contact-centre: chat transcripts -> s3://kn-connect-recordings/connect/"
     "chats; kn-contact-centre: media streams -> kinesis video kn-live-audio",
     "call_recordings; chat", AMAZON, FRANKFURT, EU, AWS_DPA, "pass"),
    (AWS, "storage", "kn-customer-profiles", "unclassified", AMAZON, FRANKFURT, EU, AWS_DPA,
     "pass"),
    (AWS, "storage", "EU customer data; call recordings", "encryption_keys", AMAZON, FRANKFURT, EU,
     AWS_DPA, "pass"),
    (AWS, "storage", "/kn/cloudtrail", "logs", AMAZON, FRANKFURT, EU, AWS_DPA, "pass"),
    (AWS, "storage", "kn-audit-logs; kn-call-recordings; kn-connect-recordings; "
     "kn-transcription-exchange", "call_recordings; chat; unclassified", AMAZON, FRANKFURT, EU,
     AWS_DPA, "pass"),
    (AWS, "storage", "kn-chat-transcripts; kn-crm-exports-partner", "unclassified", AMAZON,
     "Europe (Ireland) (aws:eu-west-1)", EU, AWS_DPA, "pass"),
    (AWS, "storage", "kn-crm-db-snapshot", "backups", AMAZON, FRANKFURT, EU, AWS_DPA, "pass"),
    # who else can read it (Art. 30(1)(d): recipients): a registered vendor, the public, a stranger
    (AWS, "disclosure", "kn-transcription-exchange -> account 210987654321", "unclassified",
     "VoxScript GmbH", "Germany (country:DE)", EU, "2025-06-01", "pass"),
    (AWS, "disclosure", "kn-crm-db-snapshot -> anyone (public)", "backups", "anyone (public)",
     "unknown location", UNKNOWN, "", "fail"),
    (AWS, "disclosure", "kn-crm-exports-partner -> account 555566667777", "unclassified",
     "account 555566667777", "unknown location", UNKNOWN, "", "fail"),
    (AWS, "storage", "kn-uk-support-tickets", "unclassified", AMAZON,
     "Europe (London) (aws:eu-west-2)", UK, AWS_DPA, "fail"),
    (AWS, "storage", "kn-contact-centre: scheduled reports -> s3://kn-crm-exports/connect/reports",
     "reports", AMAZON, "Europe (Paris) (aws:eu-west-3)", EU, AWS_DPA, "pass"),
    (AWS, "storage", "kn-crm-exports", "reports", AMAZON, "Europe (Paris) (aws:eu-west-3)", EU,
     AWS_DPA, "pass"),
    (AWS, "storage", "kn-quality-samples", "unclassified", AMAZON,
     "Europe (Stockholm) (aws:eu-north-1)", EU, AWS_DPA, "pass"),
    (AWS, "storage", "kn-ch-partner-exports", "unclassified", AMAZON,
     "Europe (Zurich) (aws:eu-central-2)", SWISS, AWS_DPA, "pass"),
    (AWS, "storage", "call recordings", "encryption_keys", AMAZON, US_EAST, SCC, AWS_DPA, "fail"),
    # the replica bucket holds what replication copies into it
    (AWS, "storage", "kn-connect-recordings-dr; kn-crm-exports-legacy-us",
     "call_recordings; chat; unclassified", AMAZON, US_EAST, SCC, AWS_DPA, "fail"),
    (AWS, "storage", "kn-chat-transcripts-dr", "unclassified", AMAZON, US_WEST, SCC, AWS_DPA,
     "fail"),
    # copies inherit their source's data categories
    (AWS, "replication", "kn-account-trail -> kn-audit-logs", "activity_logs", AMAZON, FRANKFURT,
     EU, AWS_DPA, "pass"),
    (AWS, "replication", "kn-customer-profiles -> kn-customer-profiles (us-east-1)",
     "unclassified", AMAZON, US_EAST, SCC, AWS_DPA, "fail"),
    (AWS, "replication", "call recordings -> arn:aws:kms:us-east-1:123456789012:key/mrk-* "
     "(us-east-1)", "encryption_keys", AMAZON, US_EAST, SCC, AWS_DPA, "fail"),
    (AWS, "replication", "kn-connect-recordings -> kn-connect-recordings-dr",
     "call_recordings; chat", AMAZON, US_EAST, SCC, AWS_DPA, "fail"),
    (AWS, "replication", "kn-chat-transcripts -> kn-chat-transcripts-dr", "unclassified", AMAZON,
     US_WEST, SCC, AWS_DPA, "fail"),
    (M365, "storage", "Helpdesk Noord B.V.", "directory", MICROSOFT, EUR, SWISS, "", "pass"),
    (M365, "storage", "Microsoft 365 groups' mailboxes and files in default geo EUR",
     "chat; email; files", MICROSOFT, EUR, SWISS, "", "pass"),
    (M365, "storage", "SharePoint and OneDrive sites in default geo EUR", "files", MICROSOFT, EUR,
     SWISS, "", "pass"),
    (M365, "storage", "Users' mailboxes, OneDrive and chats in default geo EUR",
     "call_recordings; chat; email; files", MICROSOFT, EUR, SWISS, "", "pass"),
    # Microsoft is not in the demo's vendor register: its own DPA's SCCs, no TIA on record
    (M365, "storage", "Multi-Geo location NAM (1 sites, 2 users)",
     "call_recordings; chat; email; files", MICROSOFT, NAM,
     ("third country", "SCC in the provider's DPA (module 3)", ""), "", "fail"),
    # Entra's "EU" scope is EMEA: no country, so the DPO confirms (manual), never a pass
    (M365, "app_access", "TicketFlow Helpdesk", "email; user_profiles", "TicketFlow B.V.", EMEA,
     UNKNOWN, TICKETFLOW_DPA, "manual"),
    (M365, "app_access", "MailMetrics Analytics", "email", "MailMetrics Inc.", NAM, NONE_US, "",
     "fail"),
    (M365, "app_access", "CalendarSync Pro", "calendars_contacts",
     "unverified publisher (tenant e9d8c7b6-a5f4-4e3d-9c2b-1a0f9e8d7c6b)", "unknown location",
     UNKNOWN, "", "fail"),
    (M365, "sharing", "partner tenant d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6", "",
     "partner tenant d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6", EMEA, UNKNOWN, "", "manual"),
    (M365, "sharing", "guests from fabrikam-us.com (1 guests)", "",
     "guests from fabrikam-us.com (1 guests)", NAM, NONE_US, "", "warn"),
    (M365, "sharing", "guests from gmail.com (1 guests)", "", "guests from gmail.com (1 guests)",
     "unknown location", UNKNOWN, "", "warn"),
    (SLACK, "storage", "Klantenservice Noord", "chat; files", "Slack Technologies Limited",
     "Frankfurt, Germany (slack:frankfurt)", EU, SLACK_DPA, "pass"),
    (SLACK, "app_access", "CallScribe Transcription", "files; messages",
     "CallScribe Transcription", "unknown location", UNKNOWN, "", "fail"),
    (SLACK, "sharing", "Acme Contact Centers Inc.", "", "Acme Contact Centers Inc.",
     "unknown location", UNKNOWN, "", "warn"),
}  # fmt: skip
SECURITY_CHECKS = {
    "aws-encryption-at-rest",
    "aws-s3-tls-only",
    "aws-cloudtrail-log-validation",
    "aws-kms-key-location",
    "aws-region-guardrail",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = run_cli("demo", "--output-dir", str(out), "--no-summary", "--format", "json",
                     "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def art30(row: dict[str, str]) -> tuple[object, ...]:
    resources = re.sub(r"mrk-[0-9a-f-]+", "mrk-*", row["resources"])
    return (
        row["target"],
        row["entry"],
        resources,
        row["data_categories"],
        row["recipient"],
        row["destination"],
        (row["jurisdiction"], row["transfer_tool"], row["tia_date"]),
        row["dpa_date"],
        row["verdict"],
    )


def test_demo_register_lists_each_place_and_flow_once(demo: Path) -> None:
    rows = read_csv(demo / "report.csv")
    assert [art30(r) for r in rows if art30(r) not in EXPECTED] == []
    assert {art30(r) for r in rows} == EXPECTED
    assert len(rows) == len(EXPECTED)  # each place and flow once
    assert all(int(r["resource_count"]) == len(r["resources"].split("; ")) for r in rows)
    assert not {c for r in rows for c in r["checks"].split(", ")} & SECURITY_CHECKS
    stored_or_copied = [r for r in rows if r["entry"] in ("storage", "replication")]
    assert all(r["data_categories"] for r in stored_or_copied)
    named = {r["recipient_role"] for r in rows if r["country"] == "US"}
    assert named == {"processor", "app vendor", "external organisation"}


def test_libreoffice_reads_the_same_rows_and_names(demo: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    require_system_tool(soffice is not None, "LibreOffice Calc (Debian libreoffice-calc-nogui)")
    assert soffice is not None
    document = load_report(demo / "report.json")
    hostile = "=HYPERLINK(\"http://evil\",\"x\")"  # fmt: skip
    renamed = {"kn-quality-samples": "kn-qualität-ærø-東京", "kn-crm-exports": hostile}
    for finding in document["findings"]:
        finding["resource_name"] = renamed.get(finding["resource_name"], finding["resource_name"])
    source = tmp_path / "register.csv"
    source.write_bytes(transfer_register.render(document).encode("utf-8"))
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--infilter=CSV:44,34,76,1",  # the import dialog's choice: comma, quote, UTF-8
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(tmp_path / "calc"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    ours = read_csv(source)
    calc = read_csv(tmp_path / "calc" / "register.csv")
    assert calc == ours
    resources = [r["resources"] for r in calc]
    assert "kn-qualität-ærø-東京" in resources
    assert "'" + hostile in resources  # still text, never a formula
    assert list(calc[0]) == list(transfer_register.COLUMNS)  # the BOM did not stick to "target"
