"""AWS service collectors: each module has ``collect(scan: AwsScan) -> None``.

Adding a service is one module in this package plus one line here.
"""

SERVICES: tuple[str, ...] = ("connectors.aws.services.s3",)
