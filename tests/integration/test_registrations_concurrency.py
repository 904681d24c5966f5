"""Two (or eight) simultaneous requests with the same email: exactly one succeeds. Proven with
real threads against moto's server over HTTP (its own DynamoDB transactions), not a mock."""
from __future__ import annotations

import threading
from datetime import date

import pytest

from bench.accounts import _fresh_connections, csv_text, header, location_values
from care_tracker import wiring
from care_tracker.errors import Conflict


@pytest.fixture
def server_stack(monkeypatch):
    from infra.local.provision import provision
    from infra.local.stack import free_port, moto_server

    port = free_port()
    server = moto_server(port)  # its transactions one at a time, as DynamoDB's
    server.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    try:
        env = provision(region="eu-west-2")
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        _fresh_connections()
        yield env
    finally:
        monkeypatch.delenv("AWS_ENDPOINT_URL")
        _fresh_connections()  # no client left pointing at the stopped server
        import urllib.request

        # its backends are this process's: the next server_stack starts empty
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST"), timeout=30)
        server.stop()


def test_simultaneous_requests_with_one_email_exactly_one_succeeds(server_stack):
    from care_tracker.services.cqc_import import import_cqc_locations
    from care_tracker.services.registrations import NewRequest

    import_cqc_locations(csv_text(header(), [location_values(0)]).splitlines(keepends=True), wiring.location_directory(),
                         wiring.account_service(), file_date=date(2026, 10, 1), users=wiring.users())
    service = wiring.registration_service()
    for round_ in range(5):
        threads, outcomes, start = [], [], threading.Barrier(8)

        def ask(i: int, round_=round_, start=start, outcomes=outcomes) -> None:
            email = f"Same.Person{round_}@example.org" if i % 2 else f"same.person{round_}@EXAMPLE.org"
            start.wait()
            try:
                service.request(NewRequest(full_name=f"Twin {i}", email=email, phone="0113 496 0000", job_title="Carer",
                                           location_ids=("1-3000000000",), organisation_id=None, terms_accepted=True,
                                           comms_consent=True))
                outcomes.append("created")
            except Conflict as exc:
                outcomes.append(exc.code)

        for i in range(8):
            threads.append(threading.Thread(target=ask, args=(i,)))
            threads[-1].start()
        for t in threads:
            t.join(60)
        assert sorted(outcomes) == ["created"] + ["username_taken"] * 7, outcomes
    pending = service.pending_for(__import__("care_tracker.services.auth", fromlist=["Caller"]).Caller(
        user_id="s", email="s@example.org", full_name="S", roles=frozenset({"admin"})))
    assert len(pending) == 5
