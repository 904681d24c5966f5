"""Routes that exist only on the local stack (API.md "Running locally")."""
from __future__ import annotations

from chalice import Blueprint

from care_tracker.errors import NotFound
from functions.http import route
from functions.schema import Instant, Strict

bp = Blueprint(__name__)


class RunJob(Strict):
    at: Instant


@route(bp, "/_local/outbox", summary="Every email sent, newest last (local stack only)", public=True, tag="local")
def outbox():
    from care_tracker.adapters.local_outbox import sent_mail

    return {"messages": sent_mail()}


@route(bp, "/_local/jobs/{job_name}", "POST", summary="Run a scheduled job as if the clock read `at` (local stack only)",
       public=True, body=RunJob, tag="local")
def run_job(job_name: str, body: RunJob):
    from functions.jobs import JOBS

    job = JOBS.get(job_name)
    if job is None:
        raise NotFound(f"There is no job called {job_name!r}. Jobs: {', '.join(sorted(JOBS))}.", code="unknown_job")
    return {"job": job_name, "at": body.at.isoformat(), "result": job.run(body.at)}


class SetClock(Strict):
    at: Instant | None = None


@route(bp, "/_local/clock", "PUT", summary="Fix the service's clock at `at`, or back to real time with null (local stack only)",
       public=True, body=SetClock, tag="local")
def set_clock(body: SetClock):
    from care_tracker.adapters.local_clock import set_time
    from care_tracker.wiring import clock

    set_time(body.at)
    return {"now": clock().now().isoformat(), "fixed": body.at is not None}
