"""AWS Backup vaults and the plans' copy actions (``Rules[].CopyActions[]`` to another vault).

ListBackupPlans gives no rules, so each plan costs one GetBackupPlan (the API forces it). The
destination vault's region is field 4 of its ARN.
"""

from __future__ import annotations

from typing import Any

from connectors.aws.context import AwsScan, arn_account, arn_region, paginate

SERVICE = "backup"


def vaults(scan: AwsScan, region: str) -> None:
    found = paginate(scan.client(SERVICE, region), "list_backup_vaults", "BackupVaultList", 1000)
    for vault in found:
        scan.asset(
            id=vault["BackupVaultArn"],
            kind="backup.vault",
            name=vault["BackupVaultName"],
            region=region,
            categories=["backups"],
            recovery_points=vault.get("NumberOfRecoveryPoints"),
        )
    if found:
        scan.recorder.read(f"backup.vault ({scan.account_id}, {region}): {len(found)}")


def plans(scan: AwsScan, region: str) -> None:
    found = paginate(scan.client(SERVICE, region), "list_backup_plans", "BackupPlansList", 1000)
    scan.map(lambda plan: _plan(scan, region, plan), found)


READERS = (vaults, plans)


def _plan(scan: AwsScan, region: str, plan: dict[str, Any]) -> None:
    answer = scan.call(
        SERVICE,
        region,
        "get_backup_plan",
        resource=plan["BackupPlanArn"],
        BackupPlanId=plan["BackupPlanId"],
    )
    rules = ((answer or {}).get("BackupPlan") or {}).get("Rules") or []
    for rule in rules:
        source = scan.arn(SERVICE, region, f"backup-vault:{rule.get('TargetBackupVaultName')}")
        for action in rule.get("CopyActions") or []:
            target = action.get("DestinationBackupVaultArn", "")
            scan.flow(
                id=f"{plan['BackupPlanArn']}/{rule.get('RuleName')}/copy/{target}",
                kind="backup_copy",
                source=source,
                region=arn_region(target),
                destination_name=target.rsplit(":", 1)[-1] or target,
                path="backup_copy_action",
                plan=plan.get("BackupPlanName"),
                rule=rule.get("RuleName"),
                destination_account=arn_account(target),
            )
