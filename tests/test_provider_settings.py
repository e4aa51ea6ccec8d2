"""Each provider's settings are typed once from its JSON Schema, which holds the ranges and the
defaults; the typed objects add only what a schema cannot say."""

from __future__ import annotations

import dataclasses

import pytest

from connectors.aws.settings import AwsSettings
from connectors.base import Target
from connectors.m365.settings import M365Settings
from connectors.registry import settings_schema
from connectors.slack.settings import SlackSettings
from core.errors import ConfigError

TYPED = {"aws": AwsSettings, "m365": M365Settings}


@pytest.mark.parametrize("provider", sorted(TYPED))
def test_typed_settings_cover_the_schema_and_leave_its_defaults_to_it(provider: str) -> None:
    properties = settings_schema(provider)["properties"]
    fields = {f.name: f for f in dataclasses.fields(TYPED[provider])}
    assert set(properties) <= set(fields)
    doubled = [
        name
        for name, rule in properties.items()
        if "default" in rule and fields[name].default is not dataclasses.MISSING
    ]
    assert doubled == []


def test_aws_settings_take_the_schema_defaults_and_refuse_what_it_refuses() -> None:
    properties = settings_schema("aws")["properties"]
    parsed = AwsSettings.from_settings({"regions": ["eu-west-1"], "workers": 2})
    assert (parsed.regions, parsed.workers) == (("eu-west-1",), 2)
    assert (parsed.max_attempts, parsed.read_timeout, parsed.region, parsed.org) == (
        properties["max_attempts"]["default"],
        properties["read_timeout"]["default"],
        properties["region"]["default"],
        False,
    )
    with pytest.raises(ConfigError, match=r"^targets\.yaml: workers: 65 is greater than"):
        AwsSettings.from_settings({"workers": 65}, "targets.yaml")


def test_m365_and_slack_ranges_are_the_schemas() -> None:
    with pytest.raises(ConfigError, match="max_concurrency: 51 is greater than the maximum"):
        M365Settings.from_settings({"tenant_id": "contoso.com", "max_concurrency": 51})
    with pytest.raises(ConfigError, match="max_concurrency: 17 is greater than the maximum"):
        SlackSettings.from_target(Target("t", "slack", {"token": "env:X", "max_concurrency": 17}))
    slack = SlackSettings.from_target(Target("t", "slack", {"token": "env:PATH"}))
    properties = settings_schema("slack")["properties"]
    assert (slack.max_retries, slack.retention_channel_limit, slack.api_url) == (
        properties["max_retries"]["default"],
        properties["retention_channel_limit"]["default"],
        properties["api_url"]["default"],
    )
