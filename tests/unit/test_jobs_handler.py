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


def test_an_eventbridge_events_time_is_the_instant_when_there_is_no_at(recorded):
    rule_event = {"version": "0", "id": "53dc4d37", "detail-type": "Scheduled Event", "source": "aws.events",
                  "account": "000000000000", "time": "2026-12-08T07:00:00Z", "region": "eu-west-2",
                  "resources": ["arn:aws:events:eu-west-2:000000000000:rule/open"], "detail": {}}
    scheduler_event = {**rule_event, "source": "aws.scheduler", "detail-type": "Scheduled Event",
                       "time": "2026-12-08T07:00:00+00:00"}
    jobs.handler(rule_event, Context())
    jobs.handler(scheduler_event, Context())
    jobs.handler({"at": "2026-12-09T01:00:00+00:00", "time": "2026-12-08T07:00:00Z"}, Context())  # `at` wins
    assert [at for at, _ in recorded] == [datetime(2026, 12, 8, 7, tzinfo=timezone.utc)] * 2 + [
        datetime(2026, 12, 9, 1, tzinfo=timezone.utc)]


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+00:00", "1900-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"])
def test_an_instant_out_of_range_is_refused_before_the_job_runs(recorded, at):
    with pytest.raises(ValueError, match="2000"):
        jobs.handler({"at": at}, Context())
    assert recorded == []


def test_at_without_offset_is_refused(recorded):
    with pytest.raises(ValueError, match="UTC offset"):
        jobs.handler({"at": "2026-01-15T00:30:00"}, Context())
    assert recorded == []


def test_every_scheduled_job_has_a_description_and_a_cron():
    for job in jobs.JOBS.values():
        assert job.description
        if job.schedule is not None:
            assert job.schedule.startswith("cron(") and job.schedule.endswith(")")
