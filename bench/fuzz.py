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
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
CHECKS = "not_a_server_error,negative_data_rejection,unsupported_method"
ROLES = {"anonymous": None, "support team": "support@demo.care-tracker.example.org",
         "approver": "approver@demo.care-tracker.example.org"}
PASSWORD = "copper meadow lantern ripple"


@contextmanager
def own_stack():
    from infra.local.stack import free_port

    where = Path(tempfile.mkdtemp(prefix="care-tracker-fuzz-"))
    info = where / "info.json"
    process = subprocess.Popen([sys.executable, "-m", "infra.local.stack", "--api-port", str(free_port()),
                                "--aws-port", str(free_port()), "--info-file", str(info), "--api-log", str(where / "api.log"),
                                "--aws-log", str(where / "aws.log")], cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not info.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the local stack did not start")
            time.sleep(0.2)
        yield {**json.loads(info.read_text()), "api_log": where / "api.log"}
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def token(base: str, email: str, temporary: str) -> str:
    """A first sign-in as a client does it: the new password, then (approvers and the support team,
    issue 15) enrolling an authenticator app and answering with its code."""
    import pyotp

    def post(path: str, body: dict) -> dict:
        answer = requests.post(f"{base}{path}", json=body, timeout=30)
        if answer.status_code != 200:
            raise RuntimeError(f"{path}: {answer.status_code} {answer.text}")
        return answer.json()

    def code(secret: str) -> str:
        if time.time() % 30 > 27:  # moto takes only the current 30-second step's code
            time.sleep(30.05 - time.time() % 30)
        return pyotp.TOTP(secret).now()

    answer = post("/auth/login", {"email": email, "password": temporary})
    for _ in range(4):
        challenge = answer.get("challenge")
        if challenge is None:
            return answer["id_token"]
        if challenge == "NEW_PASSWORD_REQUIRED":
            answer = post("/auth/new-password", {"email": email, "session": answer["session"], "new_password": PASSWORD})
        elif challenge == "MFA_SETUP":
            setup = post("/auth/mfa/setup", {"email": email, "session": answer["session"]})
            answer = post("/auth/mfa/confirm", {"email": email, "session": setup["session"], "code": code(setup["secret"])})
        else:
            raise RuntimeError(f"{email}: unexpected challenge {challenge}")
    raise RuntimeError(f"{email}: too many challenges")


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
    with own_stack() as stack:
        base = stack["api"]
        for role, email in ROLES.items():
            id_token = token(base, email, stack["logins"][email]) if email else None
            results[role] = run_role(base, id_token, examples, phases)
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
