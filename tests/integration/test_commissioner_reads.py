"""Commissioners' reads on moto (RULES 1.5a): the latest-return items written with each save (still
one transaction, 3 requests a save), vacancies near a postcode or location, an area's locations,
completeness, the tenant boundary between areas, and no provider user's details anywhere."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from care_tracker import wiring
from care_tracker.errors import BadRequest, Forbidden, NotFound
from care_tracker.services.auth import Caller
from care_tracker.services.commissioners import CommissionerReads, VacancyQuery
from care_tracker.services.returns import ReturnsService
from tests.support import FixedClock, dynamodb_requests

MARCH = datetime(2027, 3, 9, 10, 0, tzinfo=timezone.utc)  # inside March 2027's window (8-15: the 14th is a Sunday)
LEEDS = Caller(user_id="c-1", email="pat@leeds.gov.uk", full_name="Pat", roles=frozenset({"commissioner"}),
               local_authorities=("Leeds",))
BOTH = Caller(user_id="c-2", email="sam@nhs.net", full_name="Sam", roles=frozenset({"commissioner"}),
              local_authorities=("Leeds", "Bradford"))
ADMIN = Caller(user_id="a-1", email="s@example.org", full_name="Support", roles=frozenset({"admin"}))


def figures(vacant, capacity=40):
    return {"beds_max_capacity": capacity, "beds_occupied": capacity - vacant - 1, "beds_vacant_reserved": 1,
            "beds_vacant_accepting": vacant, "staff_nurses_direct": 5, "staff_care_direct": 30, "staff_non_care_direct": 10,
            "staff_nurses_agency": 1, "staff_care_agency": 4, "staff_non_care_agency": 0, "staff_absent": 3}


def loc(lid, name, la, postcode, at=None, nursing=False, care=("care_home",), status="active", org="1-100"):
    item = {"location_id": lid, "org_id": org, "name": name, "provider_name": f"Provider {org}", "postcode": postcode,
            "postcode_key": postcode.replace(" ", "") if status == "active" else None, "local_authority": la,
            "care_types": list(care), "nursing": nursing, "status": status}
    if at:
        item["latitude"], item["longitude"] = at
    return {k: v for k, v in item.items() if v is not None}


@pytest.fixture
def world(aws):
    wiring.location_directory().write([{"org_id": "1-100", "name": "A"}, {"org_id": "1-200", "name": "B"}], [
        loc("1-1", "Aire View", "Leeds", "LS6 2AB", (53.8175, -1.5771), nursing=True),
        loc("1-2", "Beck House", "Leeds", "LS17 5DR", (53.8600, -1.5300), org="1-200"),
        loc("1-3", "Calder Court", "Leeds", "LS12 3HG"),  # no coordinates
        loc("1-4", "Dale Lodge", "Leeds", "LS9 8AA", (53.7900, -1.5100)),  # no vacancies
        loc("1-5", "Eden Home Care", "Leeds", "LS6 2AB", (53.8176, -1.5770), care=("home_care",)),
        loc("1-6", "Fell Nursing Home", "Bradford", "BD1 1AA", (53.7950, -1.7520), nursing=True, org="1-200"),
        loc("1-7", "Garth Place", "Leeds", "LS1 1AA", (53.7990, -1.5490)),  # never makes a return
    ])
    clock = FixedClock(MARCH)
    returns = ReturnsService(wiring.return_store(), clock)
    saver = Caller(user_id="u-1", email="jo.bloggs@example.org", full_name="Jo Bloggs", roles=frozenset({"admin"}))
    returns.save(saver, "1-1", "2027-03", "care_home", figures(3))
    returns.save(saver, "1-2", "2027-03", "care_home", figures(5))
    clock.at = MARCH - timedelta(days=30)  # February's window: older than March's
    returns.save(saver, "1-3", "2027-02", "care_home", figures(2))
    clock.at = MARCH
    returns.save(saver, "1-4", "2027-03", "care_home", figures(0))
    returns.save(saver, "1-5", "2027-03", "home_care", {"people_receiving_care": 25, "hours_delivered_last_week": 600,
                                                         "staff_direct": 20, "staff_agency": 2, "staff_absent": 1,
                                                         "accepting_new_packages": True})
    returns.save(saver, "1-6", "2027-03", "care_home", figures(7))
    clock.at = MARCH + timedelta(days=3)
    reads = CommissionerReads(wiring.return_store(), wiring.location_directory(), wiring.compliance_store(),
                              wiring.compliance_reports(), clock)
    return {"returns": returns, "reads": reads, "clock": clock, "saver": saver}


def test_a_save_stays_at_one_batch_read_and_one_transaction(world):
    with dynamodb_requests() as calls:
        world["returns"].save(world["saver"], "1-1", "2027-03", "care_home", figures(2), version=1)
    assert calls == {"BatchGetItem": 1, "TransactWriteItems": 1}  # + the caller's account read on a request: 3


def test_a_save_for_an_older_month_leaves_the_latest_return_alone(world):
    world["returns"].save(world["saver"], "1-1", "2027-02", "care_home", figures(9))
    [latest] = wiring.return_store().latest_of_location("1-1")
    assert (latest.saved.period, latest.saved.figures["beds_vacant_accepting"]) == ("2027-03", 3)
    world["returns"].save(world["saver"], "1-1", "2027-03", "care_home", figures(1), version=1)
    [latest] = wiring.return_store().latest_of_location("1-1")
    assert (latest.saved.version, latest.saved.figures["beds_vacant_accepting"]) == (2, 1)


def test_vacancies_near_a_postcode_nearest_first_then_by_name(world):
    with dynamodb_requests() as calls:
        found = world["reads"].vacancies(LEEDS, VacancyQuery(postcode="ls6 2ab"))
    assert calls == {"Query": 2}  # the postcode and the area; + the account read on a request: 3
    assert sum(calls.values()) <= 2 and "Scan" not in calls
    homes = found["homes"]
    assert [h["location_id"] for h in homes] == ["1-1", "1-2", "1-3"]  # Dale Lodge has none; Calder has no coordinates
    assert found["sorted_by"] == "distance" and found["origin"] == "postcode LS62AB"
    assert homes[0]["distance_km"] == pytest.approx(0.0, abs=0.05) and homes[1]["distance_km"] == pytest.approx(5.9, abs=0.3)
    assert homes[2]["distance_km"] is None
    assert homes[0]["age"] == "saved 3 days ago" and homes[0]["out_of_date"] is False
    assert homes[2]["period"] == "2027-02" and homes[2]["out_of_date"] is True
    assert homes[0]["beds_vacant_accepting"] == 3 and homes[0]["nursing"] is True
    assert "jo" not in json.dumps(found, default=str).lower() and "u-1" not in json.dumps(found, default=str)


def test_vacancy_filters_and_origins(world):
    reads = world["reads"]
    assert [h["location_id"] for h in reads.vacancies(LEEDS, VacancyQuery())["homes"]] == ["1-1", "1-2", "1-3"]
    assert [h["location_id"] for h in reads.vacancies(LEEDS, VacancyQuery(nursing=True))["homes"]] == ["1-1"]
    assert [h["location_id"] for h in reads.vacancies(LEEDS, VacancyQuery(nursing=False, min_vacant=3))["homes"]] == ["1-2"]
    near = reads.vacancies(LEEDS, VacancyQuery(near_location_id="1-2"))
    assert [h["location_id"] for h in near["homes"]] == ["1-2", "1-1", "1-3"] and near["origin"] == "Beck House"
    both = reads.vacancies(BOTH, VacancyQuery(postcode="BD1 1AA"))
    assert [h["location_id"] for h in both["homes"]][:2] == ["1-6", "1-1"]
    unplaced = reads.vacancies(LEEDS, VacancyQuery(postcode="LS99 9ZZ"))  # nothing registered there
    assert unplaced["sorted_by"] == "name" and len(unplaced["homes"]) == 3
    with pytest.raises(BadRequest):
        reads.vacancies(LEEDS, VacancyQuery(postcode="not a postcode"))


def test_a_commissioner_sees_nothing_outside_their_areas(world):
    reads = world["reads"]
    with pytest.raises(Forbidden):
        reads.vacancies(LEEDS, VacancyQuery(local_authority="Bradford"))
    with pytest.raises(NotFound):
        reads.vacancies(LEEDS, VacancyQuery(near_location_id="1-6"))
    for location_id in ("1-6", "1-999"):  # another area's location, or none: the same 404
        with pytest.raises(NotFound) as refused:
            reads.location(LEEDS, location_id)
        assert refused.value.code == "not_in_your_areas"
    with pytest.raises(Forbidden):
        reads.locations(LEEDS, "Bradford")
    with pytest.raises(Forbidden):
        reads.completeness(LEEDS, "Bradford", "2027-02")
    assert "1-6" not in {h["location_id"] for h in reads.vacancies(LEEDS, VacancyQuery())["homes"]}
    assert reads.location(BOTH, "1-6")["latest_returns"][0]["figures"]["beds_vacant_accepting"] == 7
    with pytest.raises(BadRequest):  # the support team names an area
        reads.vacancies(ADMIN, VacancyQuery())
    assert len(reads.vacancies(ADMIN, VacancyQuery(local_authority="Bradford"))["homes"]) == 1


def test_the_area_s_locations_with_their_latest_returns(world):
    with dynamodb_requests() as calls:
        area = world["reads"].locations(LEEDS, None)
    assert calls == {"Query": 2}
    rows = {r["location_id"]: r for r in area["locations"]}
    assert set(rows) == {"1-1", "1-2", "1-3", "1-4", "1-5", "1-7"}
    assert rows["1-7"]["latest_returns"] == []
    [home_care] = rows["1-5"]["latest_returns"]
    assert home_care["care_type"] == "home_care" and home_care["figures"]["accepting_new_packages"] is True
    assert rows["1-3"]["latest_returns"][0]["age"] == "saved 33 days ago"
    text = json.dumps(area, default=str)
    assert "Jo Bloggs" not in text and "jo.bloggs" not in text and "saved_by" not in text


def test_completeness_is_the_window_report_for_the_areas_with_the_locations_that_missed(world):
    from care_tracker.rules.reporting_window import window_for_period

    window = window_for_period("2027-03")
    wiring.count_compliance(window, window.closes_at + timedelta(hours=1))
    report = world["reads"].completeness(BOTH, None, "2027-03")
    figures = {g["name"]: g for g in report["figures"]}
    assert set(figures) == {"Leeds", "Bradford"}
    assert figures["Bradford"]["completed"] == 1 and figures["Bradford"]["missed"] == 0
    # Calder Court saved February's only; Garth Place never saved
    assert [(m["local_authority"], m["location_id"]) for m in report["missed"]] == [("Leeds", "1-3"), ("Leeds", "1-7")]
    assert figures["Leeds"]["missed"] == 2
    with pytest.raises(NotFound):
        world["reads"].completeness(LEEDS, None, "2027-04")  # not counted yet


def test_every_report_writes_as_csv_with_the_csv_rules(world):
    from care_tracker.rules.csv_export import csv_rows
    from care_tracker.rules.reporting_window import window_for_period
    from care_tracker.services import commissioners as c

    reads = world["reads"]
    window = window_for_period("2027-03")
    wiring.count_compliance(window, window.closes_at + timedelta(hours=1))
    files = {
        "vacancies": "".join(csv_rows(c.VACANCY_COLUMNS, reads.vacancies(LEEDS, VacancyQuery(postcode="LS6 2AB"))["homes"])),
        "locations": "".join(csv_rows(c.LOCATION_COLUMNS, c.location_rows(reads.locations(LEEDS, None)))),
        "completeness": "".join(csv_rows(c.COMPLETENESS_COLUMNS, c.completeness_rows(reads.completeness(LEEDS, None, "2027-03")))),
    }
    assert files["vacancies"].count("\r\n") == 4 and "saved 3 days ago" in files["vacancies"]
    assert files["locations"].count("\r\n") == 7  # header + six locations, one latest return each or none
    assert "beds_vacant_accepting=3" in files["locations"]
    assert files["completeness"].splitlines()[1].startswith("2027-03,Leeds,") and files["completeness"].count("\r\n") == 4
