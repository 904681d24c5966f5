"""Compliance benchmarks (issue 5), on in-process moto with the stack's resources.

1. Counting a window (what close_window runs) for 30,000 locations (1.3 care types each on average)
   with 12 months of history, 40,000 accounts, about 5% of locations missing the month: wall time,
   DynamoDB requests by operation, items read and written (from each request and answer, with a
   botocore event hook on every client), peak traced memory; target: requests at most
   items read / 100 + items written / 25 + 50, no per-location query, peak at most 300 MB. Then the
   same count again (nothing written, nothing sent).
2. The window report for 30,000 locations: DynamoDB requests (target: at most 5).
Mail goes to a counting mailer (SES's sending rate, not this code, bounds a real run's wall time).
"""
from __future__ import annotations

import json
import os
import random
import time
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from bench.request_counts import REGION, hooking_new_clients

# Smaller runs for a quick look: BENCH_COMPLIANCE_LOCATIONS=3000 python -m bench.compliance
LOCATIONS = int(os.environ.get("BENCH_COMPLIANCE_LOCATIONS", "30000"))
USERS = LOCATIONS * 4 // 3
PERIOD = "2026-12"
HISTORY = [f"2025-{m:02d}" for m in range(12, 13)] + [f"2026-{m:02d}" for m in range(1, 12)]  # 12 months before
MISS_RATE = 0.05
LAS = [f"Local Authority {n}" for n in range(150)]
REGIONS = ["North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands", "East of England",
           "London", "South East", "South West"]


class ItemCounter:
    """DynamoDB requests, items read (Scan: scanned; Query, BatchGet, Get: returned) and items written."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.read = 0
        self.written = 0

    def params(self, params, model, **_kwargs) -> None:
        name = model.name
        self.calls[name] += 1
        if name == "BatchWriteItem":
            self.written += sum(len(v) for v in params.get("RequestItems", {}).values())
        elif name == "TransactWriteItems":
            self.written += len(params.get("TransactItems", []))
        elif name in ("PutItem", "UpdateItem", "DeleteItem"):
            self.written += 1

    def answer(self, parsed, model, **_kwargs) -> None:
        name = model.name
        if name == "Scan":
            self.read += int(parsed.get("ScannedCount", 0))
        elif name == "Query":
            self.read += int(parsed.get("Count", 0))
        elif name == "BatchGetItem":
            self.read += sum(len(v) for v in parsed.get("Responses", {}).values())
        elif name == "GetItem":
            self.read += 1 if parsed.get("Item") else 0

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()
        self.read = self.written = 0


@contextmanager
def counting() -> Iterator[ItemCounter]:
    counter = ItemCounter()

    def hook(client) -> None:
        client.meta.events.register("provide-client-params.dynamodb.*", counter.params)
        client.meta.events.register("after-call.dynamodb.*", counter.answer)

    with hooking_new_clients(hook):
        yield counter


class CountingMailer:
    def __init__(self) -> None:
        self.sent = 0

    def send(self, mail) -> None:
        self.sent += 1


class Clock:
    def now(self):
        return datetime(2026, 12, 15, 1, tzinfo=UTC)


def _batch_write(client, table: str, items: Iterator[dict]) -> int:
    count, chunk = 0, []
    for item in items:
        chunk.append({"PutRequest": {"Item": item}})
        if len(chunk) == 25:
            count += _flush(client, table, chunk)
            chunk = []
    return count + (_flush(client, table, chunk) if chunk else 0)


def _flush(client, table: str, chunk: list) -> int:
    pending = {table: chunk}
    while pending:
        pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return len(chunk)


def _seed(env: dict, rng: random.Random) -> dict:
    import boto3

    from care_tracker.rules.compliance import figures_after

    client = boto3.client("dynamodb", region_name=REGION)
    care_options = [["care_home"]] * 4 + [["home_care"]] * 2 + [["supported_living"]] + [["home_care", "supported_living"]] * 3
    # 70% one care type, 30% two: 1.3 on average
    locations, care_of, miss_prone = [], {}, set()
    for n in range(LOCATIONS):
        lid = f"1-{100000 + n}"
        care = care_options[n % 10]
        care_of[lid] = care
        if rng.random() < 0.08:
            miss_prone.add(lid)
        locations.append({"location_id": {"S": lid}, "org_id": {"S": f"1-{n // 3}"}, "name": {"S": f"Location {n}"},
                          "postcode": {"S": "LS1 1AA"}, "care_types": {"L": [{"S": c} for c in care]},
                          "status": {"S": "dormant" if n % 100 == 0 else "active"}, "registered_on": {"S": "2015-01-01"},
                          "local_authority": {"S": LAS[n % len(LAS)]}, "region": {"S": REGIONS[n % len(REGIONS)]},
                          "public_body": {"BOOL": n % 20 == 0}})
    _batch_write(client, env["LOCATIONS_TABLE"], iter(locations))
    del locations

    def users():
        for n in range(USERS):
            org = rng.randrange(LOCATIONS // 3)
            mine = [f"1-{100000 + org * 3 + k}" for k in range(rng.randint(1, 3))]
            roles = ["approver", "provider_user"] if n % 10 == 0 else ["provider_user"]
            yield {"user_id": {"S": f"user-{n:05d}"}, "email": {"S": f"user{n}@example.org"}, "full_name": {"S": f"User {n}"},
                   "roles": {"L": [{"S": r} for r in roles]}, "org_id": {"S": f"1-{org}"},
                   "location_ids": {"L": [{"S": lid} for lid in mine]}, "active": {"BOOL": n % 100 != 0}, "version": {"N": "1"}}

    _batch_write(client, env["USERS_TABLE"], users())

    def states():
        for n in range(LOCATIONS):
            lid = f"1-{100000 + n}"
            if n % 100 == 0:
                continue  # dormant: never owed anything
            rate = 0.25 if lid in miss_prone else 0.01
            statuses = {p: ("missed" if rng.random() < rate else "completed") for p in HISTORY}
            history = {}
            for p in HISTORY:
                f = figures_after(statuses, p)
                history[p] = {"status": statuses[p], "care_types": care_of[lid], "accepted_late": [],
                              "consecutive_misses": f.consecutive_misses, "misses_last_12": f.misses_last_12, "stage": f.stage.value}
            data = json.dumps({"name": f"Location {n}", "la": LAS[n % len(LAS)], "region": REGIONS[n % len(REGIONS)],
                               "public_body": n % 20 == 0, "history": history}, separators=(",", ":"), sort_keys=True)
            item = {"pk": {"S": f"LOC#{lid}"}, "sk": {"S": "STATE"}, "location_id": {"S": lid}, "org_id": {"S": f"1-{n // 3}"},
                    "data": {"S": data}, "version": {"N": "12"}}
            if history[HISTORY[-1]]["stage"] in ("at_risk", "eligible"):
                item["risk_period"] = {"S": HISTORY[-1]}
            yield item

    _batch_write(client, env["COMPLIANCE_TABLE"], states())

    missed = 0

    def returns():
        nonlocal missed
        for n in range(LOCATIONS):
            lid = f"1-{100000 + n}"
            rate = 0.3 if lid in miss_prone else 0.03
            care = care_of[lid]
            if rng.random() < rate:
                missed += 1
                care = care[:-1] if len(care) > 1 and rng.random() < 0.5 else []
                if not care:
                    continue
            yield {"pk": {"S": f"LOC#{lid}"}, "sk": {"S": f"PERIOD#{PERIOD}"}, "location_id": {"S": lid},
                   "period": {"S": PERIOD}, "period_key": {"S": PERIOD}, "saved_types": {"SS": care},
                   "in_window_types": {"SS": care}}

    _batch_write(client, env["RETURNS_TABLE"], returns())
    return {"seeded_missing_returns": missed}


def main() -> dict:
    """moto runs as a server in its own process, so the peak memory measured here is the counting's
    own (traced Python allocations of this process), not moto's copy of the tables."""
    import subprocess
    import sys
    import urllib.request

    from infra.local.stack import free_port

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    saved = dict(os.environ)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": REGION,
                           "AWS_REGION": REGION, "POWERTOOLS_TRACE_DISABLED": "true", "AWS_ENDPOINT_URL": endpoint})
        return _run()
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:  # a busy moto server can ignore SIGTERM for a while
            server.kill()
            server.wait(10)
        os.environ.clear()
        os.environ.update(saved)


def _run() -> dict:
    from bench.returns import _forget_connections

    _forget_connections()
    figures: dict = {}
    with counting() as counter:
        from care_tracker import wiring
        from infra.local.provision import provision

        env = provision(region=REGION, stack=f"bench-compliance-{os.getpid()}")
        os.environ.update(env)
        wiring.reset()
        started = time.perf_counter()
        figures.update(_seed(env, random.Random(5)))
        figures["seed_wall_s"] = round(time.perf_counter() - started, 1)
        print(f"compliance  seeded in {figures['seed_wall_s']}s; counting...", flush=True)

        from care_tracker.adapters.case_store import DynamoCaseStore
        from care_tracker.adapters.compliance_store import DynamoComplianceStore, DynamoCountingInputs
        from care_tracker.services.compliance import ComplianceService
        from care_tracker.services.compliance_reports import ComplianceReports
        from care_tracker.services.enforcement import EnforcementService

        mailer = CountingMailer()
        store = DynamoComplianceStore()
        cases = EnforcementService(DynamoCaseStore(), wiring.location_directory(), Clock())
        service = ComplianceService(store, DynamoCountingInputs(), wiring.return_store(), cases, mailer, Clock())
        at = Clock().now()

        counter.reset()
        tracemalloc.start()
        started = time.perf_counter()
        result = service.count_window(PERIOD, at)
        wall = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        budget = counter.read / 100 + counter.written / 25 + 50
        figures.update({
            "count_locations": LOCATIONS, "count_users": USERS, "count_result": result, "count_wall_s": round(wall, 1),
            "count_dynamodb_requests": counter.total, "count_dynamodb_calls": dict(counter.calls),
            "count_items_read": counter.read, "count_items_written": counter.written,
            "count_request_budget": round(budget, 1), "count_within_budget": counter.total <= budget,
            "count_peak_traced_mb": round(peak / 2**20, 1), "count_mails_sent": mailer.sent,
        })
        print(f"compliance  first count: {figures}", flush=True)
        sent = mailer.sent
        counter.reset()
        started = time.perf_counter()
        again = service.count_window(PERIOD, at)
        figures.update({"rerun_wall_s": round(time.perf_counter() - started, 1), "rerun_states_written": again["states_written"],
                        "rerun_mails_sent": mailer.sent - sent, "rerun_dynamodb_requests": counter.total,
                        "rerun_items_written": counter.written})

        reports = ComplianceReports(store, wiring.location_directory())
        counter.reset()
        started = time.perf_counter()
        report = reports.window(PERIOD)
        figures.update({"window_report_dynamodb_requests": counter.total, "window_report_calls": dict(counter.calls),
                        "window_report_ms": round((time.perf_counter() - started) * 1000, 1),
                        "window_report_groups": len(report["by_local_authority"]) + len(report["by_region"]) + 1,
                        "window_report_overall": report["overall"]})
        figures.update({"target_window_report_requests": 5, "target_peak_mb": 300})
    _forget_connections()
    for key, value in figures.items():
        print(f"compliance  {key}: {value}")
    return figures


if __name__ == "__main__":
    main()
