"""50 people voting for one suggestion at the same instant give exactly 50 votes; the same 50
voting again at once change nothing. Real threads against moto's server over HTTP (its own
DynamoDB transactions), not a mock."""
from __future__ import annotations

import threading

from care_tracker import wiring
from care_tracker.services.auth import Caller
from tests.integration.test_registrations_concurrency import server_stack  # noqa: F401 - the fixture

PEOPLE = 50


def _together(action) -> list:
    start, outcomes, threads = threading.Barrier(PEOPLE), [], []

    def run(i: int) -> None:
        start.wait()
        try:
            outcomes.append(action(i))
        except Exception as exc:  # noqa: BLE001 - every outcome is asserted below
            outcomes.append(exc)

    for i in range(PEOPLE):
        threads.append(threading.Thread(target=run, args=(i,)))
        threads[-1].start()
    for thread in threads:
        thread.join(120)
    return outcomes


def _caller(i: int) -> Caller:
    return Caller(user_id=f"voter-{i}", email=f"v{i}@example.org", full_name=f"Voter {i}", roles=frozenset({"pa"}))


def test_fifty_simultaneous_votes_count_exactly_fifty(server_stack):  # noqa: F811
    service = wiring.feedback_service()
    suggestion = service.post_suggestion(_caller(0), "Shared calendar", "One calendar for all my PAs")["suggestion_id"]

    outcomes = _together(lambda i: service.vote(_caller(i), suggestion))
    assert outcomes == [{"suggestion_id": suggestion, "voted": True}] * PEOPLE
    again = _together(lambda i: service.vote(_caller(i), suggestion))
    assert again == outcomes
    from care_tracker.rules.feedback import votes_of

    stored = service._store.suggestion(suggestion)
    assert stored["votes"] == PEOPLE and votes_of(stored["score"]) == PEOPLE
    page = service.suggestions(_caller(3))
    assert [(s["votes"], s["voted"]) for s in page.suggestions] == [(PEOPLE, True)]
    withdrawn = _together(lambda i: service.withdraw(_caller(i), suggestion) if i % 2 else None)
    assert len([w for w in withdrawn if w]) == PEOPLE // 2
    assert service._store.suggestion(suggestion)["votes"] == PEOPLE // 2
