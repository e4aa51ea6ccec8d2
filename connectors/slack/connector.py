"""SlackConnector: plan, declared region, apps, Slack Connect, retention and logs of a workspace."""

from __future__ import annotations

from typing import Any

from connectors.base import Connector, Recorder
from connectors.slack.apps import read_apps
from connectors.slack.client import SlackApi
from connectors.slack.connect import read_channels, read_external_orgs
from connectors.slack.logs import read_logs
from connectors.slack.methods import permissions
from connectors.slack.reader import Reader
from connectors.slack.retention import read_retention
from connectors.slack.settings import SlackSettings
from connectors.slack.workspace import authenticate, read_workspace
from core.models import Collection


class SlackConnector(Connector):
    provider = "slack"

    def collect(self) -> Collection:
        settings = SlackSettings.from_target(self.target)
        collection = self.new_collection()
        reader = Reader(SlackApi(settings, self.ledger), Recorder(collection))
        self.progress("slack: checking tokens")
        # "processor" lets the generic processor-transfer-basis check judge Slack itself.
        collection.identity = {"processor": "slack", **authenticate(reader)}
        self.progress("slack: workspace and plan")
        workspace = read_workspace(reader, collection.identity, settings)
        collection.assets.append(workspace)
        self.progress("slack: apps")
        apps, app_flows = read_apps(reader, workspace)
        collection.assets.extend(apps)
        collection.flows.extend(app_flows)
        self.progress("slack: Slack Connect")
        channels = read_channels(reader, workspace)
        if channels is not None:
            collection.flows.extend(read_external_orgs(reader, workspace, channels))
        self.progress("slack: retention and EKM")
        read_retention(reader, workspace, channels, settings.retention_channel_limit)
        self.progress("slack: audit and access logs")
        collection.assets.extend(read_logs(reader, workspace))
        return self.finish(collection)

    @classmethod
    def permissions(cls) -> dict[str, Any]:
        return permissions()
