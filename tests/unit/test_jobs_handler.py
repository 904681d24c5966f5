"""The one Lambda entry point of the jobs: JOB_NAME picks the job, `at` is passed through."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

import functions.jobs as jobs


class Context:
    function_name = "job"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:eu-west-2:000000000000:function:job"
    aws_request_id = "req-1"


@pytest.fixture
def recorded(monkeypatch):
    calls = []
    monkeypatch.setitem(jobs.JOBS, "probe", jobs.Job(name="probe", run=lambda at, **kw: calls.append((at, kw)) or {"ok": True},
                                                      description="test"))
    monkeypatch.setenv("JOB_NAME", "probe")
    return calls


def test_handler_runs_the_named_job_at_the_given_instant(recorded):
    assert jobs.handler({"at": "2026-01-15T00:30:00+00:00"}, Context()) == {"ok": True}
    assert recorded == [(datetime(2026, 1, 15, 0, 30, tzinfo=timezone.utc), {})]


def test_handler_without_at_uses_now(recorded):
    jobs.handler({}, Context())
    assert abs((recorded[0][0] - datetime.now(timezone.utc)).total_seconds()) < 5


def test_at_without_offset_is_refused(recorded):
    with pytest.raises(ValueError, match="UTC offset"):
        jobs.handler({"at": "2026-01-15T00:30:00"}, Context())
    assert recorded == []


def test_every_scheduled_job_has_a_description_and_a_cron():
    for job in jobs.JOBS.values():
        assert job.description
        if job.schedule is not None:
            assert job.schedule.startswith("cron(") and job.schedule.endswith(")")
