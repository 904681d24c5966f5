"""Returns and window benchmarks (issue 4), on in-process moto with the stack's resources; DynamoDB
requests counted with a botocore event hook on every client (bench/request_counts.py).

1. Saving one return through the API (`PUT /locations/{id}/returns/{month}/{care_type}`, token
   checked, account read): DynamoDB requests with 0, 10 and 100 earlier saves of that return, and
   for a no-change save (target: at most 3, whatever the history's length).
2. "What is owed" (`GET /returns/owed`) for a user with 50 locations (target: at most 3).
3. `open_window` for 30,000 locations and 40,000 users: wall time, DynamoDB requests by operation
   (no request per user: a scan of each table and one write per 50 recipients), and how much of the
   wall time was spent inside DynamoDB calls (here: in-process moto, whose scans are far slower than
   DynamoDB's); then the same run again (nothing sent). Mail goes to a counting mailer: SES's sending
   rate, not this code, bounds a real run's wall time.
"""
from __future__ import annotations

import os
import random
import re
import time
from contextlib import contextmanager
from datetime import datetime, timezone

from bench.request_counts import REGION, counting_dynamodb, local_stack_in_process

LOCATIONS = 30_000
USERS = 40_000
OWED_LOCATIONS = 50
CARE_HOME = {"beds_max_capacity": 40, "beds_occupied": 30, "beds_vacant_reserved": 2, "beds_vacant_accepting": 8,
             "staff_nurses_direct": 5, "staff_care_direct": 30, "staff_non_care_direct": 10, "staff_nurses_agency": 1,
             "staff_care_agency": 4, "staff_non_care_agency": 0, "staff_absent": 3}
IN_WINDOW = datetime(2026, 12, 9, 10, 0, tzinfo=timezone.utc)


class CountingMailer:
    def __init__(self) -> None:
        self.sent = 0

    def send(self, mail) -> None:
        self.sent += 1


def _forget_connections() -> None:
    """PynamoDB caches a connection (and its botocore client) per model: drop them so this run's
    clients are created under this run's counter."""
    from pynamodb.models import Model

    pending = list(Model.__subclasses__())
    while pending:
        model = pending.pop()
        model._connection = None
        pending.extend(model.__subclasses__())


def _batch_write(table: str, items: list[dict]) -> None:
    import boto3

    client = boto3.client("dynamodb", region_name=REGION)
    for start in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": item}} for item in items[start:start + 25]]}
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _token(email: str, location_ids: list[str] | None = None, org: str | None = None,
           roles: tuple[str, ...] = ("provider_user",), **account) -> str:
    """An ID token for a new account (any roles; e.g. a commissioner's `local_authorities`)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from care_tracker import wiring

    wiring.account_service().create_account(email=email, full_name="Bench", roles=list(roles), org_id=org,
                                            location_ids=location_ids, **account)
    mail = [m for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages if m.destinations["ToAddresses"] == [email]][-1]
    temporary = re.search(r"Temporary password: (\S+)", mail.body).group(1)
    from tests.support import sign_in  # answers the challenges, enrolling an authenticator for the roles that need one

    return sign_in(wiring.auth_service(), email, temporary, "violet orbit canal mitten").id_token


def api_requests() -> dict:
    from chalice.test import Client

    from infra.local.stack import free_port, moto_server

    os.environ.pop("AWS_ENDPOINT_URL", None)
    port = free_port()
    server = moto_server(port)
    server.start()
    figures: dict = {}
    try:
        _forget_connections()
        with counting_dynamodb() as counter, local_stack_in_process(f"http://127.0.0.1:{port}") as env:
            from care_tracker import wiring
            from care_tracker.adapters.local_clock import set_time

            # The save must fall inside a window whatever today is: the local clock, fixed.
            os.environ["CARE_TRACKER_LOCAL"] = "1"
            wiring.reset()
            set_time(IN_WINDOW)
            ids = [f"1-9{i:04d}" for i in range(OWED_LOCATIONS)]
            _batch_write(env["LOCATIONS_TABLE"], [
                {"location_id": {"S": lid}, "org_id": {"S": "1-1"}, "name": {"S": f"Location {lid}"},
                 "postcode": {"S": "LS1 1AA"}, "care_types": {"L": [{"S": "care_home"}, {"S": "home_care"}]},
                 "status": {"S": "active"}} for lid in ids])
            token = _token("bench-returns@example.org", ids, "1-1")
            headers = {"Authorization": f"Bearer {token}"}
            from app import app

            with Client(app) as client:
                client.http.get("/me", headers=headers)  # warm: JWKS fetched, clients built
                path = f"/locations/{ids[0]}/returns/2026-12/care_home"
                version = 0
                for history in (0, 10, 100):
                    while version < history:
                        _put(client, path, headers, version)
                        version += 1
                    counter.reset()
                    _put(client, path, headers, version)
                    version += 1
                    figures[f"save_requests_history_{history}"] = counter.total
                    figures[f"save_calls_history_{history}"] = dict(counter.calls)
                set_time(datetime(2027, 1, 9, 10, tzinfo=timezone.utc))
                counter.reset()
                copy = client.http.put(f"/locations/{ids[0]}/returns/2027-01/care_home", body='{"no_change": true}',
                                       headers={**headers, "Content-Type": "application/json"})
                assert copy.status_code == 200, copy.body
                figures["save_no_change_requests"] = counter.total
                set_time(IN_WINDOW)
                counter.reset()
                owed = client.http.get("/returns/owed", headers=headers)
                assert owed.status_code == 200, owed.body
                figures["owed_50_locations_requests"] = counter.total
                figures["owed_50_locations_calls"] = dict(counter.calls)
            set_time(None)
            os.environ.pop("CARE_TRACKER_LOCAL", None)
    finally:
        server.stop()
    figures["target_save_requests"] = figures["target_owed_requests"] = 3
    return figures


def _put(client, path: str, headers: dict, version: int) -> None:
    import json

    body = dict(CARE_HOME, staff_absent=version % 5)
    extra = {"If-Match": f'"{version}"'} if version else {}
    answer = client.http.put(path, body=json.dumps(body), headers={**headers, **extra, "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.body


@contextmanager
def time_in_dynamodb():
    """Seconds spent inside DynamoDB API calls (the emulator's work included)."""
    import botocore.client

    spent = {"s": 0.0}
    original = botocore.client.BaseClient._make_api_call

    def timed(self, operation, params):
        if self.meta.service_model.service_name != "dynamodb":
            return original(self, operation, params)
        started = time.perf_counter()
        try:
            return original(self, operation, params)
        finally:
            spent["s"] += time.perf_counter() - started

    botocore.client.BaseClient._make_api_call = timed
    try:
        yield spent
    finally:
        botocore.client.BaseClient._make_api_call = original


def open_window_at_scale() -> dict:
    from moto import mock_aws

    os.environ.pop("AWS_ENDPOINT_URL", None)
    _forget_connections()
    with counting_dynamodb() as counter, mock_aws():
        from care_tracker import wiring
        from infra.local.provision import provision

        env = provision(region=REGION)
        os.environ.update(env)
        wiring.reset()
        rng = random.Random(4)
        care = [["care_home"], ["home_care"], ["home_care", "supported_living"], ["supported_living"]]
        locations = []
        for n in range(LOCATIONS):
            locations.append({"location_id": {"S": f"1-{100000 + n}"}, "org_id": {"S": f"1-{n // 3}"},
                              "name": {"S": f"Location {n}"}, "postcode": {"S": "LS1 1AA"},
                              "care_types": {"L": [{"S": c} for c in care[n % 4]]},
                              "status": {"S": "dormant" if n % 50 == 0 else "active"}})
        users = []
        for n in range(USERS):
            org = rng.randrange(LOCATIONS // 3)
            mine = [f"1-{100000 + org * 3 + k}" for k in range(rng.randint(1, 3))]
            roles = ["approver", "provider_user"] if n % 10 == 0 else ["provider_user"]
            users.append({"user_id": {"S": f"user-{n:05d}"}, "email": {"S": f"user{n}@example.org"},
                          "full_name": {"S": f"User {n}"}, "roles": {"L": [{"S": r} for r in roles]},
                          "org_id": {"S": f"1-{org}"}, "location_ids": {"L": [{"S": location_id} for location_id in mine]},
                          "active": {"BOOL": n % 100 != 0}, "version": {"N": "1"}})
        _batch_write(env["LOCATIONS_TABLE"], locations)
        _batch_write(env["USERS_TABLE"], users)
        del locations, users

        from care_tracker.adapters.window_store import DynamoJobDirectory, DynamoWindowStore
        from care_tracker.services.window_jobs import WindowJobs

        class Clock:
            def now(self):
                return datetime.now(timezone.utc)

        mailer = CountingMailer()
        jobs = WindowJobs(DynamoJobDirectory(), DynamoWindowStore(), wiring.return_store(), mailer, Clock(),
                          "https://login.example")
        at = datetime(2026, 12, 8, 7, 0, tzinfo=timezone.utc)
        counter.reset()
        with time_in_dynamodb() as in_dynamodb:
            started = time.perf_counter()
            result = jobs.open_window(at)
            wall = time.perf_counter() - started
        first_calls = dict(counter.calls)
        counter.reset()
        started = time.perf_counter()
        again = jobs.open_window(at)
        rerun_wall = time.perf_counter() - started
        return {
            "open_window_locations": LOCATIONS, "open_window_users": USERS, "open_window_mails_sent": mailer.sent,
            "open_window_result": result, "open_window_wall_s": round(wall, 2),
            "open_window_dynamodb_requests": sum(first_calls.values()), "open_window_dynamodb_calls": first_calls,
            "open_window_s_inside_dynamodb_calls": round(in_dynamodb["s"], 2),
            "open_window_s_outside_dynamodb_calls": round(wall - in_dynamodb["s"], 2),
            "open_window_rerun_sent": again.get("sent"), "open_window_rerun_requests": counter.total,
            "open_window_rerun_wall_s": round(rerun_wall, 3),
        }


def main() -> dict:
    from bench.run import measured

    return measured("returns", lambda: {**api_requests(), **open_window_at_scale()})


if __name__ == "__main__":
    main()
