"""Returns on in-process moto: saves with history and optimistic locking, access, no change, bulk,
what is owed, and the DynamoDB request budgets (counted on every botocore client)."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import pytest

from care_tracker import wiring
from care_tracker.errors import BadRequest, Conflict, Forbidden, NotFound, ValidationFailed
from care_tracker.services.auth import Caller
from care_tracker.services.returns import ReturnsService
from tests.support import FixedClock, dynamodb_requests

IN_WINDOW = datetime(2026, 12, 9, 10, 0, tzinfo=timezone.utc)  # the December 2026 window runs 8-14
AFTER_WINDOW = datetime(2026, 12, 20, 10, 0, tzinfo=timezone.utc)

CARE_HOME = {"beds_max_capacity": 40, "beds_occupied": 30, "beds_vacant_reserved": 2, "beds_vacant_accepting": 8,
             "staff_nurses_direct": 5, "staff_care_direct": 30, "staff_non_care_direct": 10, "staff_nurses_agency": 1,
             "staff_care_agency": 4, "staff_non_care_agency": 0, "staff_absent": 3}
HOME = {"people_receiving_care": 25, "hours_delivered_last_week": 600, "staff_direct": 20, "staff_agency": 2,
        "staff_absent": 1, "accepting_new_packages": True}


def caller(user_id="u-1", locations=("1-10", "1-11"), roles=("provider_user",), org="1-100") -> Caller:
    return Caller(user_id=user_id, email=f"{user_id}@example.org", full_name=f"User {user_id}", roles=frozenset(roles),
                  org_id=org, location_ids=tuple(locations))


@pytest.fixture
def service(aws):
    wiring.location_directory().write(
        [{"org_id": "1-100", "name": "Org"}, {"org_id": "1-200", "name": "Other org"}],
        [{"location_id": "1-10", "org_id": "1-100", "name": "Oak House", "postcode": "LS1 1AA", "care_types": ["care_home"],
          "status": "active"},
         {"location_id": "1-11", "org_id": "1-100", "name": "Oak Home Care", "postcode": "LS1 1AA",
          "care_types": ["home_care", "supported_living"], "status": "active"},
         {"location_id": "1-12", "org_id": "1-100", "name": "Oak Dormant", "postcode": "LS1 1AA",
          "care_types": ["home_care"], "status": "dormant"},
         {"location_id": "1-20", "org_id": "1-200", "name": "Elm", "postcode": "LS2 2BB", "care_types": ["home_care"],
          "status": "active"}])
    clock = FixedClock(IN_WINDOW)
    svc = ReturnsService(wiring.return_store(), clock)
    svc.clock = clock
    return svc


def test_save_keeps_history_and_refuses_stale_versions(service):
    me = caller()
    first = service.save(me, "1-10", "2026-12", "care_home", CARE_HOME)
    assert (first.version, first.kind, first.in_window, first.saved_by) == (1, "figures", True, "u-1")
    with pytest.raises(Conflict) as no_version:  # an update must say what it is based on
        service.save(me, "1-10", "2026-12", "care_home", CARE_HOME)
    assert no_version.value.code == "version_required" and no_version.value.details == {"current_version": 1}
    service.clock.at = AFTER_WINDOW
    second = service.save(me, "1-10", "2026-12", "care_home", {**CARE_HOME, "staff_absent": 4}, version='"1"')
    assert second.version == 2 and second.in_window is False
    with pytest.raises(Conflict) as stale:  # someone saving on top of version 1 again
        service.save(caller("u-2"), "1-10", "2026-12", "care_home", {**CARE_HOME, "staff_absent": 9}, version=1)
    assert stale.value.code == "stale_version" and stale.value.details == {"current_version": 2}
    location, window, state, history = service.month(me, "1-10", "2026-12")
    assert state.current["care_home"].figures["staff_absent"] == 4 and state.current["care_home"].version == 2
    assert [(h.version, h.figures["staff_absent"], h.in_window) for h in history] == [(1, 3, True), (2, 4, False)]
    # the in-window save still counts although the current one was saved late
    assert state.in_window_types == {"care_home"} and window.period == "2026-12"


def test_store_refuses_a_concurrent_save_of_the_same_version(service):
    """Two saves read version 1 and both try to write version 2: the transaction's condition stops one."""
    from care_tracker.adapters.return_store import StaleVersion

    me = caller()
    service.save(me, "1-11", "2026-12", "home_care", HOME)
    store = wiring.return_store()
    first = service.save(me, "1-11", "2026-12", "home_care", {**HOME, "staff_absent": 2}, version=1)
    with pytest.raises(StaleVersion):
        store.save(first, based_on=1)  # the same write again, based on the now-stale version 1
    _, history = store.period_with_history("1-11", "2026-12")
    assert [h.version for h in history] == [1, 2]


def test_bad_input_is_a_400_that_names_the_field(service):
    me = caller()
    with pytest.raises(ValidationFailed) as bad:
        service.save(me, "1-10", "2026-12", "care_home", {**CARE_HOME, "beds_occupied": 31, "staff_absent": -1})
    fields = {p["field"] for p in bad.value.details["problems"]}
    assert fields == {"staff_absent"}  # field errors first; cross-checks run on a valid body
    with pytest.raises(ValidationFailed) as over:
        service.save(me, "1-10", "2026-12", "care_home", {**CARE_HOME, "beds_occupied": 31})
    assert "maximum capacity" in over.value.message
    with pytest.raises(BadRequest) as not_provided:
        service.save(me, "1-10", "2026-12", "home_care", HOME)
    assert not_provided.value.code == "care_type_not_provided"
    for period, code in (("2026-13", "invalid_period"), ("26-12", "invalid_period"), ("2027-02", "period_in_future")):
        with pytest.raises(BadRequest) as refused:
            service.save(me, "1-10", period, "care_home", CARE_HOME)
        assert refused.value.code == code
    with pytest.raises(BadRequest) as unknown:
        service.save(me, "1-10", "2026-12", "nursing", CARE_HOME)
    assert unknown.value.code == "unknown_care_type"
    with pytest.raises(BadRequest) as version:
        service.save(me, "1-10", "2026-12", "care_home", CARE_HOME, version="abc")
    assert version.value.code == "invalid_version"


def test_access_only_for_users_of_the_location_approvers_and_support(service):
    with pytest.raises(Forbidden):
        service.save(caller(), "1-20", "2026-12", "home_care", HOME)
    with pytest.raises(Forbidden):  # an unknown location looks the same to someone without access
        service.save(caller(), "1-99", "2026-12", "home_care", HOME)
    with pytest.raises(Forbidden):
        service.month(caller(locations=("1-11",)), "1-10", "2026-12")
    approver = caller("u-9", locations=(), roles=("approver", "provider_user"))
    assert service.save(approver, "1-10", "2026-12", "care_home", {"nil_return": True}).kind == "nil"
    with pytest.raises(Forbidden):
        service.save(approver, "1-20", "2026-12", "home_care", HOME)
    support = caller("s-1", locations=(), roles=("admin",), org=None)
    assert service.month(support, "1-20", "2026-12")[2] is None
    with pytest.raises(NotFound):
        service.month(support, "1-99", "2026-12")


def test_no_change_copies_the_latest_earlier_return(service):
    me = caller()
    with pytest.raises(Conflict) as nothing:
        service.save(me, "1-11", "2026-12", "home_care", {"no_change": True})
    assert nothing.value.code == "nothing_to_copy"
    service.clock.at = datetime(2026, 9, 9, 10, tzinfo=timezone.utc)
    service.save(me, "1-11", "2026-09", "home_care", HOME)  # September; nothing in Oct or Nov
    service.save(me, "1-11", "2026-09", "supported_living", {"nil_return": True})
    service.clock.at = IN_WINDOW
    copy = service.save(me, "1-11", "2026-12", "home_care", {"no_change": True})
    assert (copy.no_change, copy.copied_from, copy.figures, copy.kind, copy.in_window) == (True, "2026-09", HOME, "figures", True)
    nil_copy = service.save(me, "1-11", "2026-12", "supported_living", {"no_change": True})
    assert (nil_copy.kind, nil_copy.copied_from) == ("nil", "2026-09")


def test_bulk_answers_each_item_on_its_own(service):
    me = caller()
    service.save(me, "1-10", "2026-12", "care_home", CARE_HOME)
    outcomes = service.bulk(me, [
        {"location_id": "1-11", "period": "2026-12", "care_type": "home_care", "return": HOME},
        {"location_id": "1-11", "period": "2026-12", "care_type": "supported_living", "return": {"nil_return": True}},
        {"location_id": "1-10", "period": "2026-12", "care_type": "care_home", "return": CARE_HOME},  # no version
        {"location_id": "1-10", "period": "2026-12", "care_type": "care_home", "version": 7, "return": CARE_HOME},
        {"location_id": "1-20", "period": "2026-12", "care_type": "home_care", "return": HOME},  # not theirs
        {"location_id": "1-11", "period": "2026-12", "care_type": "home_care", "return": {"staff_direct": -1}},
        {"location_id": "1-11", "period": "2026-12", "care_type": "home_care"},  # no return
        "not an object",
    ])
    assert [o.status for o in outcomes] == [200, 200, 409, 409, 403, 400, 400, 400]
    assert outcomes[3].error["code"] == "stale_version" and outcomes[5].error["code"] == "validation_failed"
    assert outcomes[0].saved.version == 1 and outcomes[1].saved.kind == "nil"


def test_what_is_owed(service):
    me = caller(locations=("1-10", "1-11", "1-12"))
    service.clock.at = datetime(2026, 12, 5, 10, tzinfo=timezone.utc)  # before the window: saved, not done
    service.save(me, "1-11", "2026-12", "supported_living", {"nil_return": True})
    service.clock.at = IN_WINDOW
    service.save(me, "1-10", "2026-12", "care_home", CARE_HOME)
    owed = service.owed(me)
    assert owed.window.period == "2026-12"
    table = {(loc.location_id, ct.care_type): (loc.owes, ct.done, ct.saved) for loc in owed.locations for ct in loc.care_types}
    assert table == {("1-10", "care_home"): (True, True, True), ("1-11", "home_care"): (True, False, False),
                     ("1-11", "supported_living"): (True, False, True), ("1-12", "home_care"): (False, False, False)}
    approver = caller("u-9", locations=(), roles=("approver",))
    assert {loc.location_id for loc in service.owed(approver).locations} == {"1-10", "1-11", "1-12"}


def test_request_budgets(service):
    me = caller()
    with dynamodb_requests() as first:
        service.save(me, "1-10", "2026-12", "care_home", CARE_HOME)
    for version in range(1, 30):  # a long history
        service.save(me, "1-10", "2026-12", "care_home", CARE_HOME, version=version)
    with dynamodb_requests() as late:
        service.save(me, "1-10", "2026-12", "care_home", CARE_HOME, version=30)
    service.clock.at = datetime(2027, 1, 9, 10, tzinfo=timezone.utc)
    with dynamodb_requests() as copy:
        service.save(me, "1-10", "2027-01", "care_home", {"no_change": True})
    # + the caller's account read by authentication = 3
    assert first == late == copy == Counter({"BatchGetItem": 1, "TransactWriteItems": 1})
    locations = [f"1-5{i:02d}" for i in range(50)]
    wiring.location_directory().write([], [{"location_id": lid, "org_id": "1-100", "name": lid, "postcode": "LS1 1AA",
                                            "care_types": ["home_care", "supported_living"], "status": "active"}
                                           for lid in locations])
    with dynamodb_requests() as owed_calls:
        owed = service.owed(caller(locations=locations))
    # 50 locations + 50 period items: one BatchGetItem across both tables (+ authentication = 2)
    assert len(owed.locations) == 50 and owed_calls == Counter({"BatchGetItem": 1})
