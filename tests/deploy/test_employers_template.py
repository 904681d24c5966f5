"""The employers table and its key in the packaged template (issue 11): PITR, TTL on expires_at,
encrypted with the customer-managed PersonalDataKey (rotated, retained), the functions allowed to
use the key, and the daily purge job in London time."""
from __future__ import annotations


def test_the_employers_table_is_encrypted_with_the_personal_data_key(sam):
    table = sam["Resources"]["EmployersTable"]["Properties"]
    assert table["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": "PersonalDataKey"}}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["BillingMode"] == "PAY_PER_REQUEST" and table["DeletionProtectionEnabled"] is True
    indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"by_pa", "by_list", "by_expiry", "by_work_mark"}
    for sparse in ("by_expiry", "by_work_mark"):  # keys only: the jobs read keys, never personal data
        assert indexes[sparse]["Projection"] == {"ProjectionType": "KEYS_ONLY"}
    # one partition each, a string sort key: the purge date and its login check; the work mark
    assert [k["AttributeName"] for k in indexes["by_expiry"]["KeySchema"]] == ["expiry_shard", "expiry_key"]
    assert [k["AttributeName"] for k in indexes["by_work_mark"]["KeySchema"]] == ["work_shard", "work_mark"]
    # the list index never carries dates of birth, phones or addresses
    assert not {"date_of_birth", "phone", "address"} & set(indexes["by_list"]["Projection"]["NonKeyAttributes"])


def test_the_personal_data_key_rotates_is_kept_and_the_functions_may_use_it(sam):
    key = sam["Resources"]["PersonalDataKey"]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    assert sam["Globals"]["Function"]["Environment"]["Variables"]["PERSONAL_DATA_KEY"] == {"Ref": "PersonalDataKey"}
    for policy in ("AppAccessPolicy", "JobsAccessPolicy"):
        statements = sam["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"]
        [kms] = [s for s in statements if s["Sid"] == "PersonalDataKey"]
        assert kms["Resource"] == [{"Fn::GetAtt": ["PersonalDataKey", "Arn"]}] and "kms:Decrypt" in kms["Action"]


def test_the_purge_job_runs_daily_and_the_follow_up_every_15_minutes_in_london_time(sam):
    from infra.package import job_function_id

    for job, expression in (("purge_expired_records", "cron(15 4 * * ? *)"), ("follow_up_archives", "cron(0/15 * * * ? *)")):
        events = sam["Resources"][job_function_id(job)]["Properties"]["Events"]
        [schedule] = [e["Properties"] for e in events.values() if e["Type"] == "ScheduleV2"]
        assert schedule["ScheduleExpression"] == expression
        assert schedule["ScheduleExpressionTimezone"] == "Europe/London"
