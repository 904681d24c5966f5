"""Commissioners over HTTP on the local stack (issue 16, "Done when"): a commissioner registers, the
support team approves, they sign in, find homes with vacancies near a postcode after two providers
save returns, download the CSV, and are refused on every write route and on another authority's
location. The demo commissioner covers the demo approver's authority.

Demo data: Meadowbank House (1-2000000001, Leeds, LS6 2AB, Meadowbank Care: Helen Marsh approves),
Harbour View Care Home (1-2000000004, Bristol, City of: Anna Price approves), Ashgrove Court
(1-2000000007, Northvale). Returns are saved for March 2027 (no other test uses that month).
"""
from __future__ import annotations

import csv
import io
import re

import pytest

pytestmark = pytest.mark.e2e

ADMIN = "support@demo.care-tracker.example.org"
DEMO_COMMISSIONER = "commissioner@demo.care-tracker.example.org"
HELEN, ANNA = "helen.marsh@example.org", "anna.price@example.org"
PAT = "pat.lee@leeds.gov.uk"
MEADOW_HOUSE, HARBOUR_VIEW, ASHGROVE = "1-2000000001", "1-2000000004", "1-2000000007"


def figures(vacant: int) -> dict:
    return {"beds_max_capacity": 40, "beds_occupied": 40 - vacant - 1, "beds_vacant_reserved": 1,
            "beds_vacant_accepting": vacant, "staff_nurses_direct": 5, "staff_care_direct": 30, "staff_non_care_direct": 10,
            "staff_nurses_agency": 1, "staff_care_agency": 4, "staff_non_care_agency": 0, "staff_absent": 3}


def ok(response, status: int = 200):
    assert response.status_code == status, response.text
    return response


def _concrete(path: str) -> str:
    return re.sub(r"{\w+}", "1-2000000001", path)


def test_a_commissioner_registers_is_approved_finds_vacancies_downloads_them_and_changes_nothing(api):
    registration = {"full_name": "Pat Lee", "phone": "0113 222 0000", "job_title": "Hospital discharge lead",
                    "local_authorities": ["Leeds", "Bristol, City of"], "terms_accepted": True, "comms_consent": False}
    refused = api.call("POST", "/registrations", json={**registration, "email": "pat.lee@gmail.com"})
    assert refused.status_code == 400 and refused.json()["code"] == "organisational_email_required"
    unknown = api.call("POST", "/registrations", json={**registration, "email": PAT, "local_authorities": ["Narnia"]})
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_local_authority"
    request_id = ok(api.call("POST", "/registrations", json={**registration, "email": PAT}), 201).json()["id"]

    admin = api.token(ADMIN)
    queue = ok(api.call("GET", "/registrations", admin)).json()["registrations"]
    mine = next(r for r in queue if r["id"] == request_id)
    assert mine["local_authorities"] == ["Bristol, City of", "Leeds"] and mine["organisation_id"] is None
    ok(api.call("POST", f"/registrations/{request_id}/approve", admin))
    pat = api.token(PAT)
    me = ok(api.call("GET", "/me", pat)).json()
    assert me["roles"] == ["commissioner"] and me["local_authorities"] == ["Bristol, City of", "Leeds"]

    try:
        ok(api.call("PUT", "/_local/clock", json={"at": "2027-03-09T10:00:00+00:00"}))
        for provider, location_id, vacant in ((HELEN, MEADOW_HOUSE, 4), (ANNA, HARBOUR_VIEW, 2)):
            token = api.token(provider)
            ok(api.call("PUT", f"/locations/{location_id}/returns/2027-03/care_home", token, json=figures(vacant)))
        ok(api.call("PUT", "/_local/clock", json={"at": "2027-03-12T11:00:00+00:00"}))

        found = ok(api.call("GET", "/commissioner/vacancies", pat, params={"postcode": "ls6 2ab"})).json()
        assert found["sorted_by"] == "distance"
        homes = found["homes"]
        assert [h["location_id"] for h in homes] == [MEADOW_HOUSE, HARBOUR_VIEW]  # Leeds, then Bristol ~270 km away
        assert homes[0]["distance_km"] < 0.1 and 250 < homes[1]["distance_km"] < 300
        assert homes[0]["beds_vacant_accepting"] == 4 and homes[0]["age"] == "saved 3 days ago"
        assert homes[0]["out_of_date"] is False and homes[0]["nursing"] is True
        text = str(found).lower()
        assert "helen" not in text and "anna" not in text and "saved_by" not in text
        assert [h["location_id"] for h in ok(api.call("GET", "/commissioner/vacancies", pat, params={
            "care": "no_nursing", "min_vacant": 2})).json()["homes"]] == [HARBOUR_VIEW]

        download = ok(api.call("GET", "/commissioner/vacancies", pat, params={"postcode": "LS6 2AB", "format": "csv"}))
        assert download.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(download.text, newline="")))
        assert [(r["location_id"], r["beds_vacant_accepting"], r["age"]) for r in rows] == [
            (MEADOW_HOUSE, "4", "saved 3 days ago"), (HARBOUR_VIEW, "2", "saved 3 days ago")]
        area = ok(api.call("GET", "/commissioner/locations", pat, params={"format": "csv"}))
        assert {r["location_id"] for r in csv.DictReader(io.StringIO(area.text, newline=""))} >= {MEADOW_HOUSE, HARBOUR_VIEW}
        one = ok(api.call("GET", f"/commissioner/locations/{MEADOW_HOUSE}", pat)).json()
        assert one["latest_returns"][0]["figures"]["beds_vacant_accepting"] == 4

        # another authority's location: not found in the commissioner's views, refused in the providers'
        for path, status in ((f"/commissioner/locations/{ASHGROVE}", 404), (f"/locations/{ASHGROVE}/returns/2027-03", 403),
                             (f"/locations/{ASHGROVE}/compliance", 403), ("/commissioner/vacancies?local_authority=Northvale", 403),
                             ("/commissioner/completeness?local_authority=Northvale&period=2027-02", 403),
                             (f"/commissioner/vacancies?near_location_id={ASHGROVE}", 404)):
            assert api.call("GET", path, pat).status_code == status, path
        assert ok(api.call("GET", "/commissioner/locations", pat)).json()["locations"]
        assert ASHGROVE not in {loc["location_id"] for loc in api.call("GET", "/commissioner/locations", pat).json()["locations"]}

        # every write route of the API that needs a login refuses them, before reading the input
        # (the public ones, registration and employer sign-up, are the same for everyone)
        paths = api.call("GET", "/openapi.json").json()["paths"]
        writes = [(m.upper(), p) for p, ops in paths.items() for m, op in ops.items()
                  if m in {"post", "put", "patch", "delete"} and not p.startswith(("/_local", "/auth/"))
                  and op.get("security")]
        assert len(writes) >= 10
        for method, path in writes:
            answer = api.call(method, _concrete(path), pat, json=figures(1))
            assert answer.status_code == 403 and answer.json()["code"] == "read_only", (method, path, answer.text)
        # the saves above are untouched
        assert ok(api.call("GET", f"/commissioner/locations/{MEADOW_HOUSE}", pat)).json()["latest_returns"][0]["period"] == "2027-03"
    finally:
        ok(api.call("PUT", "/_local/clock", json={"at": None}))


def test_the_demo_commissioner_covers_the_demo_approver_s_authority(api):
    token = api.token(DEMO_COMMISSIONER)
    me = ok(api.call("GET", "/me", token)).json()
    assert me["roles"] == ["commissioner"] and me["local_authorities"] == ["Northvale"]
    area = ok(api.call("GET", "/commissioner/locations", token)).json()
    assert {loc["location_id"] for loc in area["locations"]} == {"1-2000000006", ASHGROVE}
    assert api.call("GET", "/users", token).status_code == 403  # nobody's personal details
