"""Commissioners' vacancy search (issue 16), on in-process moto with the stack's resources.

A 30,000-location import spread over 120 local authorities; the largest, "Bench Largest", has 300
care homes (and 200 other services). Every care home in the country has a latest return (the
searched area's saved through the returns service, the rest written as the same items in batches).
Through the API (`GET /commissioner/vacancies`, token checked, account read), with a commissioner
of the largest authority:
- DynamoDB requests by operation, from a postcode, from a location, with no origin, and as CSV
  (target: at most 3, no scan);
- our code's time: the request's wall time minus the time spent inside DynamoDB calls (in-process
  moto's work and botocore's), median of 30 runs (target: under 100 ms);
- a return saved through the API still costs 3 requests (account, BatchGetItem, TransactWriteItems).
"""
from __future__ import annotations

import json
import os
import statistics
import time
from datetime import datetime, timezone

from bench.request_counts import counting_dynamodb, local_stack_in_process
from bench.returns import CARE_HOME, _batch_write, _forget_connections, _token, time_in_dynamodb

LOCATIONS = 30_000
AUTHORITIES = 120
LARGEST = "Bench Largest"
LARGEST_CARE_HOMES = 300
LARGEST_OTHERS = 200
RUNS = 30
IN_WINDOW = datetime(2027, 3, 10, 10, 0, tzinfo=timezone.utc)


def _locations() -> list[dict]:
    """Raw location items: the largest authority's first, then the rest spread evenly."""
    items = []
    for n in range(LOCATIONS):
        if n < LARGEST_CARE_HOMES + LARGEST_OTHERS:
            la, care_home = LARGEST, n < LARGEST_CARE_HOMES
            lat, lon = 53.40 + (n % 20) * 0.01, -2.30 + (n // 20) * 0.01
        else:
            la, care_home = f"Bench Authority {n % (AUTHORITIES - 1)}", n % 2 == 0
            lat, lon = 51.0 + (n % 97) * 0.03, -3.0 + (n % 89) * 0.03
        postcode = f"M{n % 99 + 1} {n % 9}AB"
        items.append({"location_id": {"S": f"1-{3_000_000_000 + n}"}, "org_id": {"S": f"1-{4_000_000_000 + n // 3}"},
                      "name": {"S": f"Bench Location {n:05d}"}, "provider_name": {"S": f"Bench Provider {n // 3}"},
                      "postcode": {"S": postcode}, "postcode_key": {"S": postcode.replace(" ", "")},
                      "local_authority": {"S": la}, "region": {"S": "North West"},
                      "care_types": {"L": [{"S": "care_home" if care_home else "home_care"}]},
                      "nursing": {"BOOL": care_home and n % 3 == 0}, "status": {"S": "active"},
                      "latitude": {"N": f"{lat:.4f}"}, "longitude": {"N": f"{lon:.4f}"}})
    return items


def _latest_items(locations: list[dict]) -> list[dict]:
    """The other authorities' care homes' latest items, as a save writes them (raw)."""
    saved_at = "2027-03-09T10:00:00.000000+0000"
    items = []
    for loc in locations:
        lid, la = loc["location_id"]["S"], loc["local_authority"]["S"]
        if la == LARGEST or loc["care_types"]["L"][0]["S"] != "care_home":
            continue
        figures = {k: {"N": str(v)} for k, v in CARE_HOME.items()}
        items.append({"pk": {"S": f"LOC#{lid}"}, "sk": {"S": "LATEST#care_home"}, "location_id": {"S": lid},
                      "period": {"S": "2027-03"}, "care_type": {"S": "care_home"}, "authority": {"S": la},
                      "authority_sort": {"S": f"care_home#{lid}"},
                      "latest": {"M": {"version": {"N": "1"}, "kind": {"S": "figures"}, "figures": {"M": figures},
                                       "no_change": {"BOOL": False}, "saved_at": {"S": saved_at},
                                       "saved_by": {"S": "bench"}, "in_window": {"BOOL": True}}},
                      "place": {"M": {k: loc[k] for k in ("name", "provider_name", "postcode", "latitude", "longitude",
                                                           "nursing", "status")}}})
    return items


def run() -> dict:
    from chalice.test import Client
    from moto.server import ThreadedMotoServer

    from infra.local.stack import free_port

    os.environ.pop("AWS_ENDPOINT_URL", None)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    figures: dict = {"locations": LOCATIONS, "authorities": AUTHORITIES, "largest_authority_care_homes": LARGEST_CARE_HOMES}
    try:
        _forget_connections()
        with counting_dynamodb() as counter, local_stack_in_process(f"http://127.0.0.1:{port}") as env:
            from care_tracker import wiring
            from care_tracker.adapters.local_clock import set_time
            from care_tracker.services.auth import Caller

            os.environ["CARE_TRACKER_LOCAL"] = "1"
            wiring.reset()
            set_time(IN_WINDOW)
            started = time.perf_counter()
            locations = _locations()
            largest = LARGEST_CARE_HOMES + LARGEST_OTHERS
            _batch_write(env["LOCATIONS_TABLE"], locations[:largest])
            admin = Caller(user_id="bench-admin", email="a@example.org", full_name="Bench", roles=frozenset({"admin"}))
            returns = wiring.returns_service()
            for n in range(LARGEST_CARE_HOMES):
                vacant = n % 7  # a seventh have none
                returns.save(admin, f"1-{3_000_000_000 + n}", "2027-03", "care_home",
                             {**CARE_HOME, "beds_vacant_accepting": vacant, "beds_occupied": 40 - vacant - 2})
            # The rest of the country after the saves: moto deep-copies every table on each transaction, so
            # 300 saves into 30,000 locations would take it a quarter of an hour (AWS does nothing of the kind).
            _batch_write(env["LOCATIONS_TABLE"], locations[largest:])
            _batch_write(env["RETURNS_TABLE"], _latest_items(locations))
            figures["setup_s"] = round(time.perf_counter() - started, 1)
            del locations

            token = _token("bench-commissioner@example.org", roles=("commissioner",), local_authorities=[LARGEST])
            headers = {"Authorization": f"Bearer {token}"}
            provider = _token("bench-provider@example.org", ["1-3000000000"], "1-4000000000")
            from app import app

            with Client(app) as client:
                client.http.get("/me", headers=headers)  # warm: JWKS fetched, clients built
                searches = {"postcode": "?postcode=M2%201AB", "location": "?near_location_id=1-3000000010",
                            "no_origin": "", "nursing_min_3": "?care=nursing&min_vacant=3", "csv": "?postcode=M2%201AB&format=csv"}
                for name, params in searches.items():
                    counter.reset()
                    answer = client.http.get(f"/commissioner/vacancies{params}", headers=headers)
                    assert answer.status_code == 200, answer.body
                    figures[f"vacancies_{name}_requests"] = counter.total
                    figures[f"vacancies_{name}_calls"] = dict(counter.calls)
                    if name == "postcode":
                        body = json.loads(answer.body)
                        figures["vacancies_homes_found"] = len(body["homes"])
                        assert body["sorted_by"] == "distance" and len(body["homes"]) == sum(1 for n in range(LARGEST_CARE_HOMES) if n % 7)
                ours, walls = [], []
                for _ in range(RUNS):
                    with time_in_dynamodb() as inside:
                        started = time.perf_counter()
                        answer = client.http.get(f"/commissioner/vacancies{searches['postcode']}", headers=headers)
                        wall = time.perf_counter() - started
                    assert answer.status_code == 200
                    walls.append(wall)
                    ours.append(wall - inside["s"])
                figures["vacancies_wall_ms_median"] = round(statistics.median(walls) * 1000, 1)
                figures["vacancies_our_code_ms_median"] = round(statistics.median(ours) * 1000, 1)
                figures["vacancies_our_code_ms_max"] = round(max(ours) * 1000, 1)
                counter.reset()
                saved = client.http.put("/locations/1-3000000000/returns/2027-03/care_home", body=json.dumps(CARE_HOME),
                                        headers={"Authorization": f"Bearer {provider}", "Content-Type": "application/json",
                                                 "If-Match": '"1"'})
                assert saved.status_code == 200, saved.body
                figures["save_requests"] = counter.total
                figures["save_calls"] = dict(counter.calls)
            set_time(None)
            os.environ.pop("CARE_TRACKER_LOCAL", None)
    finally:
        server.stop()
    figures["target_requests"] = 3
    figures["target_our_code_ms"] = 100
    return figures


def main() -> dict:
    from bench.run import measured

    return measured("commissioners", run)


if __name__ == "__main__":
    main()
