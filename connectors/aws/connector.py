"""The AWS connector: who am I, then every registered service collector over a worker pool."""

from __future__ import annotations

import importlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from connectors.aws.allowlist import iam_policy, operations
from connectors.aws.context import AwsScan
from connectors.aws.errors import start_error
from connectors.aws.services import SERVICES
from connectors.aws.session import AwsClients
from connectors.base import Connector, Recorder
from scanner.models import Collection


class AwsConnector(Connector):
    provider = "aws"

    def collect(self) -> Collection:
        collection = self.new_collection()
        recorder = Recorder(collection)
        settings = self.target.settings
        try:
            clients = AwsClients(settings, self.ledger)
            self.progress("checking credentials")
            identity = clients.client("sts").get_caller_identity()
        except (BotoCoreError, ClientError) as exc:
            raise start_error(exc, f"aws target {self.target.name}") from None
        account = identity["Account"]
        partition = identity["Arn"].split(":")[1]
        collection.identity = {
            "account_id": account,
            "partition": partition,
            "arn": identity["Arn"],
            "processor": "aws",
        }
        workers = int(settings.get("workers", 8))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="aws") as pool:
            scan = AwsScan(
                clients=clients,
                recorder=recorder,
                account_id=account,
                partition=partition,
                regions=list(settings.get("regions") or []),
                pool=pool,
            )
            for module_name in SERVICES:
                service = module_name.rsplit(".", 1)[-1]
                self.progress(f"reading {service}")
                importlib.import_module(module_name).collect(scan)
        return self.finish(collection)

    @classmethod
    def permissions(cls) -> dict[str, Any]:
        return {
            "provider": "aws",
            "iam_policy": iam_policy(),
            "operations": sorted(operations()),
        }
