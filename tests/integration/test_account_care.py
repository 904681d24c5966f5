"""Account care on moto (RULES 1.3)."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import boto3
import pytest

from bench.accounts import csv_text, header, location_values
from care_tracker import wiring
from care_tracker.errors import BadRequest, Conflict, Forbidden, NotFound
from care_tracker.services.auth import Caller

ORG_A, ORG_C = "1-4000000000", "1-4000000002"
A1, A2, A3 = "1-3000000000", "1-3000000001", "1-3000000002"
SUPPORT = Caller(user_id="support-1", email="s@example.org", full_name="Support", roles=frozenset({"admin"}))
PASSWORD = "violet orbit canal mitten"


def caller_of(u) -> Caller:
    return Caller(user_id=u.user_id, email=u.email, full_name=u.full_name, roles=frozenset(u.roles), org_id=u.org_id,
                  location_ids=tuple(u.location_ids))


@pytest.fixture
def org(aws, sent_mail):
    from care_tracker.services.cqc_import import import_cqc_locations

    rows = [location_values(n, provider=0) for n in range(3)] + [location_values(6, provider=2)]
    import_cqc_locations(csv_text(header(), rows).splitlines(keepends=True), wiring.location_directory(),
                         wiring.account_service(), file_date=date(2026, 10, 1), users=wiring.users())
    accounts = wiring.account_service()
    boss = accounts.create_account(email="boss@example.org", full_name="Boss", roles=["approver", "provider_user"],
                                   org_id=ORG_A, location_ids=[A1, A2, A3])
    staff = accounts.create_account(email="staff@example.org", full_name="Staff", roles=["provider_user"],
                                    org_id=ORG_A, location_ids=[A1, A2])
    other = accounts.create_account(email="other@example.org", full_name="Other", roles=["approver", "provider_user"],
                                    org_id=ORG_C, location_ids=["1-3000000006"])
    temporary = {m.to: re.search(r"Temporary password: (\S+)", m.body).group(1) for m in sent_mail()}
    return {"boss": boss, "staff": staff, "other": other, "temporary": temporary}


def test_deactivation_stops_login_and_every_session_at_once(org, aws):
    auth = wiring.auth_service()
    challenge = auth.login("staff@example.org", org["temporary"]["staff@example.org"])
    tokens = auth.new_password("staff@example.org", challenge.session, PASSWORD)
    assert auth.authenticate(f"Bearer {tokens.id_token}").user_id == org["staff"].user_id

    done = wiring.account_care_service().deactivate(caller_of(org["boss"]), org["staff"].user_id)
    assert done.active is False
    with pytest.raises(Forbidden) as refused:
        auth.authenticate(f"Bearer {tokens.id_token}")  # the unexpired ID token
    assert refused.value.code == "account_deactivated"
    with pytest.raises(Forbidden) as told:
        auth.login("staff@example.org", PASSWORD)
    assert told.value.code == "account_deactivated"
    idp = boto3.client("cognito-idp", region_name="eu-west-2")
    with pytest.raises(idp.exceptions.NotAuthorizedException):  # the refresh token is dead too
        idp.initiate_auth(ClientId=aws["USER_POOL_CLIENT_ID"], AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": tokens.refresh_token})
    # deactivating again is harmless
    assert wiring.account_care_service().deactivate(SUPPORT, org["staff"].user_id).active is False


def test_organisation_boundaries(org):
    care = wiring.account_care_service()
    other = caller_of(org["other"])
    answers = set()
    for act in (lambda i: care.deactivate(other, i), lambda i: care.promote(other, i)):
        for target in (org["staff"].user_id, "no-such-user"):
            with pytest.raises(Forbidden) as refused:
                act(target)
            answers.add((refused.value.code, refused.value.message))
    assert len(answers) == 1  # the same answer whether or not the account exists
    with pytest.raises(Forbidden):
        care.users_of(other, ORG_A)
    with pytest.raises(Forbidden):
        care.thinly_staffed(other, ORG_A)
    staff = caller_of(org["staff"])
    with pytest.raises(Forbidden):
        care.deactivate(staff, org["boss"].user_id)  # a provider user is not an approver
    with pytest.raises(BadRequest):
        care.deactivate(caller_of(org["boss"]), org["boss"].user_id)
    with pytest.raises(Forbidden):
        care.change_details(caller_of(org["boss"]), org["staff"].user_id, 1, {"full_name": "X"})
    with pytest.raises(NotFound):
        care.deactivate(SUPPORT, "no-such-user")
    assert wiring.users().get(org["staff"].user_id).active


def test_promote_and_support_changes_details_with_a_version(org):
    care = wiring.account_care_service()
    promoted = care.promote(caller_of(org["boss"]), org["staff"].user_id)
    assert set(promoted.roles) == {"approver", "provider_user"}
    current = wiring.users().get(org["staff"].user_id)
    changed = care.change_details(SUPPORT, current.user_id, current.version,
                                  {"full_name": "New Starter", "job_title": "Deputy manager", "location_ids": [A3]})
    assert (changed.full_name, changed.job_title, changed.location_ids) == ("New Starter", "Deputy manager", [A3])
    with pytest.raises(Conflict) as stale:
        care.change_details(SUPPORT, current.user_id, current.version, {"full_name": "Lost update"})
    assert stale.value.code == "stale_version"
    with pytest.raises(BadRequest):  # another organisation's location
        care.change_details(SUPPORT, current.user_id, changed.version, {"location_ids": ["1-3000000006"]})
    assert wiring.users().get(current.user_id).full_name == "New Starter"


def test_consent_is_the_users_own_to_change(org):
    care = wiring.account_care_service()
    assert care.set_consent(caller_of(org["staff"]), True).comms_consent is True
    assert wiring.users().get(org["staff"].user_id).comms_consent is True
    assert care.set_consent(caller_of(org["staff"]), False).comms_consent is False


def test_locations_with_fewer_than_two_active_users(org):
    care = wiring.account_care_service()
    thin, _ = care.thinly_staffed(caller_of(org["boss"]), None)
    assert [(loc["location_id"], loc["active_users"]) for loc in thin] == [(A3, 1)]  # A1, A2 have boss and staff
    care.deactivate(SUPPORT, org["staff"].user_id)
    thin, _ = care.thinly_staffed(SUPPORT, ORG_A)
    assert [(loc["location_id"], loc["active_users"]) for loc in thin] == [(A1, 1), (A2, 1), (A3, 1)]


def test_the_support_team_sees_the_national_list_made_nightly(org):
    from functions.jobs import JOBS

    care = wiring.account_care_service()
    assert care.thinly_staffed(SUPPORT, None) == ([], None)  # no list before the job has run
    result = JOBS["list_thinly_staffed"].run(datetime(2026, 1, 9, 5, 0, tzinfo=timezone.utc))
    thin, as_of = care.thinly_staffed(SUPPORT, None)
    assert as_of and result["locations_flagged"] == len(thin)
    organisation_view, _ = care.thinly_staffed(SUPPORT, ORG_A)
    assert [loc for loc in thin if loc["organisation_id"] == ORG_A] == organisation_view
    # an approver cannot read the national list: they get their own organisation's
    own, own_as_of = care.thinly_staffed(caller_of(org["boss"]), None)
    assert own_as_of is None and all(loc["organisation_id"] == ORG_A for loc in own)


def test_the_national_list_is_stamped_with_the_jobs_instant_and_not_rewritten_unchanged(org):
    import boto3

    from care_tracker.config import settings
    from care_tracker.services.account_care import NATIONAL_THIN_LIST
    from functions.jobs import JOBS

    care = wiring.account_care_service()
    at = datetime(2026, 1, 9, 6, 30, tzinfo=timezone.utc)
    first = JOBS["list_thinly_staffed"].run(at)
    assert first["written"] and first["as_of"] == at.isoformat() == care.thinly_staffed(SUPPORT, None)[1]
    for again in (at, datetime(2026, 1, 10, 6, 30, tzinfo=timezone.utc)):  # the same run twice; the next night
        assert JOBS["list_thinly_staffed"].run(again) == {**first, "written": False}
    s3 = boto3.client("s3", region_name="eu-west-2")
    versions = s3.list_object_versions(Bucket=settings().exports_bucket, Prefix=NATIONAL_THIN_LIST).get("Versions", [])
    assert len(versions) == 1
    wiring.account_service().create_account(email="new.staff@example.org", full_name="New Staff", roles=["provider_user"],
                                            org_id=ORG_A, location_ids=[A3])
    changed = JOBS["list_thinly_staffed"].run(datetime(2026, 1, 11, 6, 30, tzinfo=timezone.utc))
    assert changed["written"] and changed["as_of"] == "2026-01-11T06:30:00+00:00"


def test_support_team_sets_public_body_and_a_blank_file_keeps_it(org):
    from care_tracker.adapters.location_store import OrganisationItem
    from care_tracker.services.cqc_import import import_cqc_locations

    care = wiring.account_care_service()
    with pytest.raises(Forbidden):
        care.set_public_body(caller_of(org["boss"]), ORG_A, True)
    with pytest.raises(NotFound):
        care.set_public_body(SUPPORT, "1-999", True)
    care.set_public_body(SUPPORT, ORG_A, True)
    rows = [location_values(n, provider=0) for n in range(3)] + [location_values(6, provider=2)]
    report = import_cqc_locations(csv_text(header(), rows).splitlines(keepends=True), wiring.location_directory(),
                                  wiring.account_service(), file_date=date(2026, 10, 1), users=wiring.users())
    assert report.organisations_written == 0
    assert OrganisationItem.get(ORG_A).public_body is True
