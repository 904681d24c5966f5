"""`make package`: the deployable artifact and one SAM template.

    python -m infra.package out

builds, into `out/`:
- `deployment.zip`: our code only (app.py, functions/, care_tracker/), made by `chalice package`
  from a staging directory (build/stage/) whose vendor/ holds copies of functions/ and
  layers/care_tracker/ and whose requirements.txt is empty, so Chalice bundles no dependency;
- `layer.zip`: the pinned dependencies as a real Lambda layer (python/ prefix), built for the Lambda
  platform (manylinux2014_x86_64, CPython 3.11), without what the python3.11 runtime already ships;
  cached under build/layer-cache/ by a hash of requirements.txt + constraints.txt + the build recipe;
- `sam.json`: Chalice's template merged with infra/resources.yaml and the resources generated here
  (the layer on every function, one function + schedule + alarm per job of functions.jobs.JOBS,
  IAM, the shared dead-letter queue, TLS-only bucket policies, the UK-only WAF, log groups with
  retention, alarms, API Gateway error responses in the API's JSON error shape) and the web
  client's hosting (infra/web_hosting.py: S3 + CloudFront in front of the client and the API);
- `web/`: the web client's files, copied from build/web/ when the client has been built.

Deploy (both upload ./deployment.zip and ./layer.zip, which sam.json names relative to itself):

    sam deploy --template-file out/sam.json --stack-name care-tracker --resolve-s3 \
        --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --parameter-overrides MailSender=...
  or
    aws cloudformation package --template-file out/sam.json --s3-bucket <bucket> --output-template-file out/packaged.json
    aws cloudformation deploy --template-file out/packaged.json --stack-name care-tracker \
        --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND

then subscribe the on-call address to the AlarmTopic output, and upload the client: `aws s3 sync
out/web s3://<WebBucketName output> --delete`, then invalidate `/*` on the WebDistributionId output.
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
STAGE = BUILD / "stage"
LAYER_CACHE = BUILD / "layer-cache"

RUNTIME = "python3.11"
ARCHITECTURE = "x86_64"
LOG_RETENTION_DAYS = 365
JOB_TIMEOUT_SECONDS = 300
JOB_MEMORY_MB = 1024
API_STAGE = "api"  # .chalice/config.json api_gateway_stage; SAM names the stage resource RestAPI<stage>Stage
API_STAGE_RESOURCE = f"RestAPI{API_STAGE}Stage"
IMPORT_JOB = "import_cqc_locations"
IMPORT_PREFIX = "cqc/"

# What the Lambda python3.11 runtime already provides (in /var/runtime): boto3, botocore, s3transfer,
# jmespath, urllib3 (1.26.x, botocore's), python-dateutil and six. Our dependencies need some of
# them: pynamodb and aws-xray-sdk need botocore (so urllib3, jmespath, dateutil); Powertools needs
# jmespath; holidays needs python-dateutil (and dateutil needs six). All of those requirements are
# loose lower bounds that the runtime's versions meet, so the runtime's copies are used and the
# layer does not ship a second botocore (~30 MB unzipped). `bin/` holds console scripts nobody runs.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six")
PRUNE_PATHS = ("bin", "holidays/locale")  # holidays/locale: translations; English names are built in
PRUNE_RECIPE = f"v2 bytecode {RUNTIME} {ARCHITECTURE} {RUNTIME_PROVIDED} {PRUNE_PATHS}"

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".hypothesis")


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------- staging + layer


def stage_app(stage: Path = STAGE) -> Path:
    """A fresh project directory for `chalice package`; no .chalice/deployments cache survives."""
    shutil.rmtree(stage, ignore_errors=True)
    (stage / ".chalice").mkdir(parents=True)
    shutil.copy2(ROOT / "app.py", stage / "app.py")
    for name in ("config.json", "policy.json"):
        shutil.copy2(ROOT / ".chalice" / name, stage / ".chalice" / name)
    shutil.copytree(ROOT / "functions", stage / "vendor" / "functions", ignore=IGNORED)
    shutil.copytree(ROOT / "layers" / "care_tracker", stage / "vendor" / "care_tracker", ignore=IGNORED)
    # Empty on purpose: the dependencies ship in the layer, not in deployment.zip.
    (stage / "requirements.txt").write_text("")
    return stage


def layer_key() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.txt", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    digest.update(PRUNE_RECIPE.encode())
    return digest.hexdigest()[:16]


def _is_runtime_provided(entry: Path) -> bool:
    name = entry.name
    if entry.is_dir() and name.endswith(".dist-info"):
        dist = re.split(r"-\d", name[: -len(".dist-info")], maxsplit=1)[0].lower().replace("-", "_")
        return dist in {"python_dateutil" if p == "dateutil" else p for p in RUNTIME_PROVIDED}
    return name.removesuffix(".py") in RUNTIME_PROVIDED


def _zip_dir(source: Path, target: Path, prefix: str = "") -> None:
    """A reproducible zip: sorted entries, fixed timestamps."""
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(source.rglob("*")):
            if path.is_dir():
                continue
            info = zipfile.ZipInfo(prefix + path.relative_to(source).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes())
    tmp.replace(target)


def with_bytecode(root: Path, runs_from: str) -> None:
    """Compiles every module under `root` as the runtime will import it from `runs_from` (/var/task,
    /opt/python). Lambda's code directories are read-only, so Python cannot cache what it compiles:
    without these files every cold start compiles chalice, pydantic, Powertools and our code again.
    Unchecked-hash .pyc files are used whatever the files' timestamps (zips reset them); they are
    built from the very sources shipped beside them, and a build with another Python than the
    runtime's skips them (another version's bytecode would be ignored anyway)."""
    import compileall
    import py_compile

    if f"python{sys.version_info.major}.{sys.version_info.minor}" != RUNTIME:
        log(f"bytecode: skipped (this is Python {sys.version_info.major}.{sys.version_info.minor}; the functions run {RUNTIME})")
        return
    compileall.compile_dir(str(root), ddir=runs_from, quiet=2, workers=1,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)


def _bytecode_into_zip(archive: Path, runs_from: str) -> None:
    """`chalice package` zips sources only: unzip, compile, zip again (reproducibly)."""
    work = Path(tempfile.mkdtemp(prefix="bytecode-", dir=archive.parent))
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(work)
        with_bytecode(work, runs_from)
        _zip_dir(work, archive)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def build_layer() -> Path:
    """out/layer.zip's source: cached by the hash of what decides its content."""
    key = layer_key()
    cached = LAYER_CACHE / f"layer-{key}.zip"
    if cached.exists():
        log(f"layer: cached {cached.relative_to(ROOT)}")
        return cached
    BUILD.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="layer-", dir=BUILD))  # several builds may run at once
    site = work / "python"
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
           "--target", str(site), "--platform", "manylinux2014_x86_64", "--implementation", "cp",
           "--python-version", "3.11", "--only-binary=:all:",
           "-r", str(ROOT / "requirements.txt"), "-c", str(ROOT / "constraints.txt")]
    log("layer: pip install for the Lambda platform ...")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:  # pip's warnings about this machine's extra indexes are noise unless it failed
        sys.exit(f"layer: pip failed\n{done.stdout}\n{done.stderr}")
    for entry in list(site.iterdir()):
        if _is_runtime_provided(entry):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for rel in PRUNE_PATHS:
        shutil.rmtree(site / rel, ignore_errors=True)
    for cache in list(site.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    with_bytecode(site, "/opt/python")
    LAYER_CACHE.mkdir(parents=True, exist_ok=True)
    for old in LAYER_CACHE.glob("layer-*.zip"):
        old.unlink(missing_ok=True)
    _zip_dir(site, cached, prefix="python/")
    shutil.rmtree(work, ignore_errors=True)
    return cached


# ---------------------------------------------------------------- schedule expressions

# EventBridge Scheduler's cron: cron(minutes hours day-of-month month day-of-week year), in the
# schedule's time zone. Neither moto nor cfn-lint checks these, and a bad one fails only at deploy.
_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
_DAYS = "SUN MON TUE WED THU FRI SAT".split()
_CRON_FIELDS = (  # name, low, high, names
    ("minutes", 0, 59, ()), ("hours", 0, 23, ()), ("day-of-month", 1, 31, ()),
    ("month", 1, 12, _MONTHS), ("day-of-week", 1, 7, _DAYS), ("year", 1970, 2199, ()),
)


def _cron_value(text: str, low: int, high: int, names: tuple | list) -> int:
    upper = text.upper()
    if upper in names:
        return list(names).index(upper) + 1
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{text!r} is not in {low}-{high}")
    return int(text)


def _check_cron_field(field: str, index: int) -> None:
    name, low, high, names = _CRON_FIELDS[index]
    if field == "?":
        if name not in ("day-of-month", "day-of-week"):
            raise ValueError(f"'?' is only allowed in day-of-month or day-of-week, not {name}")
        return
    if name == "day-of-month" and field in ("L", "LW"):
        return
    if name == "day-of-month" and re.fullmatch(r"\d+W", field):
        _cron_value(field[:-1], low, high, names)
        return
    if name == "day-of-week" and re.fullmatch(r"\w+#[1-5]", field):
        _cron_value(field.split("#")[0], low, high, names)
        return
    if name == "day-of-week" and re.fullmatch(r"\w*L", field):
        if field != "L":
            _cron_value(field[:-1], low, high, names)
        return
    for part in field.split(","):
        base, _, step = part.partition("/")
        if step and (not step.isdigit() or int(step) < 1):
            raise ValueError(f"bad increment {step!r} in {name}")
        if base == "*":
            continue
        start, _, end = base.partition("-")
        first = _cron_value(start, low, high, names)
        if end and _cron_value(end, low, high, names) < first and name not in ("day-of-week",):
            raise ValueError(f"range {base!r} runs backwards in {name}")


def check_schedule(expression: str) -> None:
    """Raises ValueError if EventBridge Scheduler would refuse `expression` (cron/rate/at)."""
    match = re.fullmatch(r"(cron|rate|at)\((.*)\)", expression.strip())
    if not match:
        raise ValueError(f"{expression!r}: expected cron(...), rate(...) or at(...)")
    kind, body = match.groups()
    if kind == "rate":
        if not re.fullmatch(r"(1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))", body):
            raise ValueError(f"{expression!r}: expected rate(1 hour), rate(5 minutes), ...")
        return
    if kind == "at":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", body):
            raise ValueError(f"{expression!r}: expected at(yyyy-mm-ddThh:mm:ss)")
        return
    fields = body.split()
    if len(fields) != 6:
        raise ValueError(f"{expression!r}: cron needs 6 fields (minutes hours day-of-month month day-of-week year)")
    for index, field in enumerate(fields):
        try:
            _check_cron_field(field, index)
        except ValueError as exc:
            raise ValueError(f"{expression!r}: {_CRON_FIELDS[index][0]}: {exc}") from None
    if (fields[2] == "?") == (fields[4] == "?"):
        raise ValueError(f"{expression!r}: exactly one of day-of-month and day-of-week must be '?'")


# ---------------------------------------------------------------- template


def _logical(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)


def job_function_id(name: str) -> str:
    return f"Job{_logical(name)}Function"


def _sub(text: str, **vars: Any) -> dict:
    return {"Fn::Sub": [text, vars] if vars else text}


def _arn(logical: str) -> dict:
    return {"Fn::GetAtt": [logical, "Arn"]}


# Both buckets' names and the imports bucket's would make a dependency cycle if referenced with
# Ref: the imports bucket's notification points at the import function, whose role and environment
# would point back at the bucket. So that bucket gets a name computed from the stack id (lower-case
# hex, unique per stack), and everything that needs it uses the same expression instead of Ref.
IMPORTS_BUCKET_NAME = _sub("care-tracker-imports-${AWS::AccountId}-${Suffix}",
                           Suffix={"Fn::Select": [4, {"Fn::Split": ["-", {"Fn::Select": [2, {"Fn::Split": ["/", {"Ref": "AWS::StackId"}]}]}]}]})


def _bucket_arn(logical: str) -> Any:
    if logical == "ImportsBucket":
        return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::", IMPORTS_BUCKET_NAME]]}
    return _arn(logical)


def deny_insecure_transport(bucket: str) -> dict:
    """The bucket policy statement that refuses plain HTTP to `bucket` and its objects."""
    return {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [_arn(bucket), _sub("${Arn}/*", Arn=_arn(bucket))],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def _policy_document(resources: dict, *, scan: bool) -> dict:
    tables = [k for k, v in resources.items() if v["Type"] == "AWS::DynamoDB::Table"]
    buckets = [k for k, v in resources.items() if v["Type"] == "AWS::S3::Bucket"]
    table_arns: list[Any] = []
    for table in tables:
        table_arns += [_arn(table), _sub("${Arn}/index/*", Arn=_arn(table))]
    ddb_actions = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
                   "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                   "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"]
    statements = [
        {"Sid": "Tables", "Effect": "Allow", "Action": ddb_actions + (["dynamodb:Scan"] if scan else []),
         "Resource": table_arns},
        {"Sid": "BucketsList", "Effect": "Allow", "Action": ["s3:ListBucket"],
         "Resource": [_bucket_arn(b) for b in buckets]},
        {"Sid": "BucketsObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": [{"Fn::Join": ["", [_bucket_arn(b), "/*"]]} for b in buckets]},
        {"Sid": "UserPool", "Effect": "Allow",
         "Action": ["cognito-idp:AdminCreateUser", "cognito-idp:AdminDeleteUser", "cognito-idp:AdminDisableUser",
                    "cognito-idp:AdminEnableUser", "cognito-idp:AdminGetUser", "cognito-idp:AdminUserGlobalSignOut",
                    "cognito-idp:InitiateAuth", "cognito-idp:RespondToAuthChallenge",
                    "cognito-idp:ForgotPassword", "cognito-idp:ConfirmForgotPassword", "cognito-idp:AdminSetUserPassword",
                    # the support team's reset of a lost authenticator; enrolment itself is authorised by the user's tokens
                    "cognito-idp:AdminSetUserMFAPreference"],
         "Resource": [_arn("UserPool")]},
        # The employers table is encrypted with PersonalDataKey (DynamoDB uses it on the caller's behalf),
        # and the PA lists seal their page cursors with it, so no name travels in a URL.
        {"Sid": "PersonalDataKey", "Effect": "Allow",
         "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
         "Resource": [{"Fn::GetAtt": ["PersonalDataKey", "Arn"]}]},
        {"Sid": "SigningKey", "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
         "Resource": [{"Ref": "SigningKeySecret"}]},
        {"Sid": "Mail", "Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"],
         "Resource": [_sub("arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${MailSender}")],
         "Condition": {"StringEquals": {"ses:FromAddress": {"Ref": "MailSender"}}}},
    ]
    return {"Version": "2012-10-17", "Statement": statements}


AUDIT_PACK_FUNCTION = "MakeAuditPack"
AUDIT_PACK_TIMEOUT_SECONDS = 900  # AuditPackQueue's VisibilityTimeout is 6 times this (resources.yaml)
# What the worker does (tests/integration/test_audit_pack_jobs.py records its calls against this): reads
# the employments and settings (EmployersTable, KMS-encrypted) and the work history, marks the pack,
# writes the zip by multipart upload. No Scan, no deletes, no mail, no user pool.
AUDIT_PACK_WORKER_TABLES = {"WorkTable": ["dynamodb:GetItem", "dynamodb:Query"],
                            "EmployersTable": ["dynamodb:GetItem"],
                            "AuditPacksTable": ["dynamodb:GetItem", "dynamodb:UpdateItem"]}


def audit_pack_worker_policy() -> dict:
    statements: list[dict] = []
    for table, actions in AUDIT_PACK_WORKER_TABLES.items():
        statements.append({"Sid": table, "Effect": "Allow", "Action": actions,
                           "Resource": [_arn(table), _sub("${Arn}/index/*", Arn=_arn(table))]})
    statements += [
        {"Sid": "AuditPackZips", "Effect": "Allow", "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
         "Resource": [_sub("${Arn}/exports/*", Arn=_arn("ExportsBucket"))]},
        # EmployersTable is encrypted with it, and so are both queues' messages: Decrypt to receive,
        # GenerateDataKey for Lambda's own dead-letter delivery should the function ever be invoked asynchronously.
        {"Sid": "PersonalDataKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": [_arn("PersonalDataKey")]},
    ]  # logs and X-Ray: SAM's basic execution role and Tracing: Active add them, as for the jobs
    return {"Version": "2012-10-17", "Statement": statements}


def _log_group() -> dict:
    return {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {"RetentionInDays": LOG_RETENTION_DAYS}}


def _alarm(description: str, namespace: str, metric: str, dimension: tuple[str, Any], *, statistic: str = "Sum",
           period: int = 300, below: bool = False, missing: str = "notBreaching") -> dict:
    """One alarm on one metric, to AlarmTopic: fires at >= 1 (or, with `below`, under 1) in one period."""
    name, value = dimension
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmDescription": description, "Namespace": namespace, "MetricName": metric,
        "Dimensions": [{"Name": name, "Value": value}],
        "Statistic": statistic, "Period": period, "EvaluationPeriods": 1, "Threshold": 1,
        "ComparisonOperator": "LessThanThreshold" if below else "GreaterThanOrEqualToThreshold", "TreatMissingData": missing,
        "AlarmActions": [{"Ref": "AlarmTopic"}], "OKActions": [{"Ref": "AlarmTopic"}]}}


def _errors_alarm(function: str, description: str) -> dict:
    return _alarm(description, "AWS/Lambda", "Errors", ("FunctionName", {"Ref": function}))


def _gateway_response(status: str | None, code: str, message: str | None = None) -> dict:
    # Gateway response templates only substitute variables (no VTL logic). $context.error.messageString
    # is already a quoted JSON string.
    text = json.dumps(message) if message else "$context.error.messageString"
    template = (f'{{"code": "{code}", "message": {text}, "details": {{"reason": "$context.error.responseType", '
                '"request_id": "$context.requestId"}}')
    response: dict[str, Any] = {"ResponseTemplates": {"application/json": template},
                                "ResponseParameters": {"Headers": {"Content-Type": "'application/json'"}}}
    if status:
        response["StatusCode"] = status
    return response


def generated_resources(template: dict, jobs: dict) -> dict:
    """Everything added to resources.yaml: a dict of logical id -> resource (overrides merged)."""
    resources = template["Resources"]
    out: dict[str, Any] = {}

    out["DependenciesLayer"] = {"Type": "AWS::Serverless::LayerVersion", "Properties": {
        "Description": "Care Tracker's pinned dependencies (requirements.txt), without what the runtime ships",
        "ContentUri": "./layer.zip", "CompatibleRuntimes": [RUNTIME], "CompatibleArchitectures": [ARCHITECTURE],
        "RetentionPolicy": "Delete"}}

    # ---- alarms go to one topic (subscribe the on-call address after deploying)
    # Not encrypted with the AWS-managed alias/aws/sns key: CloudWatch alarms cannot publish to such
    # a topic (its key policy cannot grant cloudwatch.amazonaws.com). See checkov-waivers.yaml.
    out["AlarmTopic"] = {"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "Care Tracker alarms"}}

    # ---- shared dead-letter queue: schedules that cannot invoke, async invocations that keep failing
    out["DeadLetterQueue"] = {"Type": "AWS::SQS::Queue", "Properties": {
        "SqsManagedSseEnabled": True, "MessageRetentionPeriod": 1209600}}
    out["DeadLetterQueuePolicy"] = {"Type": "AWS::SQS::QueuePolicy", "Properties": {
        "Queues": [{"Ref": "DeadLetterQueue"}],
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
            "Resource": _arn("DeadLetterQueue"), "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}}
    out["DeadLetterAlarm"] = _alarm(
        "A scheduled or event-driven job could not run: read the dead-letter queue", "AWS/SQS",
        "ApproximateNumberOfMessagesVisible", ("QueueName", {"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]}),
        statistic="Maximum")

    # ---- a day without a completed backup (the backup job emits BackupsCompleted through Powertools'
    # EMF, dimension service=care-tracker): missing data counts, so a job that never ran alarms too.
    out["BackupMissingAlarm"] = _alarm(
        "No daily backup completed in the last day: run the backup job from the console", "CareTracker",
        "BackupsCompleted", ("service", "care-tracker"), period=86400, below=True, missing="breaching")

    # ---- feedback waiting more than 48 hours (issue 13): flag_unanswered_feedback emits FeedbackOverdue
    # (the items it told the support address of this run); any in an hour alarms. No data: nothing overdue.
    out["FeedbackOverdueAlarm"] = _alarm(
        "Feedback has waited more than 48 hours for an answer: see the support inbox", "CareTracker",
        "FeedbackOverdue", ("service", "care-tracker"), period=3600)

    # ---- IAM: scoped to this stack's tables, buckets, user pool and mail identity
    out["AppAccessPolicy"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
        "Description": "Care Tracker functions: this stack's tables, buckets, user pool and mail identity",
        "PolicyDocument": _policy_document(resources, scan=False)}}
    out["JobsAccessPolicy"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
        "Description": "Care Tracker jobs only: the same, plus Scan (exports, backups)",
        "PolicyDocument": _policy_document(resources, scan=True)}}

    # ---- the API function (Chalice's APIHandler and its role ApiHandlerRole; autogen policy is off)
    out["ApiHandlerLogGroup"] = _log_group()
    out["ApiHandlerRole"] = {"Properties": {
        "ManagedPolicyArns": [{"Ref": "AppAccessPolicy"}],
        "Policies": [{"PolicyName": "ApiHandlerRolePolicy", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": _arn("ApiHandlerLogGroup")},  # the group's Arn ends in ":*", i.e. its streams
            {"Sid": "Tracing", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
             "Resource": "*"},
            # POST /employer/audit-pack hands the pack to the worker (the queue's key: PersonalDataKey, in AppAccessPolicy)
            {"Sid": "AuditPackQueue", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": _arn("AuditPackQueue")}]}}]}}
    out["APIHandler"] = {"Properties": {
        "Description": "Care Tracker API (Chalice)",
        "LoggingConfig": {"LogGroup": {"Ref": "ApiHandlerLogGroup"}}}}
    out["ApiHandlerErrorsAlarm"] = _errors_alarm("APIHandler", "The API function raised errors (5xx to callers)")
    out["RestAPI"] = {"Properties": {
        "TracingEnabled": True,
        "MethodSettings": [{"ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": True,
                            "ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100}],
        "GatewayResponses": {
            # Shape of API.md: {"code", "message", "details"}; Chalice's own routes never reach these.
            # details.reason is API Gateway's own (e.g. REQUEST_TOO_LARGE, INTEGRATION_TIMEOUT).
            "DEFAULT_4XX": _gateway_response(None, "bad_request"),
            "DEFAULT_5XX": _gateway_response(None, "server_error"),
            "MISSING_AUTHENTICATION_TOKEN": _gateway_response(
                "404", "unknown_route", "There is no such route. The routes are listed at /openapi.json."),
            # The API stage's web ACL refuses what did not come through CloudFront (whose geo
            # restriction admits only the UK) and known bad inputs.
            "WAF_FILTERED": _gateway_response(
                "403", "outside_uk", "This service is only available from the United Kingdom, at its own web address."),
            "THROTTLED": _gateway_response(None, "too_many_requests", "Too many requests: wait a moment and try again."),
        }}}

    # ---- UK only. Viewers reach the API through CloudFront (infra/web_hosting.py), whose geo
    # restriction admits only GB; a regional web ACL sees CloudFront's addresses, not the viewer's,
    # so the API stage's ACL does not judge the country but admits only requests carrying the secret
    # header CloudFront adds: the execute-api URL is closed to everyone else. The app also refuses a
    # non-GB CloudFront-Viewer-Country header. The user pool is called by the functions (in this
    # region) and, if anyone tries, directly: its ACL keeps the plain GB GeoMatch.
    from infra import web_hosting

    known_bad_inputs = {
        "Name": "known-bad-inputs", "Priority": 0, "OverrideAction": {"None": {}},
        "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesKnownBadInputsRuleSet"}},
        "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "known-bad-inputs"}}
    out["UkOnlyWebAcl"] = {"Type": "AWS::WAFv2::WebACL", "Properties": {
        "Scope": "REGIONAL", "Description": "Care Tracker user pool: requests from the United Kingdom only",
        "DefaultAction": {"Block": {}},
        "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "care-tracker"},
        "Rules": [
            known_bad_inputs,
            {"Name": "allow-gb", "Priority": 1, "Action": {"Allow": {}},
             "Statement": {"GeoMatchStatement": {"CountryCodes": ["GB"]}},
             "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "allow-gb"}},
        ]}}
    out["ApiWebAcl"] = {"Type": "AWS::WAFv2::WebACL", "Properties": {
        "Scope": "REGIONAL", "Description": "Care Tracker API stage: only requests that came through the CloudFront distribution",
        "DefaultAction": {"Block": {}},
        "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "care-tracker-api"},
        "Rules": [known_bad_inputs, web_hosting.api_web_acl_rule()]}}
    for acl, group, logging, name_suffix, redacted in (
            ("UkOnlyWebAcl", "WafLogGroup", "WafLogging", "", ["authorization"]),
            ("ApiWebAcl", "ApiWafLogGroup", "ApiWafLogging", "-api", ["authorization", web_hosting.ORIGIN_SECRET_HEADER])):
        out[group] = {"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
                      "Properties": {"RetentionInDays": LOG_RETENTION_DAYS,
                                     # WAF requires this prefix for a log group destination.
                                     "LogGroupName": _sub("aws-waf-logs-${AWS::StackName}" + name_suffix)}}
        out[logging] = {"Type": "AWS::WAFv2::LoggingConfiguration", "Properties": {
            "ResourceArn": _arn(acl), "LogDestinationConfigs": [_arn(group)],
            "RedactedFields": [{"SingleHeader": {"Name": header}} for header in redacted]}}
    out["ApiWebAclAssociation"] = {"Type": "AWS::WAFv2::WebACLAssociation", "DependsOn": API_STAGE_RESOURCE,
                                   "Properties": {
        # arn:aws:apigateway:{region}::/restapis/{api-id}/stages/{stage}
        "ResourceArn": _sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${RestAPI}/stages/" + API_STAGE),
        "WebACLArn": _arn("ApiWebAcl")}}
    out["UserPoolWebAclAssociation"] = {"Type": "AWS::WAFv2::WebACLAssociation", "Properties": {
        # arn:aws:cognito-idp:{region}:{account}:userpool/{pool-id}
        "ResourceArn": _arn("UserPool"), "WebACLArn": _arn("UkOnlyWebAcl")}}

    # ---- the web client: S3 + CloudFront in front of the client and the API (infra/web_hosting.py)
    out.update(web_hosting.resources())

    # ---- S3: refuse plain HTTP on every bucket
    for bucket in [k for k, v in resources.items() if v["Type"] == "AWS::S3::Bucket"]:
        out[f"{bucket}Policy"] = {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": bucket},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [deny_insecure_transport(bucket)]}}}
    out["ImportsBucket"] = {"Properties": {"BucketName": IMPORTS_BUCKET_NAME}}

    # ---- the audit pack worker (issue 12): AuditPackQueue -> MakeAuditPack, one message at a time
    for queue in ("AuditPackQueue", "AuditPackDeadLetterQueue"):
        out[f"{queue}Policy"] = {"Type": "AWS::SQS::QueuePolicy", "Properties": {
            "Queues": [{"Ref": queue}],
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sqs:*",
                "Resource": _arn(queue), "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}}
    out["AuditPackDeadLetterAlarm"] = _alarm(
        "An audit pack could not be made 3 times (the employer was told to ask again): read its dead-letter queue "
        "and the MakeAuditPack logs", "AWS/SQS", "ApproximateNumberOfMessagesVisible",
        ("QueueName", {"Fn::GetAtt": ["AuditPackDeadLetterQueue", "QueueName"]}), statistic="Maximum")
    out["AuditPackWorkerPolicy"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
        "Description": "Care Tracker audit pack worker: reads the work and employers tables, marks the pack, writes the zip",
        "PolicyDocument": audit_pack_worker_policy()}}
    out["MakeAuditPackLogGroup"] = _log_group()
    out[AUDIT_PACK_FUNCTION] = {"Type": "AWS::Serverless::Function", "Properties": {
        "Description": "Makes the audit packs employers ask for (POST /employer/audit-pack), from AuditPackQueue",
        "CodeUri": "./deployment.zip", "Handler": "functions.audit_pack_worker.handler", "Runtime": RUNTIME,
        "Architectures": [ARCHITECTURE], "Timeout": AUDIT_PACK_TIMEOUT_SECONDS, "MemorySize": JOB_MEMORY_MB,
        "LoggingConfig": {"LogGroup": {"Ref": "MakeAuditPackLogGroup"}},
        "Policies": [{"Ref": "AuditPackWorkerPolicy"}],  # SAM adds the queue's receive/delete for the event
        # Never invoked asynchronously (the event source mapping polls), so this only satisfies the rule
        # that every function has one; failed messages reach AuditPackDeadLetterQueue by the redrive policy.
        "DeadLetterQueue": {"Type": "SQS", "TargetArn": _arn("AuditPackDeadLetterQueue")},
        "Events": {"Queue": {"Type": "SQS", "Properties": {
            "Queue": _arn("AuditPackQueue"), "BatchSize": 1, "FunctionResponseTypes": ["ReportBatchItemFailures"]}}}}}
    out[f"{AUDIT_PACK_FUNCTION}ErrorsAlarm"] = _errors_alarm(AUDIT_PACK_FUNCTION, "The audit pack worker raised errors")

    # ---- one function per job
    for name, job in sorted(jobs.items()):
        if job.schedule:
            check_schedule(job.schedule)
        fid = job_function_id(name)
        out[f"{fid}LogGroup"] = _log_group()
        props: dict[str, Any] = {
            "Description": f"Job {name}: {job.description}"[:256],
            "CodeUri": "./deployment.zip", "Handler": "functions.jobs.handler", "Runtime": RUNTIME,
            "Architectures": [ARCHITECTURE], "Timeout": JOB_TIMEOUT_SECONDS, "MemorySize": JOB_MEMORY_MB,
            "Environment": {"Variables": {"JOB_NAME": name}},
            "LoggingConfig": {"LogGroup": {"Ref": f"{fid}LogGroup"}},
            "Policies": [{"Ref": "JobsAccessPolicy"}],
            # Asynchronous invocations (schedules, S3) that still fail after Lambda's two retries.
            "DeadLetterQueue": {"Type": "SQS", "TargetArn": _arn("DeadLetterQueue")},
            "Events": {},
        }
        if name == IMPORT_JOB:
            # The bucket's notification points at this function: see IMPORTS_BUCKET_NAME.
            props["Environment"]["Variables"]["IMPORTS_BUCKET"] = IMPORTS_BUCKET_NAME
            props["Events"]["CqcFileArrived"] = {"Type": "S3", "Properties": {
                "Bucket": {"Ref": "ImportsBucket"}, "Events": "s3:ObjectCreated:*",
                "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": IMPORT_PREFIX}]}}}}
        if job.schedule:
            props["Events"]["Schedule"] = {"Type": "ScheduleV2", "Properties": {
                "ScheduleExpression": job.schedule, "ScheduleExpressionTimezone": "Europe/London",
                # Let CloudFormation name it: SAM's fixed name would clash between two stacks.
                "OmitName": True,
                "Description": f"Runs job {name}"[:512],
                # The job receives the instant it was scheduled for: a retry runs for the same `at`.
                "Input": json.dumps({"at": "<aws.scheduler.scheduled-time>"}),
                "RetryPolicy": {"MaximumRetryAttempts": 5, "MaximumEventAgeInSeconds": 3600},
                "DeadLetterConfig": {"Arn": _arn("DeadLetterQueue")}}}
        if not props["Events"]:
            del props["Events"]
        out[fid] = {"Type": "AWS::Serverless::Function", "Properties": props}
        out[f"{fid}ErrorsAlarm"] = _errors_alarm(fid, f"Job {name} failed")
    return out


def merge_template(jobs: dict | None = None) -> dict:
    """infra/resources.yaml plus generated_resources(): the --merge-template input."""
    from infra.local.template import load_template

    if jobs is None:
        for path in (ROOT, ROOT / "layers"):  # as under `make`, which sets PYTHONPATH
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        from functions.jobs import JOBS as jobs  # noqa: N811
    template = load_template()
    merged = copy.deepcopy(template)
    extra = generated_resources(template, jobs)
    for logical, resource in extra.items():
        if logical in merged["Resources"]:
            _deep_merge(merged["Resources"][logical], resource)
        else:
            merged["Resources"][logical] = resource
    function_globals = merged["Globals"]["Function"]
    function_globals.setdefault("Layers", []).append({"Ref": "DependenciesLayer"})
    merged.setdefault("Outputs", {})["AlarmTopicArn"] = {
        "Description": "Subscribe the on-call address to this topic", "Value": {"Ref": "AlarmTopic"}}
    merged["Outputs"]["DeadLetterQueueUrl"] = {"Value": {"Ref": "DeadLetterQueue"}}
    from infra import web_hosting

    merged.setdefault("Conditions", {}).update(web_hosting.CONDITIONS)
    merged["Outputs"].update(web_hosting.outputs())
    return merged


def _deep_merge(base: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value


# ---------------------------------------------------------------- chalice package


def chalice_package(stage: Path, merge_file: Path, out: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("CARE_TRACKER_LOCAL", "AWS_ENDPOINT_URL", "AWS_PROFILE")}
    # Chalice imports app.py to find the routes: vendor/ is what Lambda will have on its path; it
    # must be the deployed (not local) app, hence no CARE_TRACKER_LOCAL.
    env["PYTHONPATH"] = str(stage / "vendor")
    env.setdefault("AWS_DEFAULT_REGION", "eu-west-2")
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run([str(chalice), "package", "--stage", "dev", "--merge-template", str(merge_file), str(out)],
                   cwd=stage, env=env, check=True)


def sizes(out: Path) -> dict[str, float]:
    def unzipped(path: Path) -> int:
        with zipfile.ZipFile(path) as zf:
            return sum(i.file_size for i in zf.infolist())

    app_zip, layer_zip = out / "deployment.zip", out / "layer.zip"
    mb = 1024 * 1024
    return {"app_zip_mb": round(app_zip.stat().st_size / mb, 3), "layer_zip_mb": round(layer_zip.stat().st_size / mb, 3),
            "unzipped_mb": round((unzipped(app_zip) + unzipped(layer_zip)) / mb, 3)}


def build(out: Path, work: Path = BUILD) -> dict[str, float]:
    """Builds into `out`; `work` holds the staging directory and the merge input (tests use a
    temporary one so that two test runs do not share it; the layer cache is always build/)."""
    out = out if out.is_absolute() else ROOT / out
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    stage = stage_app(work / "stage")
    layer = build_layer()
    merge_file = work / "merge-template.json"
    merge_file.write_text(json.dumps(merge_template(), indent=2))
    chalice_package(stage, merge_file, out)
    _bytecode_into_zip(out / "deployment.zip", "/var/task")
    shutil.copy2(layer, out / "layer.zip")
    from infra import web_hosting

    web_hosting.package_client(out)  # out/web/, synced to the client's bucket after `sam deploy`
    figures = sizes(out)
    log(f"out: deployment.zip {figures['app_zip_mb']} MB, layer.zip {figures['layer_zip_mb']} MB, "
        f"unzipped {figures['unzipped_mb']} MB; template {out / 'sam.json'}")
    return figures


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    build(Path(args[0] if args else "out"))


if __name__ == "__main__":
    main()
