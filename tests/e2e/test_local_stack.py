"""`make run`'s stack: it serves, and Ctrl-C (SIGINT) stops all of it — the API and the local AWS."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from infra.local.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_ctrl_c_stops_the_api_and_the_local_aws(tmp_path):
    api_port, aws_port = free_port(), free_port()
    info = tmp_path / "info.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers"), str(ROOT)])}
    process = subprocess.Popen([sys.executable, "-m", "infra.local.stack", "--api-port", str(api_port), "--aws-port", str(aws_port),
                                "--info-file", str(info), "--api-log", str(tmp_path / "api.log")],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not info.exists():
            assert process.poll() is None and time.monotonic() < deadline, process.stdout.read().decode()[-3000:]
            time.sleep(0.2)
        started = json.loads(info.read_text())
        assert requests.get(f"{started['api']}/health", timeout=10).json() == {"status": "ok"}
        assert len(started["logins"]) == 2
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 0
        output = process.stdout.read().decode()
        assert f"http://127.0.0.1:{api_port}" in output and "temporary password" in output
        assert not _port_open(api_port) and not _port_open(aws_port)
    finally:
        if process.poll() is None:
            process.kill()


def test_the_documented_command_works_as_written_and_its_banner_is_readable(tmp_path):
    """`python -m infra.local.stack` from the repository with no PYTHONPATH (as the README says), and
    a banner with every demo login and no moto request lines (those go to a log file)."""
    api_port, aws_port = free_port(), free_port()
    info, aws_log = tmp_path / "info.json", tmp_path / "aws.log"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    process = subprocess.Popen([sys.executable, "-m", "infra.local.stack", "--api-port", str(api_port), "--aws-port", str(aws_port),
                                "--info-file", str(info), "--api-log", str(tmp_path / "api.log"), "--aws-log", str(aws_log)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not info.exists():
            assert process.poll() is None and time.monotonic() < deadline, process.stdout.read().decode()[-3000:]
            time.sleep(0.2)
        assert requests.get(f"http://127.0.0.1:{api_port}/health", timeout=10).json() == {"status": "ok"}
        process.send_signal(signal.SIGINT)
        assert process.wait(30) == 0
        output = process.stdout.read().decode()
        assert "HTTP/1.1" not in output, output[:2000]  # moto's request log is in the file
        assert "HTTP/1.1" in aws_log.read_text()
        for login in ("approver@demo", "support@demo", "enforcement@demo", "commissioner@demo"):
            assert f"{login}.care-tracker.example.org  temporary password: " in output, output
        assert "PUT /_local/clock" in output
    finally:
        if process.poll() is None:
            process.kill()
