"""A loopback server for the AWS APIs moto lacks or answers wrongly, in their documented shapes.

Selected per service with ``AWS_ENDPOINT_URL_<SERVICE>`` while everything else goes to moto.
Any other request is forwarded to moto, so pointing every service here (``--endpoint-url``)
lets tests plant AWS-shaped errors (AccessDenied, throttling, a region switched off) per
service, operation, region and resource without touching the SDK. Served here:
- account ``ListRegions`` (moto: 404), with opt-in statuses and paging;
- Amazon Connect ``ListInstances`` / ``ListInstanceStorageConfigs`` (moto has no storage configs);
- Artifact ``ListCustomerAgreements`` (moto: no backend);
- DynamoDB: forwarded to moto, with ``Table.Replicas`` added to ``DescribeTable`` (moto drops
  global-table replicas silently);
- RDS: forwarded to moto, adding what moto never fills: ``SourceRegion`` on snapshots copied
  from another region, and ``DBInstanceAutomatedBackupsReplications`` on instances;
- CloudTrail ``LookupEvents`` (moto: 500), newest event first; the other CloudTrail calls go
  to moto;
- S3 Control ``ListMultiRegionAccessPoints``: forwarded to moto, with each member's
  ``Region`` set to its bucket's region (moto reports us-east-1 for every bucket);
- replication describes moto answers with 500: EFS ``DescribeReplicationConfigurations``,
  ElastiCache ``DescribeGlobalReplicationGroups`` (members only with ``ShowMemberInfo``) and
  DynamoDB legacy global tables ``ListGlobalTables`` / ``DescribeGlobalTable``; the other calls
  of those services go to moto.
The service and region of a request come from its SigV4 credential scope, as in AWS.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import boto3

from sandbox.httpserver import JsonHandler, LocalServer

SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")
STORAGE_CONFIGS = re.compile(r"^/instance/(?P<id>[^/]+)/storage-configs$")
EFS_REPLICATIONS = "/2015-02-01/file-systems/replication-configurations"
MRAP_LIST = "/v20180820/mrap/instances"
MRAP_MEMBER = re.compile(rb"<Bucket>(?P<bucket>[^<]+)</Bucket><Region>[^<]*</Region>")
CREATED = 1767225600  # 2026-01-01, epoch seconds as rest-json sends timestamps


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
        self.events: list[dict[str, Any]] = sorted(
            dataset.get("event_history", []), key=lambda e: e["time"], reverse=True
        )
        self.replicas: dict[tuple[str, str], list[str]] = {
            (t["region"], t["name"]): list(t.get("replicas", []))
            for t in dataset.get("dynamodb_tables", [])
        }
        self.efs_replications: list[dict[str, Any]] = list(dataset.get("efs_replications", []))
        self.global_datastores: list[dict[str, Any]] = list(
            dataset.get("elasticache_global_datastores", [])
        )
        self.legacy_tables: list[dict[str, Any]] = sorted(
            dataset.get("dynamodb_legacy_global_tables", []), key=lambda t: t["name"]
        )
        self.xml_additions: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for copy in dataset.get("rds_snapshot_copies", []):
            self._add_xml(
                copy["region"], "DescribeDBSnapshots",
                f"<DBSnapshotIdentifier>{copy['snapshot']}</DBSnapshotIdentifier>",
                f"<SourceRegion>{copy['source_region']}</SourceRegion>"
                f"<SourceDBSnapshotIdentifier>{copy['source']}</SourceDBSnapshotIdentifier>",
            )  # fmt: skip
        for replication in dataset.get("rds_backup_replications", []):
            self._add_xml(
                replication["region"], "DescribeDBInstances",
                f"<DBInstanceIdentifier>{replication['instance']}</DBInstanceIdentifier>",
                "<DBInstanceAutomatedBackupsReplications><DBInstanceAutomatedBackupsReplication>"
                f"<DBInstanceAutomatedBackupsArn>{replication['destination_arn']}"
                "</DBInstanceAutomatedBackupsArn></DBInstanceAutomatedBackupsReplication>"
                "</DBInstanceAutomatedBackupsReplications>",
            )  # fmt: skip

    def _add_xml(self, region: str, operation: str, anchor: str, insert: str) -> None:
        self.xml_additions.setdefault((region, operation), []).append((anchor, insert))


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

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        self.server.in_flight(1)
        try:
            self._answer(method)
        finally:
            self.server.in_flight(-1)

    def _answer(self, method: str) -> None:
        service, region = self._scope()
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        body = self.read_body()
        operation = operation_name(service, method, url.path, query, self.headers, body)
        self.note_request(f"{service}.{operation}")
        form = parse_qs(body.decode(errors="replace")) if body.startswith(b"Action=") else {}
        resource = unquote(url.path.strip("/").split("/")[0]) if service == "s3" else ""
        resource = form.get("RoleArn", [resource])[0]
        self.server.log(service, operation, region, {k: v[0] for k, v in form.items()})
        fault = self.server.take_fault(service, operation, region, resource)
        if fault and fault.answer is not None:
            self.reply(200, fault.answer)
            return
        if fault:
            self._error(service, method, fault)
            return
        data = self.server.data
        if service == "account" and url.path == "/listRegions":
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
        elif service == "cloudtrail" and operation == "LookupEvents":
            self._events(region, json.loads(body or b"{}"))
        elif service == "elasticfilesystem" and url.path == EFS_REPLICATIONS:
            self._efs_replications(region, query)
        elif service == "elasticache" and operation == "DescribeGlobalReplicationGroups":
            self._global_datastores(region, {k: v[0] for k, v in form.items()})
        elif service == "dynamodb" and operation == "ListGlobalTables":
            self._legacy_tables(json.loads(body or b"{}"))
        elif service == "dynamodb" and operation == "DescribeGlobalTable":
            self._legacy_table(json.loads(body or b"{}"))
        elif service in ("account", "connect", "artifact"):
            self.reply(
                404, {"__type": "UnknownOperationException", "message": f"no route {url.path}"}
            )
        else:
            self._proxy(method, body, region, operation)

    def _error(self, service: str, method: str, fault: Fault) -> None:
        """An error in the shape of the service's protocol (XML for query/EC2/S3, else JSON)."""
        if service in XML_SERVICES:
            inner = f"<Error><Code>{fault.code}</Code><Message>{fault.message}</Message></Error>"
            if service == "ec2":
                text = f"<Response><Errors>{inner}</Errors><RequestID>stub</RequestID></Response>"
            elif service == "s3":
                text = inner
            else:
                text = f"<ErrorResponse>{inner}<RequestId>stub</RequestId></ErrorResponse>"
            payload, kind = text.encode(), "text/xml"
        else:
            payload = json.dumps({"__type": fault.code, "message": fault.message}).encode()
            kind = "application/x-amz-json-1.1"
        self.send_response(fault.status)
        self.send_header("Content-Type", kind)
        self.send_header("x-amzn-ErrorType", fault.code)
        self.send_header("Content-Length", "0" if method == "HEAD" else str(len(payload)))
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(payload)

    def _proxy(self, method: str, body: bytes, region: str, operation: str) -> None:
        """Forward to moto; add the replicas moto forgets to DynamoDB DescribeTable."""
        target = urlsplit(self.server.data.moto_url)
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        headers["Host"] = self.headers.get("Host", "")
        connection.request(method, self.path, body=body or None, headers=headers)
        answer = connection.getresponse()
        payload = answer.read()
        connection.close()
        if operation == "DescribeTable" and answer.status == 200:
            payload = self._with_replicas(payload, region)
        if urlsplit(self.path).path == MRAP_LIST and answer.status == 200:
            payload = MRAP_MEMBER.sub(self._member_region, payload)
        for anchor, insert in self.server.data.xml_additions.get((region, operation), []):
            payload = payload.replace(anchor.encode(), (anchor + insert).encode())
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in (
                "content-length",
                "transfer-encoding",
                "connection",
                "server",
                "date",
            ):
                self.send_header(key, value)
        length = answer.getheader("Content-Length") if method == "HEAD" else str(len(payload))
        self.send_header("Content-Length", length or "0")
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(payload)

    def _member_region(self, member: re.Match[bytes]) -> bytes:
        bucket = member["bucket"].decode()
        s3 = boto3.client(
            "s3", region_name="us-east-1", endpoint_url=self.server.data.moto_url,
            aws_access_key_id="sandbox", aws_secret_access_key="sandbox",
        )  # fmt: skip
        region = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1"
        return f"<Bucket>{bucket}</Bucket><Region>{region}</Region>".encode()

    def _with_replicas(self, payload: bytes, region: str) -> bytes:
        document = json.loads(payload or b"{}")
        table = document.get("Table", {})
        replicas = self.server.data.replicas.get((region, table.get("TableName")))
        if not replicas:
            return payload
        table["GlobalTableVersion"] = "2019.11.21"
        table["Replicas"] = [
            {"RegionName": r, "ReplicaStatus": "ACTIVE"} for r in [region, *replicas]
        ]
        return json.dumps(document).encode()

    def _events(self, region: str, request: dict[str, Any]) -> None:
        """Event history in LookupEvents' shape (EventTime in epoch seconds), newest first."""
        events = [
            {
                "EventId": f"event-{number}",
                "EventName": event["name"],
                "EventTime": event["time"].timestamp(),
                "EventSource": event.get("source", "signin.amazonaws.com"),
                "Username": event.get("user", "admin"),
                "ReadOnly": "false",
                "Resources": [],
                "CloudTrailEvent": json.dumps({"eventName": event["name"]}),
            }
            for number, event in enumerate(self.server.data.events)
            if event.get("region", region) == region
        ]
        items, token = page(events, request, "MaxResults", "NextToken", 50)
        self.reply(200, {"Events": items, **({"NextToken": token} if token else {})})

    def _efs_replications(self, region: str, query: dict[str, str]) -> None:
        """Each replication touching ``region`` (its source or a destination), in the shape of
        DescribeReplicationConfigurations; one file system's, or 404 when it has none."""
        account = self.server.data.account_id
        found = [
            _efs_replication(account, r)
            for r in self.server.data.efs_replications
            if region in (r["region"], *(d["region"] for d in r["destinations"]))
        ]
        wanted = query.get("FileSystemId")
        if wanted:
            found = [
                r for r in found
                if wanted in (r["SourceFileSystemId"], r["SourceFileSystemArn"])
                or any(d["FileSystemId"] == wanted for d in r["Destinations"])
            ]  # fmt: skip
            if not found:
                message = f"no replication configuration for {wanted}"
                self.reply(404, {"ErrorCode": "ReplicationNotFound", "Message": message},
                           {"x-amzn-ErrorType": "ReplicationNotFound"})  # fmt: skip
                return
        items, token = page(found, query, "MaxResults", "NextToken", 100)
        self.reply(200, {"Replications": items, **({"NextToken": token} if token else {})})

    def _global_datastores(self, region: str, form: dict[str, str]) -> None:
        """DescribeGlobalReplicationGroups (query protocol, XML): the datastores with a member
        in ``region``; members are listed only when ``ShowMemberInfo`` is true, as in AWS."""
        account = self.server.data.account_id
        found = [
            d for d in self.server.data.global_datastores
            if region in (m["region"] for m in d["members"])
        ]  # fmt: skip
        items, marker = page(found, form, "MaxRecords", "Marker", 100)
        show = form.get("ShowMemberInfo", "").lower() == "true"
        groups = "".join(_global_datastore(account, d, show) for d in items)
        text = (
            "<DescribeGlobalReplicationGroupsResponse "
            'xmlns="http://elasticache.amazonaws.com/doc/2015-02-02/">'
            "<DescribeGlobalReplicationGroupsResult>"
            f"<GlobalReplicationGroups>{groups}</GlobalReplicationGroups>"
            + (f"<Marker>{marker}</Marker>" if marker else "")
            + "</DescribeGlobalReplicationGroupsResult>"
            "<ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata>"
            "</DescribeGlobalReplicationGroupsResponse>"
        )
        payload = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _legacy_tables(self, request: dict[str, Any]) -> None:
        """ListGlobalTables: legacy (2017.11.29) global tables by name, optionally those with a
        replica in ``RegionName``; paged by the last table name."""
        wanted = request.get("RegionName")
        tables = [
            t for t in self.server.data.legacy_tables
            if not wanted or wanted in t["regions"]
        ]  # fmt: skip
        start = request.get("ExclusiveStartGlobalTableName")
        if start:
            tables = [t for t in tables if t["name"] > start]
        limit = int(request.get("Limit") or 100)
        items = [
            {"GlobalTableName": t["name"], "ReplicationGroup": [{"RegionName": r}
                                                                for r in t["regions"]]}
            for t in tables[:limit]
        ]  # fmt: skip
        answer: dict[str, Any] = {"GlobalTables": items}
        if len(tables) > limit:
            answer["LastEvaluatedGlobalTableName"] = items[-1]["GlobalTableName"]
        self.reply(200, answer)

    def _legacy_table(self, request: dict[str, Any]) -> None:
        name = request.get("GlobalTableName")
        found = [t for t in self.server.data.legacy_tables if t["name"] == name]
        if not found:
            code = "com.amazonaws.dynamodb.v20120810#GlobalTableNotFoundException"
            self.reply(400, {"__type": code, "message": f"Global table not found: {name}"})
            return
        account = self.server.data.account_id
        self.reply(200, {"GlobalTableDescription": {
            "GlobalTableName": name,
            "GlobalTableArn": f"arn:aws:dynamodb::{account}:global-table/{name}",
            "GlobalTableStatus": "ACTIVE",
            "CreationDateTime": CREATED,
            "ReplicationGroup": [{"RegionName": r, "ReplicaStatus": "ACTIVE"}
                                 for r in found[0]["regions"]],
        }})  # fmt: skip

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


def _efs_replication(account: str, spec: dict[str, Any]) -> dict[str, Any]:
    region, source = spec["region"], spec["file_system"]
    arn = f"arn:aws:elasticfilesystem:{region}:{account}:file-system/{source}"
    return {
        "SourceFileSystemId": source,
        "SourceFileSystemRegion": region,
        "SourceFileSystemArn": arn,
        "OriginalSourceFileSystemArn": arn,
        "SourceFileSystemOwnerId": account,
        "CreationTime": CREATED,
        "Destinations": [
            {
                "Status": "ENABLED",
                "FileSystemId": d["file_system"],
                "Region": d["region"],
                "OwnerId": d.get("account", account),
                "LastReplicatedTimestamp": CREATED,
            }
            for d in spec["destinations"]
        ],
    }


def _global_datastore(account: str, spec: dict[str, Any], show_members: bool) -> str:
    members = "".join(
        "<GlobalReplicationGroupMember>"
        f"<ReplicationGroupId>{m['group']}</ReplicationGroupId>"
        f"<ReplicationGroupRegion>{m['region']}</ReplicationGroupRegion>"
        f"<Role>{m.get('role', 'SECONDARY')}</Role>"
        "<AutomaticFailover>disabled</AutomaticFailover><Status>associated</Status>"
        "</GlobalReplicationGroupMember>"
        for m in spec["members"]
    )
    return (
        "<GlobalReplicationGroup>"
        f"<GlobalReplicationGroupId>{spec['id']}</GlobalReplicationGroupId>"
        "<Status>available</Status><Engine>redis</Engine><ClusterEnabled>false</ClusterEnabled>"
        + (f"<Members>{members}</Members>" if show_members else "")
        + f"<ARN>arn:aws:elasticache::{account}:globalreplicationgroup:{spec['id']}</ARN>"
        "</GlobalReplicationGroup>"
    )


XML_SERVICES = frozenset({"ec2", "s3", "rds", "sns", "elasticache", "redshift", "sts", "iam"})


@dataclass
class Fault:
    """An error to answer instead of the real one; ``times`` None means every time.
    ``answer``: a JSON body to send with status 200 instead (a malformed or odd answer)."""

    service: str
    code: str
    status: int = 400
    message: str = "planted by the test"
    operation: str = "*"
    region: str = "*"
    resource: str = "*"
    times: int | None = None
    answer: dict[str, Any] | None = None

    def matches(self, service: str, operation: str, region: str, resource: str) -> bool:
        return (
            self.service in ("*", service)
            and self.operation in ("*", operation)
            and self.region in ("*", region)
            and self.resource in ("*", resource)
        )


def operation_name(
    service: str, method: str, path: str, query: dict[str, str], headers: Any, body: bytes
) -> str:
    """The API operation of a request, as far as faults need it."""
    target = headers.get("X-Amz-Target")
    if target:
        return str(target).rsplit(".", 1)[-1]
    if service == "s3":
        if method == "HEAD":
            return "HeadBucket"
        for key, name in (
            ("replication", "GetBucketReplication"),
            ("location", "GetBucketLocation"),
            ("encryption", "GetBucketEncryption"),
            ("policy", "GetBucketPolicy"),
            ("lifecycle", "GetBucketLifecycleConfiguration"),
        ):
            if key in query:
                return name
        return "ListBuckets" if path.strip("/") == "" else "S3"
    if method == "POST" and body.startswith(b"Action="):
        return parse_qs(body.decode())["Action"][0]
    if path == EFS_REPLICATIONS:
        return "DescribeReplicationConfigurations"
    return path


class StubServer(LocalServer):
    def __init__(self, data: StubData) -> None:
        super().__init__(StubHandler)
        self.data = data
        self._faults: list[Fault] = []
        self._fault_lock = threading.Lock()
        self.seen: list[tuple[str, str, str, dict[str, str]]] = []
        self._in_flight = 0
        self.peak_in_flight = 0  # most requests served at once since the last reset

    def in_flight(self, change: int) -> None:
        with self._fault_lock:
            self._in_flight += change
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)

    def log(self, service: str, operation: str, region: str, params: dict[str, str]) -> None:
        """What reached the stub (service, operation, region, form parameters), for tests."""
        with self._fault_lock:
            self.seen.append((service, operation, region, params))

    def add_fault(self, fault: Fault) -> None:
        with self._fault_lock:
            self._faults.append(fault)

    def reset(self, data: StubData) -> None:
        with self._fault_lock:
            self.data = data
            self._faults.clear()
            self.seen.clear()
            self.peak_in_flight = 0

    def take_fault(self, service: str, operation: str, region: str, resource: str) -> Fault | None:
        with self._fault_lock:
            for fault in self._faults:
                if fault.matches(service, operation, region, resource):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None


STUBBED_SERVICES = (
    "ACCOUNT", "CONNECT", "ARTIFACT", "DYNAMODB", "CLOUDTRAIL", "EFS", "ELASTICACHE", "S3_CONTROL",
)  # fmt: skip


def stub_environment(url: str) -> dict[str, str]:
    """The per-service endpoint variables that send the stubbed services to ``url``."""
    return {f"AWS_ENDPOINT_URL_{name}": url for name in STUBBED_SERVICES}
