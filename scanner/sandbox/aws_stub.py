"""A loopback server for the AWS APIs moto lacks or answers wrongly, in their documented shapes.

Selected per service with ``AWS_ENDPOINT_URL_<SERVICE>`` while everything else goes to moto:
- account ``ListRegions`` (moto: 404), with opt-in statuses and paging;
- Amazon Connect ``ListInstances`` / ``ListInstanceStorageConfigs`` (moto has no storage configs);
- Artifact ``ListCustomerAgreements`` (moto: no backend);
- DynamoDB: forwarded to moto, with ``Table.Replicas`` added to ``DescribeTable`` (moto drops
  global-table replicas silently).
The service and region of a request come from its SigV4 credential scope, as in AWS.
"""

from __future__ import annotations

import http.client
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from scanner.sandbox.httpserver import JsonHandler, LocalServer

SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")
STORAGE_CONFIGS = re.compile(r"^/instance/(?P<id>[^/]+)/storage-configs$")


class StubData:
    """What the stub serves; every field is plain data from the sandbox's YAML."""

    def __init__(self, account_id: str, moto_url: str, dataset: dict[str, Any]) -> None:
        self.account_id = account_id
        self.moto_url = moto_url
        self.regions: list[dict[str, str]] = [
            {"RegionName": r["name"], "RegionOptStatus": r.get("status", "ENABLED_BY_DEFAULT")}
            for r in dataset.get("regions", [])
        ]
        self.connect: list[dict[str, Any]] = list(dataset.get("connect_instances", []))
        self.agreements: list[dict[str, Any]] = list(dataset.get("agreements", []))
        self.replicas: dict[tuple[str, str], list[str]] = {
            (t["region"], t["name"]): list(t.get("replicas", []))
            for t in dataset.get("dynamodb_tables", [])
        }


def page(
    items: list[Any], query: dict[str, Any], size_key: str, token_key: str, default: int
) -> tuple[list[Any], str | None]:
    """One page of ``items``; the token is the next offset, as opaque to clients as AWS's."""
    size = int(query.get(size_key) or default)
    start = int(query.get(token_key) or 0)
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


class StubHandler(JsonHandler):
    server: StubServer

    def _scope(self) -> tuple[str, str]:
        match = SCOPE.search(self.headers.get("Authorization", ""))
        return (match["service"], match["region"]) if match else ("", "")

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        service, region = self._scope()
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.note_request(f"{service} {method} {url.path}")
        body = self.read_body()
        data = self.server.data
        if service == "dynamodb":
            self._dynamodb(body)
        elif service == "account" and url.path == "/listRegions":
            request = json.loads(body or b"{}")
            wanted = set(request.get("RegionOptStatusContains") or [])
            regions = [r for r in data.regions if not wanted or r["RegionOptStatus"] in wanted]
            items, token = page(regions, request, "MaxResults", "NextToken", 20)
            self.reply(200, {"Regions": items, **({"NextToken": token} if token else {})})
        elif service == "connect" and url.path == "/instance":
            instances = [self._instance(i) for i in data.connect if i["region"] == region]
            items, token = page(instances, query, "maxResults", "nextToken", 10)
            self.reply(
                200, {"InstanceSummaryList": items, **({"NextToken": token} if token else {})}
            )
        elif service == "connect" and (match := STORAGE_CONFIGS.match(url.path)):
            self._storage_configs(match["id"], region, query)
        elif service == "artifact" and url.path == "/v1/customer-agreement/list":
            items, token = page(data.agreements, query, "maxResults", "nextToken", 50)
            self.reply(
                200, {"customerAgreements": items, **({"nextToken": token} if token else {})}
            )
        else:
            self.reply(
                404, {"__type": "UnknownOperationException", "message": f"no route {url.path}"}
            )

    def _instance(self, instance: dict[str, Any]) -> dict[str, Any]:
        account = self.server.data.account_id
        return {
            "Id": instance["id"],
            "Arn": f"arn:aws:connect:{instance['region']}:{account}:instance/{instance['id']}",
            "IdentityManagementType": "CONNECT_MANAGED",
            "InstanceAlias": instance.get("alias", instance["id"]),
            "ServiceRole": f"arn:aws:iam::{account}:role/aws-service-role/connect.amazonaws.com/x",
            "InstanceStatus": "ACTIVE",
            "InboundCallsEnabled": True,
            "OutboundCallsEnabled": True,
        }

    def _storage_configs(self, instance_id: str, region: str, query: dict[str, str]) -> None:
        found = [
            i for i in self.server.data.connect if i["id"] == instance_id and i["region"] == region
        ]
        if not found:
            self.reply(
                404,
                {
                    "__type": "ResourceNotFoundException",
                    "Message": f"instance {instance_id} not found",
                },
            )
            return
        resource_type = query.get("resourceType", "")
        configs = [
            _storage_config(instance_id, number, entry)
            for number, entry in enumerate(found[0].get("storage", []))
            if entry["type"] == resource_type
        ]
        items, token = page(configs, query, "maxResults", "nextToken", 10)
        self.reply(200, {"StorageConfigs": items, **({"NextToken": token} if token else {})})

    def _dynamodb(self, body: bytes) -> None:
        """Forward to moto; add the replicas moto forgets to DescribeTable's answer."""
        target = urlsplit(self.server.data.moto_url)
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        connection.request("POST", self.path, body=body, headers=headers)
        answer = connection.getresponse()
        payload = answer.read()
        status = answer.status
        connection.close()
        operation = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
        document = json.loads(payload or b"{}")
        if operation == "DescribeTable" and status == 200:
            table = document.get("Table", {})
            region = self._scope()[1]
            replicas = self.server.data.replicas.get((region, table.get("TableName")))
            if replicas:
                table["GlobalTableVersion"] = "2019.11.21"
                table["Replicas"] = [
                    {"RegionName": r, "ReplicaStatus": "ACTIVE"} for r in [region, *replicas]
                ]
        self.reply(status, document)


def _storage_config(instance_id: str, number: int, entry: dict[str, Any]) -> dict[str, Any]:
    config: dict[str, Any] = {"AssociationId": f"{instance_id}-{number}"}
    if "bucket" in entry:
        config["StorageType"] = "S3"
        config["S3Config"] = {
            "BucketName": entry["bucket"],
            "BucketPrefix": entry.get("prefix", ""),
        }
    elif "stream_arn" in entry:
        config["StorageType"] = "KINESIS_STREAM"
        config["KinesisStreamConfig"] = {"StreamArn": entry["stream_arn"]}
    elif "firehose_arn" in entry:
        config["StorageType"] = "KINESIS_FIREHOSE"
        config["KinesisFirehoseConfig"] = {"FirehoseArn": entry["firehose_arn"]}
    else:
        config["StorageType"] = "KINESIS_VIDEO_STREAM"
        config["KinesisVideoStreamConfig"] = {
            "Prefix": entry.get("prefix", "connect"),
            "RetentionPeriodHours": 24,
            "EncryptionConfig": {"EncryptionType": "KMS", "KeyId": "alias/connect"},
        }
    return config


class StubServer(LocalServer):
    def __init__(self, data: StubData) -> None:
        super().__init__(StubHandler)
        self.data = data


STUBBED_SERVICES = ("ACCOUNT", "CONNECT", "ARTIFACT", "DYNAMODB")


def stub_environment(url: str) -> dict[str, str]:
    """The per-service endpoint variables that send the stubbed services to ``url``."""
    return {f"AWS_ENDPOINT_URL_{name}": url for name in STUBBED_SERVICES}
