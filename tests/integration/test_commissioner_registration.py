"""A commissioner's self-registration (RULES 1.5a): areas instead of locations, an organisational
email, decided by the support team only; the account is read-only and tied to its areas."""
from __future__ import annotations

from datetime import date

import pytest

from bench.accounts import csv_text, header, location_values
from care_tracker import wiring
from care_tracker.errors import BadRequest, Conflict, Forbidden
from care_tracker.services.auth import Caller

SUPPORT = Caller(user_id="support-1", email="s@example.org", full_name="Support", roles=frozenset({"admin"}))


def ask(email="pat.lee@leeds.gov.uk", areas=("Leeds",), locations=()):
    from care_tracker.services.registrations import NewRequest

    return NewRequest(full_name="Pat Lee", email=email, phone="0113 222 0000", job_title="Commissioning officer",
                      location_ids=tuple(locations), organisation_id=None, terms_accepted=True, comms_consent=False,
                      local_authorities=tuple(areas))


@pytest.fixture
def world(aws, sent_mail):
    from care_tracker.services.cqc_import import import_cqc_locations

    rows = [dict(location_values(n, provider=0), **{"Location Local Authority": la})
            for n, la in enumerate(["Leeds", "Leeds", "Bradford"])]
    import_cqc_locations(csv_text(header(), rows).splitlines(keepends=True), wiring.location_directory(),
                         wiring.account_service(), file_date=date(2026, 10, 1), users=wiring.users())
    approver = wiring.account_service().create_account(
        email="boss@example.org", full_name="Boss", roles=["approver", "provider_user"], org_id="1-4000000000",
        location_ids=["1-3000000000"], first_approver_of="1-4000000000")
    return {"mail": sent_mail, "before": len(sent_mail()),
            "approver": Caller(user_id=approver.user_id, email=approver.email, full_name="Boss",
                               roles=frozenset(approver.roles), org_id="1-4000000000", location_ids=("1-3000000000",))}


def test_a_commissioner_request_goes_to_the_support_team_and_is_approved_there_only(world):
    service = wiring.registration_service()
    stored = service.request(ask(areas=("Leeds", "Bradford", "Leeds")))
    assert stored["decider"] == "support#pending" and stored["local_authorities"] == ["Bradford", "Leeds"]
    assert stored.get("org_id") is None
    [mail] = world["mail"]()[world["before"]:]
    assert mail.subject.startswith("A Care Tracker commissioner request") and "Bradford, Leeds" in mail.body
    # the organisation's approver neither sees nor decides it
    assert service.pending_for(world["approver"]) == []
    with pytest.raises(Forbidden):
        service.approve(world["approver"], stored["registration_id"])
    assert [r["registration_id"] for r in service.pending_for(SUPPORT)] == [stored["registration_id"]]
    approved = service.approve(SUPPORT, stored["registration_id"])
    user = wiring.users().get(approved["user_id"])
    assert user.roles == ["commissioner"] and user.local_authorities == ["Bradford", "Leeds"]
    assert user.org_id is None and user.location_ids == []
    assert "Temporary password:" in world["mail"]()[-1].body and world["mail"]()[-1].to == "pat.lee@leeds.gov.uk"
    with pytest.raises(Conflict):
        service.approve(SUPPORT, stored["registration_id"])


def test_rejection_mails_the_reason(world):
    service = wiring.registration_service()
    stored = service.request(ask())
    service.reject(SUPPORT, stored["registration_id"], "We could not confirm you work for Leeds City Council.")
    assert "could not confirm" in world["mail"]()[-1].body
    assert not wiring.users().email_taken("pat.lee@leeds.gov.uk")


@pytest.mark.parametrize("request_, code", [
    (ask(email="pat.lee@gmail.com"), "organisational_email_required"),
    (ask(email="pat@mail.yahoo.co.uk"), "organisational_email_required"),
    (ask(areas=("Narnia",)), "unknown_local_authority"),
    (ask(areas=("leeds",)), "unknown_local_authority"),  # CQC's spelling, exactly
    (ask(locations=("1-3000000000",)), "choose_locations"),
])
def test_bad_commissioner_requests_are_refused_and_claim_nothing(world, request_, code):
    with pytest.raises(BadRequest) as refused:
        wiring.registration_service().request(request_)
    assert refused.value.code == code and len(refused.value.message) > 30
    assert not wiring.users().email_taken(request_.email)
