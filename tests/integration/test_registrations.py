"""Self-registration and decisions on moto (RULES 1.2): claims, queues, approval, rejection."""
from __future__ import annotations

import re
from datetime import date

import pytest

from bench.accounts import csv_text, header, location_values
from care_tracker import wiring
from care_tracker.errors import BadRequest, Conflict, Forbidden, NotFound
from care_tracker.ports import Challenge
from care_tracker.services.auth import Caller

ORG_A, ORG_B, ORG_C = "1-4000000000", "1-4000000001", "1-4000000002"
A1, A2, A3 = "1-3000000000", "1-3000000001", "1-3000000002"
B1 = "1-3000000003"
SUPPORT = Caller(user_id="support-1", email="s@example.org", full_name="Support", roles=frozenset({"admin"}))


def new(email="new.person@example.org", locations=(A1,), org=None, terms=True, consent=False):
    from care_tracker.services.registrations import NewRequest

    return NewRequest(full_name="New Person", email=email, phone="0113 496 0000", job_title="Care manager",
                      location_ids=tuple(locations), organisation_id=org, terms_accepted=terms, comms_consent=consent)


@pytest.fixture
def world(aws, sent_mail):
    """Provider A (locations A1-A3, an approver), B (B1, no approver), C (C1, an approver)."""
    from care_tracker.services.cqc_import import import_cqc_locations

    rows = [location_values(n, provider=0) for n in range(3)] + [location_values(3, provider=1)] + [
        location_values(4, provider=2), dict(location_values(5, provider=0), **{"Dormant (Y/N)": "Y"})]
    import_cqc_locations(csv_text(header(), rows).splitlines(keepends=True), wiring.location_directory(),
                         wiring.account_service(), file_date=date(2026, 10, 1), users=wiring.users())
    accounts = wiring.account_service()
    a = accounts.create_account(email="boss.a@example.org", full_name="Boss A", roles=["approver", "provider_user"],
                                org_id=ORG_A, location_ids=[A1, A2, A3], first_approver_of=ORG_A)
    c = accounts.create_account(email="boss.c@example.org", full_name="Boss C", roles=["approver", "provider_user"],
                                org_id=ORG_C, location_ids=["1-3000000004"], first_approver_of=ORG_C)
    as_caller = lambda u: Caller(user_id=u.user_id, email=u.email, full_name=u.full_name, roles=frozenset(u.roles),  # noqa: E731
                                 org_id=u.org_id, location_ids=tuple(u.location_ids))
    return {"a": as_caller(a), "c": as_caller(c), "mail": sent_mail, "before": len(sent_mail())}


def test_request_goes_to_the_organisations_approvers_and_claims_the_email(world):
    service = wiring.registration_service()
    stored = service.request(new(email="New.Person@Example.org", locations=(A1, A2), consent=True))
    assert stored["status"] == "pending" and stored["decider"] == f"{ORG_A}#pending" and stored["comms_consent"] is True
    assert stored["email"] == "new.person@example.org" and stored["terms_accepted_at"]
    [mail] = world["mail"]()[world["before"]:]
    assert mail.to == "boss.a@example.org" and "location(s)" not in mail.body
    assert mail.subject == "A Care Tracker access request is waiting for you: New Person"
    assert "locations of Bench Provider 0:" in mail.body
    named = [line[4:] for line in mail.body.splitlines() if line.startswith("  - ")]
    assert len(named) == 2 and all(name and not name.startswith("1-") for name in named), mail.body
    assert wiring.users().email_taken("new.person@example.org")
    for taken, waiting in (("NEW.PERSON@example.org", True), ("boss.a@example.org", False)):
        with pytest.raises(Conflict) as refused:
            service.request(new(email=taken))
        message = refused.value.message
        assert refused.value.code == "username_taken" and refused.value.details == {"waiting_for_approval": waiting}
        assert "/" not in message  # words for a person, not API paths
        if waiting:  # no password exists yet: do not send them to reset one
            assert "waiting for approval" in message and "password" not in message
        else:
            assert "already has a Care Tracker account" in message and "Forgot your password?" in message
    # each approver sees only their organisation's queue
    assert [r["registration_id"] for r in service.pending_for(world["a"])] == [stored["registration_id"]]
    assert service.pending_for(world["c"]) == []
    with pytest.raises(Forbidden):
        service.pending_for(world["c"], ORG_A)


def test_a_request_where_the_organisation_has_no_approver_goes_to_the_support_team(world):
    service = wiring.registration_service()
    stored = service.request(new(locations=(B1,)))
    assert stored["decider"] == "support#pending"
    assert world["mail"]()[-1].to == "support@care-tracker.example.org"
    assert [r["registration_id"] for r in service.pending_for(SUPPORT)] == [stored["registration_id"]]
    assert service.pending_for(SUPPORT, ORG_A) == []


@pytest.mark.parametrize("request_, code", [
    (dict(terms=False), "terms_not_accepted"),
    (dict(locations=(A1, B1)), "several_organisations"),
    (dict(locations=("1-3000000005",)), "unknown_location"),  # dormant: not offered
    (dict(locations=("1-999",)), "unknown_location"),
    (dict(locations=(), org="1-999"), "unknown_organisation"),
    (dict(locations=(), org=None), "choose_locations"),
    (dict(locations=(A1,), org=ORG_A), "choose_locations"),
])
def test_bad_requests_are_refused_and_claim_nothing(world, request_, code):
    with pytest.raises(BadRequest) as refused:
        wiring.registration_service().request(new(**request_))
    assert refused.value.code == code
    assert not wiring.users().email_taken("new.person@example.org")
    assert len(world["mail"]()) == world["before"]


def test_approval_creates_the_account_with_the_requested_locations_and_mails_a_temporary_password(world):
    service = wiring.registration_service()
    stored = service.request(new(locations=(A2,)))
    approved = service.approve(world["a"], stored["registration_id"])
    assert approved["status"] == "approved"
    mail = world["mail"]()[-1]
    assert mail.to == "new.person@example.org" and "Temporary password" in mail.body
    temporary = re.search(r"Temporary password: (\S+)", mail.body).group(1)
    challenge = wiring.auth_service().login("new.person@example.org", temporary)
    assert isinstance(challenge, Challenge)
    tokens = wiring.auth_service().new_password("new.person@example.org", challenge.session, "violet orbit canal mitten")
    me = wiring.auth_service().authenticate(f"Bearer {tokens.id_token}")
    assert me.org_id == ORG_A and me.location_ids == (A2,) and me.roles == {"provider_user"}
    from care_tracker.adapters.user_store import UsernameItem

    assert UsernameItem.get("new.person@example.org").owner == f"user#{me.user_id}"
    # decided once
    with pytest.raises(Conflict) as twice:
        service.approve(world["a"], stored["registration_id"])
    assert twice.value.code == "already_decided"
    with pytest.raises(Conflict):
        service.reject(SUPPORT, stored["registration_id"], "changed my mind")
    assert service.pending_for(world["a"]) == []


def test_all_locations_of_an_organisation(world):
    service = wiring.registration_service()
    stored = service.request(new(locations=(), org=ORG_A))
    service.approve(SUPPORT, stored["registration_id"])
    user = [u for u in wiring.users().of_organisation(ORG_A) if u.email == "new.person@example.org"][0]
    assert sorted(user.location_ids) == [A1, A2, A3, "1-3000000005"]  # the dormant one too: it is still registered


def test_another_organisations_approver_gets_403_whether_or_not_the_request_exists(world):
    service = wiring.registration_service()
    stored = service.request(new())
    answers = []
    for registration_id in (stored["registration_id"], "no-such-request"):
        for decide in (lambda i: service.approve(world["c"], i), lambda i: service.reject(world["c"], i, "no thanks")):
            with pytest.raises(Forbidden) as refused:
                decide(registration_id)
            answers.append((refused.value.code, refused.value.message))
    assert len(set(answers)) == 1
    plain_user = Caller(user_id="x", email="x@example.org", full_name="X", roles=frozenset({"provider_user"}), org_id=ORG_A)
    with pytest.raises(Forbidden):
        service.approve(plain_user, stored["registration_id"])
    with pytest.raises(NotFound):
        service.approve(SUPPORT, "no-such-request")
    assert wiring.registration_service().pending_for(world["a"])[0]["status"] == "pending"


def test_rejection_mails_the_reason_and_frees_the_email(world):
    service = wiring.registration_service()
    stored = service.request(new())
    rejected = service.reject(world["a"], stored["registration_id"], "You do not work at this location.")
    assert rejected["status"] == "rejected"
    mail = world["mail"]()[-1]
    assert mail.to == "new.person@example.org" and "You do not work at this location." in mail.body
    assert not wiring.users().email_taken("new.person@example.org")
    again = service.request(new())
    assert again["status"] == "pending"


def test_approval_is_all_or_nothing(world, monkeypatch):
    """If the transaction fails (here: the claim was taken away meanwhile), no login is left behind."""
    from care_tracker.adapters.user_store import UsernameItem

    service = wiring.registration_service()
    stored = service.request(new())
    UsernameItem("new.person@example.org", owner="user#someone-else").save()
    with pytest.raises(Conflict):
        service.approve(world["a"], stored["registration_id"])
    import boto3

    users = boto3.client("cognito-idp", region_name="eu-west-2").list_users(UserPoolId=world_pool())["Users"]
    emails = {a["Value"] for u in users for a in u.get("Attributes", []) if a["Name"] == "email"}
    assert "boss.a@example.org" in emails and "new.person@example.org" not in emails
    assert wiring.registration_service().pending_for(world["a"])[0]["status"] == "pending"


def world_pool() -> str:
    import os

    return os.environ["USER_POOL_ID"]
