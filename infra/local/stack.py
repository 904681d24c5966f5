"""The whole service on this machine: moto's server as the local AWS, the resources from
infra/resources.yaml, demo data, the API under `chalice local`, and the web client with the API
under /api/ on one address (infra/local/web.py; the client is built by `python -m infra.web_build`).

    python -m infra.local.stack [--web-port 0] [--api-port 8000] [--aws-port 4566] [--info-file PATH]
    make run ARGS="--api-port 8300"          # the same, through make

Runs from the repository's root as written: it puts layers/ on the path itself. Ctrl-C (or SIGTERM)
stops all of it.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-2"
# `python -m infra.local.stack` finds care_tracker (layers/) and functions/ without PYTHONPATH.
for _path in (str(ROOT / "layers"), str(ROOT)):
    if _path not in sys.path:
        sys.path.insert(0, _path)


def moto_server(port: int):
    """moto's server as local AWS, its DynamoDB transactions one at a time: moto runs one by
    deep-copying each table it touches and restoring the copy if a condition fails, with no lock, so
    two at once on its threads can undo or double each other's writes (51 votes for 50 people under
    load). DynamoDB serialises them; so does this."""
    import threading

    from moto.dynamodb.models import DynamoDBBackend
    from moto.server import ThreadedMotoServer

    transact = DynamoDBBackend.transact_write_items
    if not getattr(transact, "serialised", False):
        lock = threading.Lock()

        def serialised(self, *args, **kwargs):
            with lock:
                return transact(self, *args, **kwargs)

        serialised.serialised = True
        DynamoDBBackend.transact_write_items = serialised
    return ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running(folder: Path, *, seconds: float = 120) -> Iterator[dict]:
    """The stack started in the background on free ports, for tests and benchmarks: yields its info
    file's contents (addresses, demo logins) once it is up, with the paths of its output (`log_file`),
    the API's log (`api_log`) and moto's (`aws_log`), all in `folder`; stops it on leaving."""
    info_file, log_file = folder / "info.json", folder / "stack.log"
    command = [sys.executable, "-m", "infra.local.stack", "--api-port", str(free_port()), "--aws-port", str(free_port()),
               "--web-port", str(free_port()), "--info-file", str(info_file), "--api-log", str(folder / "api.log"),
               "--aws-log", str(folder / "aws.log")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers"), str(ROOT)])}
    with open(log_file, "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + seconds
            while not info_file.exists():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the local stack did not start:\n" + log_file.read_text()[-4000:])
                time.sleep(0.2)
            yield {**json.loads(info_file.read_text()), "log_file": log_file, "api_log": folder / "api.log",
                   "aws_log": folder / "aws.log"}
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_for(url: str, seconds: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the API process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds}s")


def _requests_to(path: Path) -> None:
    """moto's server logs a line per AWS call (werkzeug's request log): to a file, so the start-up
    banner is not lost among hundreds of them."""
    import logging

    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    for name in ("werkzeug", "moto"):
        log = logging.getLogger(name)
        log.handlers[:] = [handler]
        log.propagate = False
        log.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--web-port", type=int, default=0, help="the web client, with the API under /api/ (default: a free port; make run: 8080)")
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--aws-port", type=int, default=4566)
    parser.add_argument("--info-file", help="write the URLs and demo logins here as JSON once ready")
    parser.add_argument("--api-log", help="write the API's output (its logs) to this file instead of the terminal")
    parser.add_argument("--aws-log", help="moto's request log (default: care-tracker-local-aws.log in the temp folder)")
    args = parser.parse_args(argv)
    aws_log = Path(args.aws_log or Path(tempfile.gettempdir()) / "care-tracker-local-aws.log")
    _requests_to(aws_log)

    aws = f"http://127.0.0.1:{args.aws_port}"
    web_port = args.web_port or free_port()
    web = f"http://127.0.0.1:{web_port}"
    os.environ.update({
        "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_SESSION_TOKEN": "local",
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "AWS_ENDPOINT_URL": aws,
        "CARE_TRACKER_LOCAL": "1", "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_NAMESPACE": "CareTracker",
        # moto checks authenticator-app (TOTP) codes only with this on (moto/cognitoidp/models.py);
        # its secret is one fixed value for every user, so codes are real but not per person.
        "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
    })
    os.environ.pop("AWS_PROFILE", None)

    moto = moto_server(args.aws_port)
    moto.start()
    from infra.local.outbox import serve_outbox

    outbox, outbox_url = serve_outbox(REGION)
    api: subprocess.Popen | None = None
    site = None
    try:
        from infra.local.provision import provision

        env = provision(region=REGION, overrides={"LoginUrl": f"{web}/sign-in"})  # the emails link to the local client
        env["JWKS_URL"] = f"{aws}/{env['USER_POOL_ID']}/.well-known/jwks.json"
        env["LOCAL_OUTBOX_URL"] = outbox_url
        # Links in emails ("no change") lead to this stack's API, at the root of its address.
        env["PUBLIC_API_URL"] = f"http://127.0.0.1:{args.api_port}"
        os.environ.update(env)

        from care_tracker import wiring
        from infra.local.demo import load_demo_data, staff_logins

        wiring.reset()
        logins = load_demo_data(env["IMPORTS_BUCKET"])
        staff = staff_logins()

        api_output = open(args.api_log, "ab") if args.api_log else None  # noqa: SIM115 - closed with the process
        api = subprocess.Popen(
            # chalice local, with its own answers (unknown methods, over-long addresses) in the error shape.
            [sys.executable, "-m", "infra.local.api_server", "--host", "127.0.0.1", "--port", str(args.api_port),
             "--stage", "dev"],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers"), str(ROOT)])},
            stdout=api_output, stderr=subprocess.STDOUT if api_output else None,
        )
        url = f"http://127.0.0.1:{args.api_port}"
        _wait_for(f"{url}/health", 60, api)
        from infra.local.web import CLIENT_BUILD, serve_web

        site, web = serve_web(web_port, url)
        info = {"web": web, "api": url, "aws": aws, "logins": logins, "user_pool_id": env["USER_POOL_ID"]}
        if args.info_file:
            Path(args.info_file).write_text(json.dumps(info))
        print(f"\nCare Tracker is running at {web}  (open it in a browser; the API answers there under /api/)", flush=True)
        if not (CLIENT_BUILD / "index.html").is_file():
            print("  The web client is not built: run `python -m infra.web_build` (make run does).")
        print(f"  API: {url}  (local AWS: {aws})")
        print(f"  API description: {url}/openapi.json   Sent mail: {url}/_local/outbox")
        print("  Demo logins (you will be asked to choose a new password at first login):")
        for email, password in {**logins, **staff}.items():
            print(f"    {email}  temporary password: {password}")
        from infra.local.demo import DEMO_EMPLOYER, DEMO_PAS

        print(f"    an employer of PAs, {DEMO_EMPLOYER}, and PAs {DEMO_PAS[0]}, {DEMO_PAS[1]} "
              f"({DEMO_PAS[2]} archived): temporary passwords in their welcome mails ({url}/_local/outbox)")
        print("  The clock: PUT /_local/clock {\"at\": \"2026-12-09T10:00:00+00:00\"} puts the service inside December's "
              "returns window (8th to 14th); {\"at\": null} gives it back the real time. See README.md.")
        print(f"  Local AWS request log: {aws_log}")
        print(f"  Try: curl -s -X POST {url}/auth/login -H 'Content-Type: application/json' "
              f"-d '{{\"email\": \"{next(iter(logins))}\", \"password\": \"...\"}}'")
        print("Press Ctrl-C to stop.", flush=True)

        stop = {"now": False}

        def _stop(*_):
            stop["now"] = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        while not stop["now"] and api.poll() is None:
            time.sleep(0.3)
        return 0 if stop["now"] else (api.returncode or 1)
    finally:
        if site is not None:
            site.shutdown()
            site.server_close()
        if api is not None and api.poll() is None:
            api.terminate()
            try:
                api.wait(10)
            except subprocess.TimeoutExpired:
                api.kill()
        outbox.shutdown()
        moto.stop()


if __name__ == "__main__":
    sys.exit(main())
