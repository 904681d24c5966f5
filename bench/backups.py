"""Benchmarks of issue 6 against moto's server in its own process (`python -m bench.backups [items]`):

- backup and restore of N items (default 100,000): wall time and peak memory;
- export of N returns (a provider's my_data, every save of 20 locations): peak memory (budget
  150 MB), DynamoDB requests (budget N/100 + 20, counted with a botocore event hook), wall time.

Peak memory is tracemalloc's peak of Python allocations during the step, above what was held
before it. moto runs as a separate process, so the figure is the service's own use, not moto's.
"""
from __future__ import annotations

import os
import sys
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for path in (str(ROOT / "layers"), str(ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)

REGION = "eu-west-2"
MB = 1024 * 1024


def _measure(step):
    if os.environ.get("BENCH_NO_TRACEMALLOC"):
        started = time.perf_counter()
        result = step()
        return result, round(time.perf_counter() - started, 2), None

    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return result, round(seconds, 2), round(peak / MB, 1)


def main(argv: list[str] | None = None) -> dict:
    """`python -m bench.backups [ITEMS]`; `make bench` runs it with the issue's 100,000."""
    argv = argv or []
    n = int(argv[0]) if argv else int(os.environ.get("BENCH_BACKUP_ITEMS", "100000"))
    os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_SESSION_TOKEN": "bench",
                       "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "POWERTOOLS_TRACE_DISABLED": "true"})
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        os.environ.pop(name, None)
    import subprocess

    from infra.local.stack import _wait_for, free_port

    figures: dict = {"items": n}
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"http://127.0.0.1:{port}/moto-api/", 30, server)
        from infra.local.provision import provision

        os.environ.update(provision(region=REGION, stack="bench"))
        from care_tracker import wiring

        wiring.reset()
        from care_tracker.adapters.backup_store import DynamoItems
        from care_tracker.adapters.return_store import ReturnRow, location_pk, save_sk
        from care_tracker.config import settings

        # ---- N return saves: a provider with 20 locations, one history item per save ----
        locations = [f"1-{900000000 + i}" for i in range(20)]
        start = datetime(2020, 1, 1, tzinfo=timezone.utc)
        with ReturnRow.batch_write() as batch:
            for i in range(n):
                location = locations[i % 20]
                month = i // 20
                period = f"{2000 + month // (12 * 3) % 100:04d}-{month % 12 + 1:02d}"
                version = month // 12 + 1
                batch.save(ReturnRow(location_pk(location), save_sk(period, "home_care", version) + f"#{i}",
                                     location_id=location, period=period, care_type="home_care",
                                     record={"version": version, "kind": "figures", "no_change": False, "in_window": True,
                                             "saved_at": start + timedelta(minutes=i), "saved_by": "u-bench",
                                             "saved_by_name": "=Bench", "figures": {
                                                 "people_receiving_care": i % 50, "hours_delivered_last_week": i % 400,
                                                 "staff_direct": 5, "staff_agency": 1, "staff_absent": 0,
                                                 "accepting_new_packages": bool(i % 2)}}))
        table = settings().returns_table
        items = DynamoItems(REGION)
        assert items.count(table) == n

        # ---- export: a provider's data (every save of their 20 locations) ----
        user = wiring.account_service().create_account(email="bench@example.org", full_name="Bench", org_id="1-9",
                                                       roles=["provider_user"], location_ids=locations)
        from care_tracker.services.auth import Caller

        caller = Caller(user_id=user.user_id, email=user.email, full_name=user.full_name, roles=frozenset(user.roles),
                        org_id="1-9", location_ids=tuple(locations))
        requests: list[str] = []

        def count(model, **_):
            requests.append(model.name)

        client = ReturnRow._get_connection().connection.client
        client.meta.events.register("before-call.dynamodb", count)
        wiring.users()._connection  # noqa: B018 - built before counting
        user_client = wiring.users()
        export, seconds, peak = _measure(lambda: wiring.export_service().create(caller, "my_data"))
        client.meta.events.unregister("before-call.dynamodb", count)
        assert export.rows == n + 1, export.rows
        budget = n // 100 + 20
        figures["export"] = {"rows": export.rows, "seconds": seconds, "peak_mb": peak, "budget_mb": 150,
                             "dynamodb_requests": len(requests), "request_budget": budget,
                             "within_budgets": (peak is None or peak <= 150) and len(requests) <= budget}
        print(f"export: {figures['export']}", flush=True)
        del user_client

        # ---- backup of every table (the N returns and a few accounts) ----
        service = wiring.backup_service()
        result, seconds, peak = _measure(lambda: service.backup(datetime(2026, 11, 22, 2, tzinfo=timezone.utc)))
        figures["backup"] = {"items": result["item_count"], "seconds": seconds, "peak_mb": peak}
        print(f"backup: {figures['backup']}", flush=True)

        # ---- empty the returns table, restore it ----
        items.delete_all(table)
        assert items.count(table) == 0
        from datetime import date

        restored, seconds, peak = _measure(
            lambda: service.restore(date(2026, 11, 22), only=["returns_table"]))
        assert items.count(table) == n
        figures["restore"] = {"items": restored["item_count"], "seconds": seconds, "peak_mb": peak,
                              "batch_write_requests_at_least": -(-n // 25)}
        print(f"restore: {figures['restore']}", flush=True)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:  # moto holding 100,000 items can be slow to stop
            server.kill()
            server.wait()
        os.environ.pop("AWS_ENDPOINT_URL", None)
    for name, value in figures.items():
        print(f"{name}: {value}")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
