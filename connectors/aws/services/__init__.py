"""AWS service readers: each module has ``SERVICE`` (the name ``--services`` selects; the boto3
client name unless the module sets ``CLIENT``), an optional ``SCOPE`` (``regional`` by default,
``account`` or ``organization``) and ``READERS``, functions ``(scan: AwsScan, region: str) ->
None`` that each run as one unit on the worker pool. Modules may share a ``SERVICE``.

Adding a service is one module in this package plus one line here.
"""

SERVICES: tuple[str, ...] = (
    "connectors.aws.services.s3",
    "connectors.aws.services.s3_security",
    "connectors.aws.services.mrap",
    "connectors.aws.services.cloudfront",
    "connectors.aws.services.organizations",
    "connectors.aws.services.artifact",
    "connectors.aws.services.ec2",
    "connectors.aws.services.rds",
    "connectors.aws.services.rds_global",
    "connectors.aws.services.dynamodb",
    "connectors.aws.services.awslambda",
    "connectors.aws.services.efs",
    "connectors.aws.services.ecr",
    "connectors.aws.services.sqs",
    "connectors.aws.services.sns",
    "connectors.aws.services.kms",
    "connectors.aws.services.secretsmanager",
    "connectors.aws.services.logs",
    "connectors.aws.services.kinesis",
    "connectors.aws.services.elasticache",
    "connectors.aws.services.redshift",
    "connectors.aws.services.opensearch",
    "connectors.aws.services.backup",
    "connectors.aws.services.cloudtrail",
    "connectors.aws.services.cloudtrail_history",
    "connectors.aws.services.connect",
    "connectors.aws.services.s3_access",
    "connectors.aws.services.ec2_access",
    "connectors.aws.services.rds_access",
    "connectors.aws.services.kms_access",
    "connectors.aws.services.iam_access",
    "connectors.aws.services.ram_access",
)
