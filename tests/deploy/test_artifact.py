"""The built artifact works on its own: imported from the unzipped deployment.zip + layer.zip in a
clean interpreter, the way Lambda's python3.11 runtime loads it.

The interpreter runs with `-I -S` (no PYTHONPATH, no user or venv site-packages) and its sys.path
is set to exactly: the unzipped deployment.zip (Lambda's /var/task), the layer's python/ (/opt/python),
a directory standing in for the runtime's own /var/runtime, and the standard library. The stand-in
holds links to the dev virtualenv's boto3, botocore, s3transfer, jmespath, urllib3, dateutil and six:
the packages the Lambda runtime provides and that the layer therefore leaves out (infra/package.py).
Nothing else from the dev virtualenv (chalice, pydantic, pynamodb, ...) is reachable, so a
dependency missing from the layer or code missing from deployment.zip fails here.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra.package import RUNTIME_PROVIDED

MB = 1024 * 1024

PROBE = r"""
import json, os, sys
task, opt, runtime = sys.argv[1:4]
stdlib = [p for p in sys.path if p and "site-packages" not in p]
sys.path[:] = [task, os.path.join(opt, "python"), runtime] + stdlib

import app as app_module
from functions import audit_pack_worker, jobs
# What the worker imports when its first message arrives (functions.audit_pack_worker.handle_records).
import care_tracker.wiring, care_tracker.services.audit_pack, care_tracker.adapters.audit_pack_store
import care_tracker.adapters.export_store, care_tracker.services.auth

class Context:  # what Lambda passes; Powertools' logger reads these
    function_name = "APIHandler"; memory_limit_in_mb = 1024; aws_request_id = "req-1"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:APIHandler"

def call(method, path, headers=None):
    event = {"resource": path, "path": path, "httpMethod": method, "headers": headers or {},
             "multiValueHeaders": {}, "queryStringParameters": None, "multiValueQueryStringParameters": None,
             "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
             "requestContext": {"resourcePath": path, "httpMethod": method, "requestId": "req-1", "stage": "api",
                                "identity": {"sourceIp": "127.0.0.1"}}}
    answer = app_module.app(event, Context())
    return {"status": answer["statusCode"], "body": json.loads(answer["body"])}

import holidays
from datetime import date
bank = holidays.country_holidays("GB", subdiv="ENG", years=2026)

import pydantic, pynamodb, aws_lambda_powertools, cryptography.hazmat.primitives.asymmetric.rsa, zxcvbn, botocore
import importlib.util

print(json.dumps({
    "routes": sorted(app_module.app.routes),
    "jobs": sorted(jobs.JOBS),
    "handler": callable(jobs.handler),
    "worker": callable(audit_pack_worker.handler) and callable(care_tracker.wiring.audit_pack_jobs),
    "files": {name: getattr(sys.modules[name], "__file__", None)
              for name in ("app", "functions.jobs", "functions.audit_pack_worker", "care_tracker.services.audit_pack",
                           "care_tracker.adapters.audit_pack_store", "care_tracker.config", "chalice", "pydantic", "pydantic_core",
                           "pynamodb", "aws_lambda_powertools", "cryptography", "holidays", "botocore")},
    "pyjwt_shipped": importlib.util.find_spec("jwt") is not None,
    "health": call("GET", "/health"),
    "abroad": call("GET", "/health", {"cloudfront-viewer-country": "FR"}),
    "christmas": date(2026, 12, 25) in bank, "boxing_observed": date(2026, 12, 28) in bank,
}))
"""


@pytest.fixture(scope="session")
def runtime_stand_in(tmp_path_factory) -> Path:
    """Links to the dev venv's copies of what Lambda's runtime provides (see the module docstring)."""
    stand_in = tmp_path_factory.mktemp("var-runtime")
    for name in RUNTIME_PROVIDED:
        spec = importlib.util.find_spec(name)
        assert spec and spec.origin, f"{name} is not installed in the dev virtualenv"
        origin = Path(spec.origin)
        source = origin.parent if origin.name == "__init__.py" else origin
        os.symlink(source, stand_in / source.name)
    return stand_in


@pytest.fixture(scope="session")
def probe(extracted, runtime_stand_in) -> dict:
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "eu-west-2", "AWS_REGION": "eu-west-2",
           "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_SERVICE_NAME": "care-tracker",
           "POWERTOOLS_METRICS_NAMESPACE": "CareTracker", "JOB_NAME": "import_cqc_locations",
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    done = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", PROBE, str(extracted["task"]), str(extracted["opt"]),
                           str(runtime_stand_in)], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_handler_imports_from_the_artifact_alone(probe, extracted, runtime_stand_in):
    files = probe["files"]
    task, opt = str(extracted["task"]), str(extracted["opt"] / "python")
    for name in ("app", "functions.jobs", "functions.audit_pack_worker", "care_tracker.services.audit_pack",
                 "care_tracker.adapters.audit_pack_store", "care_tracker.config", "chalice"):
        assert files[name].startswith(task), (name, files[name])
    assert probe["worker"] is True
    for name in ("pydantic", "pydantic_core", "pynamodb", "aws_lambda_powertools", "cryptography", "holidays"):
        assert files[name].startswith(opt), (name, files[name])
    assert probe["pyjwt_shipped"] is False  # only the tests use PyJWT
    assert files["botocore"].startswith(str(runtime_stand_in)), files["botocore"]


def test_deployed_app_has_the_routes_and_no_local_routes(probe):
    from functions.capabilities import routes  # every route declared through the route helper

    declared = {spec.path for spec in routes() if not spec.path.startswith("/_local")}
    assert {"/health", "/openapi.json", "/auth/login", "/me"} <= set(probe["routes"])
    assert declared <= set(probe["routes"]), declared - set(probe["routes"])
    assert not [path for path in probe["routes"] if path.startswith("/_local")]
    assert "/{proxy+}" in probe["routes"]  # unknown routes answer in the API's error shape


def test_deployed_app_answers_and_refuses_outside_the_uk(probe):
    assert probe["health"] == {"status": 200, "body": {"status": "ok"}}
    assert probe["abroad"]["status"] == 403
    assert probe["abroad"]["body"]["code"] == "outside_uk"


def test_jobs_import_from_the_artifact(probe):
    from functions.jobs import JOBS

    assert probe["handler"] is True
    assert probe["jobs"] == sorted(JOBS)


def test_layer_leaves_out_what_the_runtime_ships_and_the_translations(out_dir, probe):
    with zipfile.ZipFile(out_dir / "layer.zip") as zf:
        names = zf.namelist()
    assert all(name.startswith("python/") for name in names)
    top = {name.split("/")[1].removesuffix(".py") for name in names}
    assert not top & set(RUNTIME_PROVIDED), top & set(RUNTIME_PROVIDED)
    assert not [n for n in names if n.startswith("python/holidays/locale/")]
    # ... and holidays still knows England's bank holidays without its translations
    assert probe["christmas"] is True and probe["boxing_observed"] is True


def test_deployment_zip_holds_only_our_code(out_dir):
    with zipfile.ZipFile(out_dir / "deployment.zip") as zf:
        names = zf.namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"app.py", "__pycache__", "functions", "care_tracker", "chalice"}, top


def _bytecode_problems(archive: Path) -> tuple[int, list[str]]:
    """(modules, those without bytecode the runtime uses as it is): each .py needs its
    __pycache__/<name>.cpython-311.pyc, hash-based and unchecked (zips reset timestamps, and
    Lambda cannot write a fresh one), made from exactly the source beside it."""
    problems = []
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        sources = sorted(n for n in names if n.endswith(".py"))
        for name in sources:
            folder, _, file = name.rpartition("/")
            cached = f"{folder}/__pycache__/{file[:-3]}.cpython-311.pyc".lstrip("/")
            if cached not in names:
                problems.append(f"{name}: no {cached}")
                continue
            data = zf.read(cached)
            if data[:4] != importlib.util.MAGIC_NUMBER or int.from_bytes(data[4:8], "little") != 0b01:
                problems.append(f"{name}: not unchecked hash-based bytecode of this Python")
            elif data[8:16] != importlib.util.source_hash(zf.read(name)):
                problems.append(f"{name}: bytecode of another source")
    return len(sources), problems


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="bytecode is built only by the runtime's Python, 3.11")
def test_every_module_ships_the_bytecode_lambda_runs(out_dir):
    modules, problems = _bytecode_problems(out_dir / "deployment.zip")
    assert modules > 100 and not problems, problems[:10]
    modules, problems = _bytecode_problems(out_dir / "layer.zip")
    # a few files of the dependencies are not Python 3.11 (templates, test data): compile errors are skipped
    assert modules > 1000 and len(problems) <= modules // 100, problems[:10]


def test_sizes(out_dir, built):
    def unzipped(path: Path) -> int:
        with zipfile.ZipFile(path) as zf:
            return sum(info.file_size for info in zf.infolist())

    app_zip, layer_zip = out_dir / "deployment.zip", out_dir / "layer.zip"
    assert app_zip.stat().st_size <= 5 * MB
    assert unzipped(app_zip) + unzipped(layer_zip) <= 50 * MB
    # Lambda's own limits on a layer: 50 MB zipped upload, 250 MB unzipped with the function.
    assert layer_zip.stat().st_size <= 50 * MB
    assert built["figures"]["unzipped_mb"] == round((unzipped(app_zip) + unzipped(layer_zip)) / MB, 3)


def test_deployment_zip_is_the_current_code(out_dir):
    """Built from a fresh staging directory every time: no stale .chalice/deployments package."""
    root = Path(__file__).resolve().parents[2]
    sources = {f"functions/{p.relative_to(root / 'functions').as_posix()}": p for p in (root / "functions").rglob("*.py")}
    sources |= {f"care_tracker/{p.relative_to(root / 'layers' / 'care_tracker').as_posix()}": p
                for p in (root / "layers" / "care_tracker").rglob("*.py")}
    sources["app.py"] = root / "app.py"
    with zipfile.ZipFile(out_dir / "deployment.zip") as zf:
        shipped = {name: zf.read(name) for name in zf.namelist() if not name.startswith("chalice/") and name.endswith(".py")}
    assert set(shipped) == set(sources), set(shipped) ^ set(sources)
    changed = [name for name, path in sources.items() if shipped[name] != path.read_bytes()]
    assert not changed, changed
