"""Lambda functions (code and environment live in the function's region)."""

from __future__ import annotations

from connectors.aws.context import AwsScan
from connectors.aws.services.inventory import list_assets

SERVICE = "lambda"


def functions(scan: AwsScan, region: str) -> None:
    list_assets(
        scan,
        region,
        service=SERVICE,
        operation="list_functions",
        key="Functions",
        kind="lambda.function",
        categories=["configuration"],
        page_size=50,
        identify=lambda f: (f["FunctionArn"], f["FunctionName"]),
        describe=lambda f: {"runtime": f.get("Runtime")},
    )


READERS = (functions,)
