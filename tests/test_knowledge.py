"""Knowledge base: data files validate, every cloud region is known, codes resolve correctly."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import botocore
import pytest
import yaml

from core.errors import ConfigError
from core.knowledge import JURISDICTION_ORDER, KnowledgeBase, Place, default_kb, describe
from core.knowledge.loader import DATA_DIR, FILES, SCHEMA_DIR, validate, validator

TODAY = dt.date(2026, 11, 28)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def resolve(kb: KnowledgeBase, code: str) -> Place:
    return kb.resolve(code, on=TODAY)


# ----------------------------------------------------------------------------- schemas and data


@pytest.mark.parametrize("stem", FILES)
def test_every_data_file_matches_its_schema(stem: str) -> None:
    path = DATA_DIR / f"{stem}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(validator(stem).iter_errors(data)) == []


def test_every_data_file_has_a_schema_and_no_stray_files() -> None:
    assert {p.stem for p in DATA_DIR.glob("*.yaml")} == set(FILES)
    assert {p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json")} == {
        *FILES,
        "common",
    }


def test_schema_rejects_missing_source() -> None:
    data = yaml.safe_load((DATA_DIR / "adequacy.yaml").read_text(encoding="utf-8"))
    del data["decisions"][0]["source"]
    with pytest.raises(ConfigError, match=r"decisions\[0\].*'source' is a required property"):
        validate("adequacy", data, DATA_DIR / "adequacy.yaml")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda fact: fact.pop("as_of"), "'as_of' is a required property"),
        (lambda fact: fact.pop("legal_review"), "'legal_review' is a required property"),
        (lambda fact: fact.update(source="legal-knowledge.md"), "does not match '^https://'"),
    ],
)
def test_destination_law_facts_need_a_public_source_date_and_review(
    edit: Any, message: str
) -> None:
    """Step 3 of a TIA quotes these facts: each names its public source, its date and whether a
    lawyer has reviewed it."""
    path = DATA_DIR / "destination_law.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data["countries"]["US"]["facts"][0])
    with pytest.raises(ConfigError, match=r"countries\.US\.facts\[0\]") as refused:
        validate("destination_law", data, path)
    assert message in str(refused.value)


def test_destination_law_is_looked_up_by_country_and_unknown_is_none(kb: KnowledgeBase) -> None:
    us = kb.destination_law("us")
    assert us is not None
    assert {f["id"] for f in us["facts"]} >= {"fisa-702", "eo-12333", "eo-14086", "cloud-act"}
    assert all(f["legal_review"] == "pending" for f in us["facts"])
    assert kb.destination_law("BR") is None


def test_duplicate_destination_law_fact_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_dir)
    path = data_dir / "destination_law.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: eo-12333", "id: fisa-702"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"countries\.US\.facts: duplicate 'fisa-702'"):
        KnowledgeBase.load(data_dir)


def test_schema_rejects_unquoted_norway() -> None:
    """A bare NO is YAML false: the schema must catch it rather than lose Norway."""
    text = (DATA_DIR / "countries.yaml").read_text(encoding="utf-8").replace('"NO"', "NO")
    data = yaml.safe_load(text)
    with pytest.raises(ConfigError, match="False is not of type 'string'"):
        validate("countries", data, DATA_DIR / "countries.yaml")


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_broken_field_raises_config_error_naming_file_and_field(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    _edit(
        data_dir / "aws_regions.yaml", "region: eu-west-2, description", "region: 42, description"
    )
    with pytest.raises(ConfigError) as info:
        KnowledgeBase.load(data_dir)
    message = str(info.value)
    assert str(data_dir / "aws_regions.yaml") in message
    assert "regions[" in message and "region" in message


def test_unquoted_date_is_rejected(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    _edit(data_dir / "adequacy.yaml", 'expiry: "2031-12-27"', "expiry: 2031-12-27")
    with pytest.raises(ConfigError, match=r"adequacy\.yaml: decisions\[\d+\]\.expiry"):
        KnowledgeBase.load(data_dir)


def test_non_iso_country_is_rejected(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    _edit(data_dir / "m365_geos.yaml", "countries: [AU]", "countries: [QQ]")
    with pytest.raises(ConfigError, match=r"m365_geos\.yaml: geos\[\d+\]\.countries\[0\]: 'QQ'"):
        KnowledgeBase.load(data_dir)


def test_duplicate_key_and_bad_yaml_are_rejected(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    _edit(data_dir / "kb.yaml", 'version: "2026.12.02"', 'version: "2026.12.02"\nversion: "x"')
    with pytest.raises(ConfigError, match=r"kb\.yaml: line \d+: .*duplicate key 'version'"):
        KnowledgeBase.load(data_dir)
    (data_dir / "kb.yaml").write_text("version: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"kb\.yaml: line \d+: invalid YAML"):
        KnowledgeBase.load(data_dir)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    (data_dir / "slack_regions.yaml").unlink()
    with pytest.raises(ConfigError, match=r"slack_regions\.yaml: cannot read"):
        KnowledgeBase.load(data_dir)


def test_version_and_default_kb_is_cached(kb: KnowledgeBase) -> None:
    assert kb.version == "2026.12.02"
    assert default_kb() is default_kb()
    assert default_kb().version == kb.version


def _has_source(entry: dict[str, Any]) -> bool:
    return bool(entry.get("source")) and bool(entry.get("as_of"))


def test_every_entry_has_source_and_as_of(kb: KnowledgeBase) -> None:
    lists = {
        "aws": kb.aws_regions(),
        "m365": kb.m365_geos(),
        "slack": kb.slack_regions(),
        "adequacy": kb.adequacy_decisions(),
        "fines": kb.fine_tiers(),
        "mechanisms": kb.transfer_mechanisms(),
    }
    for name, entries in lists.items():
        assert entries, name
        missing = [e for e in entries if not _has_source(e)]
        assert missing == [], f"{name} entries without source/as_of: {missing}"
    for vendor_id in ("aws", "microsoft", "slack"):
        vendor = kb.processor(vendor_id)
        assert vendor is not None
        for key, fact in vendor.items():
            if isinstance(fact, dict):
                assert _has_source(fact) and fact.get("status"), f"{vendor_id}.{key}"
    assert _has_source(kb.article("44"))


def test_countries_data(kb: KnowledgeBase) -> None:
    eu = [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
    assert len(eu) == 27
    assert all(kb.country(c, TODAY).jurisdiction == "eu" for c in eu)
    assert [kb.country(c, TODAY).jurisdiction for c in ("IS", "LI", "NO")] == ["eea"] * 3
    for code in ("GP", "GF", "MQ", "YT", "RE", "MF", "AX"):
        assert kb.country(code, TODAY).jurisdiction == "eu", code
    assert kb.country("EL", TODAY).countries == ("GR",)
    assert kb.country("el", TODAY).jurisdiction == "eu"
    uk = kb.country("UK", TODAY)
    assert (uk.countries, uk.jurisdiction, uk.code) == (("GB",), "adequate", "country:GB")
    assert kb.country("GL", TODAY).jurisdiction == "third_country"
    assert kb.country("FO", TODAY).jurisdiction == "adequate"


# ----------------------------------------------------------------------------- AWS completeness


# botocore lists regions in two files; a region may appear in partitions.json only (me-west-1).
BOTOCORE_FILES = ("endpoints.json", "partitions.json")


def _botocore_file(name: str) -> dict:
    return json.loads((Path(botocore.__file__).parent / "data" / name).read_text(encoding="utf-8"))


def _missing_regions(kb: KnowledgeBase, data: dict) -> set[tuple[str, str]]:
    """(partition, region) pairs a botocore file lists and the knowledge base lacks; the
    ``*-global`` pseudo-regions of partitions.json are endpoints, not places."""
    listed = {
        (p.get("partition") or p["id"], r)
        for p in data["partitions"]
        for r in p["regions"]
        if not r.endswith("-global")
    }
    assert len(listed) > 30
    return listed - {(r["partition"], r["region"]) for r in kb.aws_regions()}


@pytest.mark.parametrize("name", BOTOCORE_FILES)
def test_kb_knows_every_botocore_region(kb: KnowledgeBase, name: str) -> None:
    assert _missing_regions(kb, _botocore_file(name)) == set(), "add them to aws_regions.yaml"


@pytest.mark.parametrize("name", BOTOCORE_FILES)
def test_a_region_new_to_either_botocore_file_is_caught(kb: KnowledgeBase, name: str) -> None:
    data = _botocore_file(name)
    data["partitions"][0]["regions"]["xx-newplace-1"] = {"description": "Somewhere (New)"}
    assert _missing_regions(kb, data) == {("aws", "xx-newplace-1")}


def test_regions_only_in_partitions_json_resolve(kb: KnowledgeBase) -> None:
    saudi, chile = resolve(kb, "aws:me-west-1"), resolve(kb, "aws:sa-west-1")
    assert (saudi.country, saudi.jurisdiction) == ("SA", "third_country")
    assert (chile.country, chile.jurisdiction) == ("CL", "third_country")


def test_kb_knows_every_boto3_region(kb: KnowledgeBase) -> None:
    known = {r["region"] for r in kb.aws_regions()}
    session = boto3.Session(region_name="us-east-1")
    partitions = session.get_available_partitions()
    assert {"aws", "aws-eusc", "aws-iso-e"} <= set(partitions)
    seen: set[str] = set()
    for partition in partitions:
        for service in ("ec2", "s3", "sts", "kms"):
            seen.update(session.get_available_regions(service, partition_name=partition))
    assert seen, "boto3 listed no regions"
    assert seen - known == set()


def test_aws_partitions_match_botocore(kb: KnowledgeBase) -> None:
    endpoints = Path(botocore.__file__).parent / "data" / "endpoints.json"
    data = json.loads(endpoints.read_text(encoding="utf-8"))
    ours = {p["partition"]: p["dns_suffix"] for p in kb._data["aws_regions"]["partitions"]}
    for partition in data["partitions"]:
        assert ours.get(partition["partition"]) == partition["dnsSuffix"], partition["partition"]


def test_every_known_aws_region_resolves_or_is_flagged(kb: KnowledgeBase) -> None:
    for region in kb.aws_regions():
        place = resolve(kb, f"aws:{region['region']}")
        if region["country"] is None:
            assert place.jurisdiction == "unknown" and place.notes
        else:
            assert place.country == region["country"] and place.known
        assert place.sources, region["region"]


# ----------------------------------------------------------------------------- resolving


@pytest.mark.parametrize(
    ("code", "jurisdiction", "countries"),
    [
        ("aws:eu-west-2", "adequate", ("GB",)),
        ("aws:eu-central-2", "adequate", ("CH",)),
        ("aws:eusc-de-east-1", "eu", ("DE",)),
        ("aws:eu-west-1", "eu", ("IE",)),
        ("AWS:EU-WEST-3", "eu", ("FR",)),
        ("aws:us-east-1", "third_country", ("US",)),
        ("aws:us-gov-west-1", "third_country", ("US",)),
        ("aws:cn-north-1", "third_country", ("CN",)),
        ("aws:ap-southeast-1", "third_country", ("SG",)),
        ("aws:ap-northeast-1", "adequate", ("JP",)),
        ("aws:sa-east-1", "adequate", ("BR",)),
        ("m365:NAM", "third_country", ("US",)),
        ("m365:nam", "third_country", ("US",)),
        ("m365:DEU", "eu", ("DE",)),
        ("m365:NOR", "eea", ("NO",)),
        ("m365:GBR", "adequate", ("GB",)),
        ("slack:frankfurt", "eu", ("DE", "FR")),
        ("slack:Frankfurt, Germany", "eu", ("DE", "FR")),
        ("slack:PARIS", "eu", ("FR", "DE")),
        ("slack:london", "adequate", ("GB",)),
        ("slack:singapore", "third_country", ("SG",)),
        ("slack:Montreal, Canada", "adequate", ("CA",)),
        ("country:CH", "adequate", ("CH",)),
        ("country:de", "eu", ("DE",)),
        ("country:AU", "third_country", ("AU",)),
    ],
)
def test_resolve(kb: KnowledgeBase, code: str, jurisdiction: str, countries: tuple[str]) -> None:
    place = resolve(kb, code)
    assert (place.jurisdiction, place.countries) == (jurisdiction, countries)
    assert place.sources and all(ref.source and ref.as_of for ref in place.sources)


def test_nam_is_united_states_not_namibia(kb: KnowledgeBase) -> None:
    place = resolve(kb, "m365:NAM")
    assert place.country == "US" and "NA" not in place.countries
    assert [d["id"] for d in place.adequacy] == ["US"]
    assert any("Privacy Framework" in note for note in place.notes)


def test_us_decision_attached_but_not_adequate(kb: KnowledgeBase) -> None:
    place = resolve(kb, "aws:us-east-1")
    assert place.jurisdiction == "third_country"
    (decision,) = place.adequacy
    assert decision["instrument"] == "Commission Implementing Decision (EU) 2023/1795"
    assert decision["recipient_list"]["url"] == "https://www.dataprivacyframework.gov/list"
    cases = {c["case"]: c for c in decision["litigation"]}
    assert cases["C-703/25 P Latombe v Commission"]["pending"] is True
    assert any("Slaughter" in e["event"] for e in decision["risk_events"])


def test_m365_macro_geos_take_least_protected(kb: KnowledgeBase) -> None:
    eur = resolve(kb, "m365:EUR")
    assert {"FR", "NL", "IE", "NO", "CH", "AT", "FI", "SE", "DE"} <= set(eur.countries)
    assert eur.country is None
    assert eur.jurisdiction == "adequate"  # CH and IL are the least protected members
    assert [d["iso2"] for d in eur.adequacy] == ["CH", "IL"]
    apc = resolve(kb, "m365:APC")
    assert set(apc.countries) == {"KR", "JP", "SG", "MY", "HK", "AU"}
    assert apc.jurisdiction == "third_country"
    order = {j: i for i, j in enumerate(JURISDICTION_ORDER)}
    for geo in kb.m365_geos():
        place = resolve(kb, f"m365:{geo['code']}")
        members = [kb.country(c, TODAY).jurisdiction for c in place.countries]
        assert place.jurisdiction == max(members, key=order.__getitem__), geo["code"]


def test_slack_regions_complete(kb: KnowledgeBase) -> None:
    ids = {r["id"] for r in kb.slack_regions()}
    assert ids == {
        "frankfurt",
        "paris",
        "tokyo",
        "mumbai",
        "singapore",
        "seoul",
        "sydney",
        "london",
        "montreal",
    }
    for region in kb.slack_regions():
        place = resolve(kb, f"slack:{region['label']}")
        assert place.code == f"slack:{region['id']}"
        assert region["country"] in place.countries and region["backup_country"] in place.countries


@pytest.mark.parametrize(
    "code",
    [
        "aws:me-west-9",
        "m365:XYZ",
        "bogus",
        "",
        "   ",
        "slack:atlantis",
        "country:XX",
        "country:",
        "country:DEU",
        "azure:westeurope",
        "aws:",
        ":eu-west-1",
        "aws:eu-isoe-west-1",
        None,
    ],
)
def test_unknown_codes_never_raise(kb: KnowledgeBase, code: Any) -> None:
    place = kb.resolve(code, on=TODAY)
    assert place.jurisdiction == "unknown"
    assert place.countries == () and place.country is None and not place.known
    assert place.notes and all(place.notes)


def test_eu_isoe_region_is_unknown_with_reason(kb: KnowledgeBase) -> None:
    place = resolve(kb, "aws:eu-isoe-west-1")
    assert place.label == "EU ISOE West"
    assert "not known" in place.notes[0]


def test_adequacy_respects_expiry_and_adoption_dates(kb: KnowledgeBase) -> None:
    assert kb.resolve("aws:eu-west-2", on=dt.date(2031, 12, 26)).jurisdiction == "adequate"
    expired = kb.resolve("aws:eu-west-2", on=dt.date(2032, 1, 1))
    assert expired.jurisdiction == "third_country"
    assert expired.adequacy == ()
    assert any("expired on 2031-12-27" in n for n in expired.notes)
    before = kb.resolve("country:BR", on=dt.date(2025, 12, 31))
    assert before.jurisdiction == "third_country"
    assert kb.resolve("country:BR", on=dt.date(2026, 1, 26)).jurisdiction == "adequate"
    assert kb.resolve("country:BR", on=dt.datetime(2026, 2, 1, 12, 0)).jurisdiction == "adequate"


def test_expiry_in_past_via_edited_data(tmp_path: Path) -> None:
    data_dir = _copy_data(tmp_path)
    path = data_dir / "adequacy.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("  - id: CH\n"), text.index("  - id: CA\n")
    block = text[start:end].replace("expiry: null", 'expiry: "2020-01-01"')
    assert block != text[start:end]
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")
    edited = KnowledgeBase.load(data_dir)
    assert edited.resolve("aws:eu-central-2", on=TODAY).jurisdiction == "third_country"
    assert edited.resolve("m365:EUR", on=TODAY).jurisdiction == "third_country"
    assert edited.resolve("aws:eu-central-2", on=dt.date(2019, 12, 31)).jurisdiction == "adequate"


def test_partial_adequacy_is_noted(kb: KnowledgeBase) -> None:
    japan = resolve(kb, "aws:ap-northeast-1")
    assert japan.jurisdiction == "adequate"
    assert japan.adequacy[0]["partial"] is True
    assert any("partial adequacy" in n for n in japan.notes)


# ----------------------------------------------------------------------------- plain lookups


def test_adequacy_lookup(kb: KnowledgeBase) -> None:
    gb = kb.adequacy("UK")
    assert gb is not None and gb["id"] == "GB" and gb["expiry"] == "2031-12-27"
    assert kb.adequacy("US")["recipient_list"]
    assert kb.adequacy("AU") is None
    assert kb.adequacy("DE") is None
    gb["expiry"] = "1999-01-01"  # a copy: the knowledge base is not mutated
    assert kb.adequacy("GB")["expiry"] == "2031-12-27"


def test_processor_lookup(kb: KnowledgeBase) -> None:
    for vendor_id in ("aws", "microsoft", "slack"):
        vendor = kb.processor(vendor_id)
        assert vendor is not None
        for key in ("name", "legal_entity", "country", "dpa", "scc", "dpf"):
            assert key in vendor, (vendor_id, key)
        assert {"name", "url", "incorporated_via", "as_of", "source"} <= set(vendor["dpa"])
        assert {"modules", "as_of", "source"} <= set(vendor["scc"])
        assert {"certified", "entity", "as_of", "source"} <= set(vendor["dpf"])
        assert vendor["dpf"]["certified"] in (True, None)  # unverified is unknown, never false
    assert kb.processor("microsoft")["dpf"]["certified"] is True
    assert kb.processor("microsoft")["scc"]["modules"] == [3]
    assert kb.processor("aws")["legal_entity"] == "AWS EMEA SARL"
    assert kb.processor("slack")["bcr"]["holder"] == "Salesforce, Inc."
    assert kb.processor("slack")["dpf"]["status"] == "uncertain"
    assert kb.processor("AWS") is not None
    assert kb.processor("google") is None


def test_article_lookup(kb: KnowledgeBase) -> None:
    art = kb.article("28(3)")
    assert art["article"] == "28(3)"
    assert art["title"] == "Processor"
    assert art["url"] == "https://gdpr-info.eu/art-28-gdpr/"
    assert kb.article("Art. 44")["title"] == "General principle for transfers"
    assert kb.article("32(1)(a)")["url"] == "https://gdpr-info.eu/art-32-gdpr/"
    assert kb.article("44")["regulation_url"] == "https://eur-lex.europa.eu/eli/reg/2016/679/oj"
    assert kb.article("2")["title"] is None  # valid article, heading not in the data
    for bad in ("0", "100", "abc", ""):
        with pytest.raises(KeyError):
            kb.article(bad)


def test_describe(kb: KnowledgeBase) -> None:
    text = describe(resolve(kb, "aws:us-east-1"))
    assert "United States (US)" in text
    assert "third_country" in text
    assert "(EU) 2023/1795" in text and "C-703/25 P" in text
    assert "as of 2026-11-28" in text
    eur = describe(resolve(kb, "m365:EUR"))
    assert "Switzerland (CH)" in eur and "Norway (NO)" in eur and "adequate" in eur
    kr = describe(kb.country("KR", TODAY))
    assert "South Korea (KR)" in kr and "partial: yes" in kr
    unknown = describe(kb.resolve("aws:me-west-9"))
    assert "Country: unknown" in unknown and "not in the knowledge base" in unknown
    assert "unknown" in describe(kb.resolve(""))


def test_slack_residency_scope_lists_what_stays_outside() -> None:
    scope = default_kb().slack_residency_scope()
    assert "Slack member profiles" in scope["data_possibly_outside_region"]
    assert "Files uploaded to the Slack Service" in scope["data_in_region"]
    assert scope["source"].startswith("https://") and scope["as_of"]
