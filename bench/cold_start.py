"""Cold start: importing a handler module in a fresh interpreter, against `import boto3` in the
same run (issue 2: the API module at most 1.5 times boto3). Each figure is the median of fresh
interpreters, measured inside the child so interpreter start-up is not counted.

The true cold start (issue 9): a fresh interpreter imports the API handler and answers its first
authenticated `GET /me` (token verification with the pool's keys fetched, the account read, the
names read), against a baseline in the same run that imports boto3, builds a DynamoDB client and
makes one GetItem. Both talk to moto's server over HTTP as the AWS. Target: at most 1.3 times.
It runs from the built artifact (deployment.zip and layer.zip unzipped, as Lambda has them, with the
bytecode `make package` compiles into them), and from the same files without their bytecode (what
Lambda does without it: its code directories are read-only, so every cold start compiles again)."""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 9
PROBE = (
    "import time, sys, json; t = time.perf_counter(); import {module}; "
    "print(json.dumps({{'s': time.perf_counter() - t, 'modules': sorted(m for m in sys.modules if m.split('.')[0] in "
    "('boto3', 'botocore', 'pynamodb', 'cryptography', 'aws_xray_sdk', 'holidays', 'zxcvbn'))}}))"
)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARE_TRACKER_", "AWS_ENDPOINT"))}
    # As in Lambda: a function name (Powertools and the Tracer behave as deployed), a region.
    env.update(AWS_LAMBDA_FUNCTION_NAME="bench", AWS_REGION="eu-west-2", AWS_DEFAULT_REGION="eu-west-2", JOB_NAME="backup",
               PYTHONPATH=os.pathsep.join([str(ROOT / "layers"), str(ROOT)]), PYTHONDONTWRITEBYTECODE="1")
    return env


def measure(module: str) -> tuple[float, list[str]]:
    times, heavy = [], []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], capture_output=True, text=True,
                             env=_env(), cwd=ROOT, check=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        times.append(result["s"])
        heavy = result["modules"]
    return statistics.median(times), sorted({m.split(".")[0] for m in heavy})


TRUE_RUNS = 11
TRACE_HEADER = "Root=1-67a1b2c3-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1"
FIRST_ME = """
import json, sys, time
t = time.perf_counter()
from app import app
class Context:
    function_name, memory_limit_in_mb, aws_request_id = "bench", 1024, "bench-1"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:000000000000:function:bench"
    def get_remaining_time_in_millis(self): return 29000
event = json.loads(sys.argv[1])
response = app(event, Context())
print(json.dumps({"s": time.perf_counter() - t, "status": response["statusCode"],
                  "heavy": sorted(m for m in ("pydantic", "aws_xray_sdk", "functions.auth") if m in sys.modules)}))
"""
BASELINE = """
import json, sys, time
t = time.perf_counter()
import boto3
client = boto3.client("dynamodb")
item = client.get_item(TableName=sys.argv[1], Key={"user_id": {"S": sys.argv[2]}})
print(json.dumps({"s": time.perf_counter() - t, "status": 200 if "Item" in item else 404}))
"""


def _me_event(token: str) -> dict:
    return {"resource": "/me", "path": "/me", "httpMethod": "GET", "headers": {"Authorization": f"Bearer {token}"},
            "multiValueHeaders": {"Authorization": [f"Bearer {token}"]}, "queryStringParameters": None,
            "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None, "body": None,
            "isBase64Encoded": False,
            "requestContext": {"resourcePath": "/me", "httpMethod": "GET", "path": "/api/me", "stage": "api",
                               "requestId": "bench-request"}}


LOADED: set[str] = set()  # what the first GET /me loaded of what it should not need (FIRST_ME's "heavy")


def _child(code: str, args: list[str], env: dict[str, str], cwd: Path = ROOT) -> float:
    # `python -c` puts its working directory first on sys.path: the artifact's runs start in it
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, cwd=cwd, check=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result["status"] == 200, out[-2000:]
    LOADED.update(result.get("heavy", ()))
    return result["s"]


def true_cold_start(artifact: list[Path], without_bytecode: list[Path]) -> dict:
    """Fresh interpreters against moto's server, interleaved so all see the same machine load;
    `artifact`: the unzipped deployment.zip and the layer's python/ (Lambda's /var/task, /opt/python);
    `without_bytecode`: the same without their __pycache__ folders."""
    import re

    from infra.local.stack import free_port, moto_server

    port = free_port()
    server = moto_server(port)
    server.start()
    aws = f"http://127.0.0.1:{port}"
    saved = dict(os.environ)
    try:
        os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench",
                           "AWS_DEFAULT_REGION": "eu-west-2", "AWS_REGION": "eu-west-2", "AWS_ENDPOINT_URL": aws,
                           "POWERTOOLS_TRACE_DISABLED": "true"})
        from care_tracker import wiring
        from infra.local.provision import provision

        env = provision(region="eu-west-2")
        os.environ.update(env)
        os.environ["JWKS_URL"] = f"{aws}/{env['USER_POOL_ID']}/.well-known/jwks.json"
        wiring.reset()
        email = "cold@example.org"
        user = wiring.account_service().create_account(email=email, full_name="Cold Start", roles=["provider_user"],
                                                       org_id="1-1", location_ids=["1-10", "1-11"])
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        mail = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-2"].sent_messages[-1]  # the server runs in this process
        temporary = re.search(r"Temporary password: (\S+)", mail.body).group(1)
        challenge = wiring.auth_service().login(email, temporary)
        token = wiring.auth_service().new_password(email, challenge.session, "violet orbit canal mitten").id_token
        child_env = {**_env(), **env, "JWKS_URL": os.environ["JWKS_URL"], "AWS_ENDPOINT_URL": aws,
                     "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench",
                     # As Lambda runs it, tracing on: the X-Ray SDK sees Lambda (local sampling, no X-Ray
                     # client of its own) and the invocation's trace header; segments go to UDP, unheard.
                     "LAMBDA_TASK_ROOT": str(ROOT), "_X_AMZN_TRACE_ID": TRACE_HEADER}
        child_env.pop("POWERTOOLS_TRACE_DISABLED", None)
        event = json.dumps(_me_event(token))
        artifact_env = {**child_env, "PYTHONPATH": os.pathsep.join(str(p) for p in artifact)}
        sources_env = {**child_env, "PYTHONPATH": os.pathsep.join(str(p) for p in without_bytecode)}
        first_me, from_source, baseline = [], [], []
        for _ in range(TRUE_RUNS):
            baseline.append(_child(BASELINE, [env["USERS_TABLE"], user.user_id], child_env))
            first_me.append(_child(FIRST_ME, [event], artifact_env, cwd=artifact[0]))
            from_source.append(_child(FIRST_ME, [event], sources_env, cwd=without_bytecode[0]))
        wiring.reset()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()
    me_s, base_s, source_s = statistics.median(first_me), statistics.median(baseline), statistics.median(from_source)
    # Each ratio from one round (a baseline and the two /me runs back to back, under the same load),
    # then their median: a machine whose load drifts moves both sides of a round together.
    return {"first_me_ms": round(me_s * 1000, 1), "baseline_boto3_getitem_ms": round(base_s * 1000, 1),
            "first_me_over_baseline": round(statistics.median(m / b for m, b in zip(first_me, baseline, strict=True)), 2),
            "target_first_me_over_baseline": 1.3,
            "first_me_without_bytecode_ms": round(source_s * 1000, 1),
            "first_me_without_bytecode_over_baseline": round(statistics.median(s / b for s, b in zip(from_source, baseline, strict=True)), 2),
            "first_me_loaded": sorted(LOADED)}


def _from_the_artifact(measure) -> dict:
    """Builds the package as `make package` does (the layer from build/layer-cache/ when unchanged)
    and runs `measure` with its two zips unzipped, and a copy of them without bytecode."""
    import tempfile
    import zipfile

    from infra import package

    with tempfile.TemporaryDirectory(prefix="cold-start-") as tmp:
        out = Path(tmp) / "out"
        package.build(out, work=Path(tmp))
        for copy in ("with", "without"):
            for archive in ("deployment.zip", "layer.zip"):
                with zipfile.ZipFile(out / archive) as zf:
                    zf.extractall(Path(tmp) / copy / archive)
        for cache in list((Path(tmp) / "without").rglob("__pycache__")):
            shutil.rmtree(cache)
        return measure(*([Path(tmp) / copy / "deployment.zip", Path(tmp) / copy / "layer.zip" / "python"]
                         for copy in ("with", "without")))


def main() -> dict:
    boto3_s, _ = measure("boto3")
    api_s, api_heavy = measure("app")
    jobs_s, jobs_heavy = measure("functions.jobs")
    figures = {
        "import_boto3_ms": round(boto3_s * 1000, 1),
        "import_api_ms": round(api_s * 1000, 1),
        "import_jobs_ms": round(jobs_s * 1000, 1),
        "api_over_boto3": round(api_s / boto3_s, 2),
        "jobs_over_boto3": round(jobs_s / boto3_s, 2),
        "api_heavy_modules_at_import": api_heavy,
        "jobs_heavy_modules_at_import": jobs_heavy,
        "target_api_over_boto3": 1.5,
        **_from_the_artifact(true_cold_start),
    }
    for key, value in figures.items():
        print(f"cold start  {key}: {value}")
    return figures


if __name__ == "__main__":
    main()
