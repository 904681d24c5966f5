"""schemathesis over the served /openapi.json, anonymous and signed in as the support team and as an
approver (issue 9): no 5xx, no accepted invalid request, unknown methods (TRACE) refused.

    python -m bench.fuzz [--examples 25]     # its own local stack on free ports; ~1.5 min a role at 5

Each role gets the coverage phase (boundary and invalid values of every field, unsupported methods),
the fuzzing phase, and the stateful phase, which follows the document's links (list users ->
deactivate, registration -> approve, ...) and so changes the stack's data: hence a stack of its own.
The local-only /_local routes are left out (they run jobs and move the clock; their input checks are
tests/e2e/test_hardening.py). tests/e2e/test_fuzz.py runs this with few examples.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKS = "not_a_server_error,negative_data_rejection,unsupported_method"
ROLES = {"anonymous": None, "support team": "support@demo.care-tracker.example.org",
         "approver": "approver@demo.care-tracker.example.org"}


def run_role(base: str, id_token: str | None, examples: int, phases: str, seed: int = 1) -> dict:
    command = [str(Path(sys.executable).with_name("schemathesis")), "run", f"{base}/openapi.json", "-c", CHECKS,
               "-n", str(examples), "-w", "1", "--exclude-path-regex", "^/_local", "--phases", phases, "--seed", str(seed),
               "--no-color"]
    if id_token:
        command += ["-H", f"Authorization: Bearer {id_token}"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, env={**os.environ, "NO_COLOR": "1"})
    cases = re.search(r"(\d+) generated, (\d+) (?:passed|found)", done.stdout)
    return {"exit_code": done.returncode, "cases": int(cases.group(1)) if cases else None,
            "seconds": round(time.perf_counter() - started, 1), "failures": _failures(done.stdout),
            "output_tail": done.stdout[-3000:] if done.returncode else ""}


def _failures(output: str) -> list[str]:
    return sorted(set(re.findall(r"^_+ (\w+ \S+) _+$", output, flags=re.MULTILINE)))


def fuzz(examples: int = 5, phases: str = "examples,coverage,fuzzing,stateful") -> dict:
    results = {}
    from infra.local.stack import running
    from tests.e2e.conftest import Api  # signs in as a client does: new password, authenticator set-up, code

    with running(Path(tempfile.mkdtemp(prefix="care-tracker-fuzz-"))) as stack:
        api = Api(stack["api"], stack["logins"])
        for role, email in ROLES.items():
            results[role] = run_role(stack["api"], api.token(email) if email else None, examples, phases)
    return results


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=int(os.environ.get("BENCH_FUZZ_EXAMPLES", "5")))
    args = parser.parse_args(argv or [])
    results = fuzz(args.examples)
    for role, result in results.items():
        print(f"fuzz  {role}: exit {result['exit_code']}, {result['cases']} cases in {result['seconds']} s, "
              f"failures: {result['failures'] or 'none'}")
    return {"examples_per_operation": args.examples, "checks": CHECKS, **{
        role: {k: v for k, v in r.items() if k != "output_tail"} for role, r in results.items()}}


if __name__ == "__main__":
    main(sys.argv[1:])
