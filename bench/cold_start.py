"""Cold start: importing a handler module in a fresh interpreter, against `import boto3` in the
same run (issue 2: the API module at most 1.5 times boto3). Each figure is the median of fresh
interpreters, measured inside the child so interpreter start-up is not counted."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 9
PROBE = (
    "import time, sys, json; t = time.perf_counter(); import {module}; "
    "print(json.dumps({{'s': time.perf_counter() - t, 'modules': sorted(m for m in sys.modules if m.split('.')[0] in "
    "('boto3', 'botocore', 'pynamodb', 'jwt', 'cryptography', 'aws_xray_sdk', 'holidays', 'zxcvbn'))}}))"
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
    }
    for key, value in figures.items():
        print(f"cold start  {key}: {value}")
    return figures


if __name__ == "__main__":
    main()
