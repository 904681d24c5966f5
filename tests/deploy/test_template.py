"""What the packaged template (out/sam.json) must hold, read from the template itself."""
from __future__ import annotations

import json
import re

import pytest

from functions.jobs import JOBS
from infra.local.template import load_template
from infra.package import AUDIT_PACK_FUNCTION, IMPORT_JOB, IMPORT_PREFIX, check_schedule, job_function_id

SOURCE = load_template()  # infra/resources.yaml


def of_type(sam: dict, kind: str) -> dict[str, dict]:
    return {k: v for k, v in sam["Resources"].items() if v["Type"] == kind}


def functions(sam: dict) -> dict[str, dict]:
    return of_type(sam, "AWS::Serverless::Function")


def refs(value) -> set[str]:
    """Logical ids a value points at (Ref, GetAtt, ${...} in Sub)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                found.add(inner.split(".")[0])
            elif key == "Fn::GetAtt":
                found.add(inner[0] if isinstance(inner, list) else inner.split(".")[0])
            elif key == "Fn::Sub":
                text, local = (inner, {}) if isinstance(inner, str) else (inner[0], inner[1])
                found |= {name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text) if name not in local}
                found |= refs(local)
            else:
                found |= refs(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= refs(inner)
    return {name for name in found if not name.startswith("AWS::")}


def test_every_table_of_resources_yaml_is_on_demand_with_pitr_and_encryption(sam):
    tables = {k for k, v in SOURCE["Resources"].items() if v["Type"] == "AWS::DynamoDB::Table"}
    assert tables and tables <= set(of_type(sam, "AWS::DynamoDB::Table"))
    for name in tables:
        props = sam["Resources"][name]["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", name
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name
        assert props["SSESpecification"]["SSEEnabled"] is True, name
        assert props.get("TimeToLiveSpecification") == SOURCE["Resources"][name]["Properties"].get("TimeToLiveSpecification")


def test_buckets_are_private_encrypted_versioned_expiring_and_tls_only(sam):
    buckets = of_type(sam, "AWS::S3::Bucket")
    assert set(buckets) >= {"ImportsBucket", "ExportsBucket", "BackupsBucket"}
    policies = {refs(p["Properties"]["Bucket"]).pop(): p["Properties"]["PolicyDocument"]
                for p in of_type(sam, "AWS::S3::BucketPolicy").values()}
    for name, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"], name
        assert props["VersioningConfiguration"] == {"Status": "Enabled"}, name
        assert all(props["PublicAccessBlockConfiguration"][k] is True for k in
                   ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")), name
        assert props["LifecycleConfiguration"]["Rules"], name
        deny = [s for s in policies[name]["Statement"] if s["Effect"] == "Deny"
                and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and s["Principal"] == "*"]
        assert deny and deny[0]["Action"] == "s3:*", name
        assert len(deny[0]["Resource"]) == 2, name  # the bucket and its objects


def test_every_function_has_the_layer_tracing_a_log_group_with_retention_and_an_errors_alarm(sam):
    layer = sam["Resources"]["DependenciesLayer"]
    assert layer["Type"] == "AWS::Serverless::LayerVersion" and layer["Properties"]["ContentUri"] == "./layer.zip"
    assert {"Ref": "DependenciesLayer"} in sam["Globals"]["Function"]["Layers"]
    assert sam["Globals"]["Function"]["Tracing"] == "Active"
    alarmed = {refs(a["Properties"]["Dimensions"])
               and next(iter(refs(a["Properties"]["Dimensions"])))
               for a in of_type(sam, "AWS::CloudWatch::Alarm").values() if a["Properties"]["MetricName"] == "Errors"}
    assert set(functions(sam)) == {"APIHandler", AUDIT_PACK_FUNCTION} | {job_function_id(name) for name in JOBS}
    for name, function in functions(sam).items():
        group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        assert sam["Resources"][group]["Properties"]["RetentionInDays"] >= 30, name
        assert name in alarmed, name
    for name, group in of_type(sam, "AWS::Logs::LogGroup").items():
        assert group["Properties"]["RetentionInDays"] >= 30, name


def test_every_job_is_a_function_with_a_dead_letter_queue(sam):
    for name in JOBS:
        props = sam["Resources"][job_function_id(name)]["Properties"]
        assert props["Handler"] == "functions.jobs.handler" and props["CodeUri"] == "./deployment.zip"
        assert props["Environment"]["Variables"]["JOB_NAME"] == name
        assert props["DeadLetterQueue"] == {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}
        assert 60 <= props["Timeout"] <= 900


@pytest.mark.parametrize("name", sorted(n for n, j in JOBS.items() if j.schedule))
def test_scheduled_jobs_run_in_london_time_with_retries_and_the_dead_letter_queue(sam, name):
    schedule = sam["Resources"][job_function_id(name)]["Properties"]["Events"]["Schedule"]
    assert schedule["Type"] == "ScheduleV2"
    props = schedule["Properties"]
    assert props["ScheduleExpression"] == JOBS[name].schedule
    check_schedule(props["ScheduleExpression"])
    assert props["ScheduleExpressionTimezone"] == "Europe/London"
    assert props["RetryPolicy"]["MaximumRetryAttempts"] >= 1
    assert props["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}}
    assert json.loads(props["Input"]) == {"at": "<aws.scheduler.scheduled-time>"}


def test_at_least_one_job_is_scheduled():
    assert any(job.schedule for job in JOBS.values())


@pytest.mark.parametrize("expression", [
    "cron(0 2 * * ? *)", "cron(30 0 ? * MON-FRI *)", "cron(0 9 1 * ? *)", "cron(0/15 * * * ? *)",
    "cron(0 9 ? * 2#1 *)", "cron(0 9 L * ? *)", "cron(0 7 15W JAN,JUL ? 2027-2030)", "rate(5 minutes)", "rate(1 day)",
])
def test_schedule_validator_accepts(expression):
    check_schedule(expression)


@pytest.mark.parametrize("expression", [
    "cron(0 2 * * * *)", "cron(0 2 ? * ? *)", "cron(0 24 * * ? *)", "cron(60 2 * * ? *)", "cron(0 2 * * ?)",
    "cron(0 2 ? ? MON *)", "cron(0 2 * FOO ? *)", "cron(0 2 32 * ? *)", "cron(0 2 ? * 8 *)", "cron(0/0 2 * * ? *)",
    "rate(1 minutes)", "rate(0 hours)", "0 2 * * *", "cron(0 2 * * ? 1969)",
])
def test_schedule_validator_refuses(expression):
    with pytest.raises(ValueError):
        check_schedule(expression)


def test_the_import_job_runs_when_a_cqc_file_lands(sam):
    props = sam["Resources"][job_function_id(IMPORT_JOB)]["Properties"]
    event = props["Events"]["CqcFileArrived"]
    assert event["Type"] == "S3" and event["Properties"]["Bucket"] == {"Ref": "ImportsBucket"}
    assert event["Properties"]["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": IMPORT_PREFIX}]
    # The function finds the bucket by the same computed name the bucket gets (no Ref: see below).
    assert props["Environment"]["Variables"]["IMPORTS_BUCKET"] == sam["Resources"]["ImportsBucket"]["Properties"]["BucketName"]


def dependency_graph(sam: dict) -> dict[str, set[str]]:
    """resource -> resources it needs, as CloudFormation will see them after the SAM transform:
    Globals apply to every function, and an S3 event makes the bucket point at the function."""
    resources = sam["Resources"]
    env_globals = sam["Globals"]["Function"]["Environment"]["Variables"]
    graph: dict[str, set[str]] = {}
    for name, resource in resources.items():
        # A function's Events become separate resources (schedules, permissions) that need the
        # function, not the other way round.
        needs = refs({k: v for k, v in resource.get("Properties", {}).items() if k != "Events"})
        depends = resource.get("DependsOn", [])
        needs |= set([depends] if isinstance(depends, str) else depends)
        if resource["Type"] == "AWS::Serverless::Function":
            own_env = resource["Properties"].get("Environment", {}).get("Variables", {})
            needs |= refs({k: v for k, v in env_globals.items() if k not in own_env})
            needs |= refs(sam["Globals"]["Function"].get("Layers", []))
            for event in resource["Properties"].get("Events", {}).values():
                if event["Type"] == "S3":  # SAM: the bucket's notification + its permission need the function
                    bucket = event["Properties"]["Bucket"]["Ref"]
                    graph.setdefault(bucket, set()).add(name)
        graph.setdefault(name, set()).update(needs & set(resources) | needs - set(resources))
    return graph


def test_no_dependency_cycle(sam):
    graph = dependency_graph(sam)
    params = set(sam.get("Parameters", {}))
    unknown = {n for targets in graph.values() for n in targets} - set(sam["Resources"]) - params
    # RestAPIapiStage is made by the SAM transform from RestAPI.
    assert unknown <= {"RestAPIapiStage"}, unknown
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                raise AssertionError(" -> ".join(path + [node, nxt]))
            if nxt in graph and not state.get(nxt):
                visit(nxt, path + [node])
        state[node] = 2

    for node in graph:
        if not state.get(node):
            visit(node, [])


def test_cycle_check_can_fail(sam):
    """Referencing the imports bucket from the import function would make the classic cycle."""
    broken = json.loads(json.dumps(sam))
    props = broken["Resources"][job_function_id(IMPORT_JOB)]["Properties"]
    props["Environment"]["Variables"]["IMPORTS_BUCKET"] = {"Ref": "ImportsBucket"}
    with pytest.raises(AssertionError):
        test_no_dependency_cycle(broken)


def test_iam_is_scoped_to_the_stack(sam):
    statements = []
    for policy in of_type(sam, "AWS::IAM::ManagedPolicy").values():
        statements += policy["Properties"]["PolicyDocument"]["Statement"]
    role = sam["Resources"]["ApiHandlerRole"]["Properties"]
    assert {"Ref": "AppAccessPolicy"} in role["ManagedPolicyArns"]
    for policy in role["Policies"]:
        statements += policy["PolicyDocument"]["Statement"]
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert not [a for a in actions if a.endswith("*")], statement
        if statement["Resource"] == "*":
            assert all(a.startswith("xray:") for a in actions), statement
    granted = {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    assert "dynamodb:Scan" not in {a for s in sam["Resources"]["AppAccessPolicy"]["Properties"]["PolicyDocument"]["Statement"]
                                   for a in s["Action"]}  # the API never scans
    assert {"dynamodb:GetItem", "dynamodb:Query", "s3:GetObject", "cognito-idp:AdminCreateUser", "ses:SendEmail"} <= granted
    tables = {k for k, v in sam["Resources"].items() if v["Type"] == "AWS::DynamoDB::Table"}
    table_statement = next(s for s in sam["Resources"]["AppAccessPolicy"]["Properties"]["PolicyDocument"]["Statement"]
                           if s["Sid"] == "Tables")
    assert refs(table_statement["Resource"]) == tables
    for name in [job_function_id(n) for n in JOBS]:
        assert sam["Resources"][name]["Properties"]["Policies"] == [{"Ref": "JobsAccessPolicy"}]


def test_web_acls_on_the_api_stage_and_the_user_pool(sam):
    """The user pool admits only the UK; the API stage only what came through CloudFront (whose
    geo restriction admits only the UK: test_web_hosting.py)."""
    pool_acl = sam["Resources"]["UkOnlyWebAcl"]["Properties"]
    assert pool_acl["Scope"] == "REGIONAL" and pool_acl["DefaultAction"] == {"Block": {}}
    allows = [r for r in pool_acl["Rules"] if r.get("Action") == {"Allow": {}}]
    assert [r["Statement"] for r in allows] == [{"GeoMatchStatement": {"CountryCodes": ["GB"]}}]
    api_acl = sam["Resources"]["ApiWebAcl"]["Properties"]
    assert api_acl["Scope"] == "REGIONAL" and api_acl["DefaultAction"] == {"Block": {}}
    for acl in (pool_acl, api_acl):
        assert acl["Rules"][0]["Statement"]["ManagedRuleGroupStatement"]["Name"] == "AWSManagedRulesKnownBadInputsRuleSet"
    associations = {k: v for k, v in of_type(sam, "AWS::WAFv2::WebACLAssociation").items()}
    by_arn = {json.dumps(v["Properties"]["ResourceArn"]): v for v in associations.values()}
    pool = json.dumps({"Fn::GetAtt": ["UserPool", "Arn"]})
    stage = json.dumps({"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/api"})
    assert set(by_arn) == {pool, stage}
    assert by_arn[pool]["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["UkOnlyWebAcl", "Arn"]}
    assert by_arn[stage]["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    assert by_arn[stage]["DependsOn"] == "RestAPIapiStage"
    assert sam["Resources"]["RestAPI"]["Properties"]["StageName"] == "api"
    logged = {refs(v["Properties"]["ResourceArn"]).pop(): v["Properties"]
              for v in of_type(sam, "AWS::WAFv2::LoggingConfiguration").values()}
    assert set(logged) == {"UkOnlyWebAcl", "ApiWebAcl"}
    for config in logged.values():
        assert {"SingleHeader": {"Name": "authorization"}} in config["RedactedFields"]


def render(template: str) -> dict:
    """An API Gateway mapping template with sample $context values, parsed as JSON."""
    text = template.replace("$context.error.messageString", json.dumps("Missing Authentication Token"))
    text = text.replace("$context.requestId", "c0ffee")
    text = text.replace("$context.error.responseType", "REQUEST_TOO_LARGE")
    assert "$context" not in text
    return json.loads(text)


def test_gateway_responses_use_the_api_error_shape(sam):
    responses = sam["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    assert {"DEFAULT_4XX", "DEFAULT_5XX", "MISSING_AUTHENTICATION_TOKEN", "WAF_FILTERED"} <= set(responses)
    for name, response in responses.items():
        body = render(response["ResponseTemplates"]["application/json"])
        assert set(body) == {"code", "message", "details"}, name
        assert re.fullmatch(r"[a-z_]+", body["code"]) and body["message"], name
        assert response["ResponseParameters"]["Headers"]["Content-Type"] == "'application/json'"
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"
    assert render(responses["MISSING_AUTHENTICATION_TOKEN"]["ResponseTemplates"]["application/json"])["code"] == "unknown_route"
    assert responses["WAF_FILTERED"]["StatusCode"] == "403"
    assert render(responses["WAF_FILTERED"]["ResponseTemplates"]["application/json"])["code"] == "outside_uk"


def test_dead_letter_queue_is_encrypted_and_alarmed(sam):
    queue = sam["Resources"]["DeadLetterQueue"]["Properties"]
    assert queue.get("SqsManagedSseEnabled") is True or queue.get("KmsMasterKeyId")
    alarms = [a["Properties"] for a in of_type(sam, "AWS::CloudWatch::Alarm").values()
              if a["Properties"]["Namespace"] == "AWS/SQS" and refs(a["Properties"]["Dimensions"]) == {"DeadLetterQueue"}]
    assert alarms
    assert alarms[0]["Threshold"] == 1 and alarms[0]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_api_function_is_traced_and_uses_the_stack_role(sam):
    api = sam["Resources"]["APIHandler"]["Properties"]
    assert api["Tracing"] == "Active" and api["Handler"] == "app.app"
    assert api["Role"] == {"Fn::GetAtt": ["ApiHandlerRole", "Arn"]}
    assert sam["Resources"]["RestAPI"]["Properties"]["TracingEnabled"] is True


def test_a_day_without_a_backup_alarms(sam):
    alarm = sam["Resources"]["BackupMissingAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("CareTracker", "BackupsCompleted")
    assert alarm["Period"] == 86400 and alarm["TreatMissingData"] == "breaching"
    assert alarm["ComparisonOperator"] == "LessThanThreshold" and alarm["Threshold"] == 1


def test_feedback_unanswered_after_48_hours_alarms(sam):
    alarm = sam["Resources"]["FeedbackOverdueAlarm"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("CareTracker", "FeedbackOverdue")
    assert alarm["Dimensions"] == [{"Name": "service", "Value": "care-tracker"}]
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold" and alarm["Threshold"] == 1
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_the_audit_pack_worker_reads_its_encrypted_queue_with_a_dead_letter_queue_and_least_privilege(sam):
    from infra.package import AUDIT_PACK_TIMEOUT_SECONDS

    queue = sam["Resources"]["AuditPackQueue"]["Properties"]
    dead = sam["Resources"]["AuditPackDeadLetterQueue"]["Properties"]
    assert queue["KmsMasterKeyId"] == {"Ref": "PersonalDataKey"} == dead["KmsMasterKeyId"]
    assert queue["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["AuditPackDeadLetterQueue", "Arn"]},
                                      "maxReceiveCount": 3}
    from functions.audit_pack_worker import MAX_RECEIVES

    assert MAX_RECEIVES == queue["RedrivePolicy"]["maxReceiveCount"]
    assert queue["VisibilityTimeout"] >= 6 * AUDIT_PACK_TIMEOUT_SECONDS  # Lambda's advice for SQS event sources
    for name in ("AuditPackQueue", "AuditPackDeadLetterQueue"):
        policy = sam["Resources"][f"{name}Policy"]["Properties"]["PolicyDocument"]["Statement"][0]
        assert policy["Effect"] == "Deny" and policy["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    alarms = [a["Properties"] for a in of_type(sam, "AWS::CloudWatch::Alarm").values()
              if refs(a["Properties"]["Dimensions"]) == {"AuditPackDeadLetterQueue"}]
    assert alarms and alarms[0]["AlarmActions"] == [{"Ref": "AlarmTopic"}]

    worker = sam["Resources"][AUDIT_PACK_FUNCTION]["Properties"]
    assert worker["Handler"] == "functions.audit_pack_worker.handler" and worker["CodeUri"] == "./deployment.zip"
    assert worker["Timeout"] == AUDIT_PACK_TIMEOUT_SECONDS <= 900
    assert worker["Events"]["Queue"] == {"Type": "SQS", "Properties": {
        "Queue": {"Fn::GetAtt": ["AuditPackQueue", "Arn"]}, "BatchSize": 1, "FunctionResponseTypes": ["ReportBatchItemFailures"]}}
    assert worker["Policies"] == [{"Ref": "AuditPackWorkerPolicy"}]
    statements = sam["Resources"]["AuditPackWorkerPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert not actions & {"dynamodb:Scan", "dynamodb:PutItem", "dynamodb:DeleteItem", "s3:GetObject", "ses:SendEmail"}
    assert refs([s["Resource"] for s in statements]) == {"WorkTable", "EmployersTable", "AuditPacksTable", "ExportsBucket",
                                                         "PersonalDataKey"}
    # The API sends to the queue and nothing else of SQS.
    api = [s for p in sam["Resources"]["ApiHandlerRole"]["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]
           if any(a.startswith("sqs:") for a in s["Action"])]
    assert api == [{"Sid": "AuditPackQueue", "Effect": "Allow", "Action": ["sqs:SendMessage"],
                    "Resource": {"Fn::GetAtt": ["AuditPackQueue", "Arn"]}}]
