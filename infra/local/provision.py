"""Creates the stack's stateful resources on moto from infra/resources.yaml, and returns the
environment the functions would get from the template's Globals, resolved to the local names."""
from __future__ import annotations

import json
from typing import Any

import boto3

from infra.local.template import load_template

TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode")


def _resolve(value: Any, refs: dict[str, str], params: dict[str, str]) -> Any:
    if isinstance(value, dict) and "Ref" in value:
        name = value["Ref"]
        return refs.get(name, params.get(name))
    return value


def provision(*, region: str, stack: str = "care-tracker-local", overrides: dict[str, str] | None = None) -> dict[str, str]:
    template = load_template()
    resources = template["Resources"]
    params = {k: str(v.get("Default", "")) for k, v in template.get("Parameters", {}).items()}
    params.update(overrides or {})
    refs: dict[str, str] = {}
    ddb = boto3.client("dynamodb", region_name=region)
    s3 = boto3.client("s3", region_name=region)
    idp = boto3.client("cognito-idp", region_name=region)
    ses = boto3.client("ses", region_name=region)
    kms = boto3.client("kms", region_name=region)

    # Keys first: tables name them in their SSESpecification.
    for logical, resource in resources.items():
        if resource["Type"] == "AWS::KMS::Key":
            props = resource["Properties"]
            key_id = kms.create_key(Description=props.get("Description", logical), KeyUsage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
                                    KeySpec=props.get("KeySpec", "SYMMETRIC_DEFAULT"))["KeyMetadata"]["KeyId"]
            if props.get("EnableKeyRotation"):
                kms.enable_key_rotation(KeyId=key_id)
            refs[logical] = key_id

    for logical, resource in resources.items():
        props = resource.get("Properties", {})
        kind = resource["Type"]
        if kind == "AWS::DynamoDB::Table":
            name = f"{stack}-{logical}"
            extra = {}
            sse = props.get("SSESpecification", {})
            if sse.get("SSEType") == "KMS":
                extra["SSESpecification"] = {"Enabled": True, "SSEType": "KMS",
                                             "KMSMasterKeyId": _resolve(sse["KMSMasterKeyId"], refs, params)}
            ddb.create_table(TableName=name, **{k: props[k] for k in TABLE_KEYS if k in props}, **extra)
            if "TimeToLiveSpecification" in props:
                ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=props["TimeToLiveSpecification"])
            if props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled"):
                ddb.update_continuous_backups(
                    TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
            refs[logical] = name
        elif kind == "AWS::SecretsManager::Secret":
            # The local key: random per stack, like the one the template generates.
            import secrets

            refs[logical] = boto3.client("secretsmanager", region_name=region).create_secret(
                Name=f"{stack}-{logical}", SecretString=secrets.token_urlsafe(48))["ARN"]
        elif kind == "AWS::S3::Bucket":
            name = f"{stack}-{logical}".lower()
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
            if "VersioningConfiguration" in props:
                s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=props["VersioningConfiguration"])
            refs[logical] = name

    # Queues: dead-letter queues first, as the others name them in their RedrivePolicy. A shorter
    # visibility timeout than deployed: a pack that failed is retried locally within a minute.
    sqs = boto3.client("sqs", region_name=region)
    queues = [(k, v.get("Properties", {})) for k, v in resources.items() if v["Type"] == "AWS::SQS::Queue"]
    for logical, props in sorted(queues, key=lambda q: "RedrivePolicy" in q[1]):
        attributes = {"VisibilityTimeout": "60", "MessageRetentionPeriod": str(props.get("MessageRetentionPeriod", 345600))}
        if "RedrivePolicy" in props:
            target = refs[props["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0] + ".Arn"]
            attributes["RedrivePolicy"] = json.dumps({"deadLetterTargetArn": target,
                                                      "maxReceiveCount": props["RedrivePolicy"]["maxReceiveCount"]})
        url = sqs.create_queue(QueueName=f"{stack}-{logical}", Attributes=attributes)["QueueUrl"]
        refs[logical] = url
        refs[f"{logical}.Arn"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    pool = resources["UserPool"]["Properties"]
    pool_id = idp.create_user_pool(
        PoolName=f"{stack}-users",
        UsernameAttributes=pool["UsernameAttributes"],
        UsernameConfiguration=pool["UsernameConfiguration"],
        AutoVerifiedAttributes=pool["AutoVerifiedAttributes"],
        AdminCreateUserConfig=pool["AdminCreateUserConfig"],
        Policies=pool["Policies"],
    )["UserPool"]["Id"]
    refs["UserPool"] = pool_id
    if pool.get("MfaConfiguration", "OFF") != "OFF":
        idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration=pool["MfaConfiguration"],
                                     SoftwareTokenMfaConfiguration={"Enabled": "SOFTWARE_TOKEN_MFA" in pool["EnabledMfas"]})
    client = resources["UserPoolClient"]["Properties"]
    refs["UserPoolClient"] = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName=f"{stack}-app", GenerateSecret=False,
        **{k: client[k] for k in ("ExplicitAuthFlows", "PreventUserExistenceErrors", "EnableTokenRevocation",
                                  "IdTokenValidity", "AccessTokenValidity", "RefreshTokenValidity", "TokenValidityUnits")},
    )["UserPoolClient"]["ClientId"]

    ses.verify_email_identity(EmailAddress=_resolve(resources["MailIdentity"]["Properties"]["EmailIdentity"], refs, params))

    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    return {key: str(_resolve(value, refs, params)) for key, value in variables.items()}
