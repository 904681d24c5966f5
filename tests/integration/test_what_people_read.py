"""What people read (issue 9): emails name people, locations, months and real dates; no email asks
for a reply that goes nowhere; an enforcement case tells the approvers and shows names, not ids."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from bench.accounts import csv_text, header, location_values
from care_tracker import messages, wiring
from care_tracker.rules.reporting_window import window_for_period
from tests.support import sign_in

ORG_A = "1-4000000000"
A1, A2 = "1-3000000000", "1-3000000001"


def test_the_at_risk_email_gives_the_next_windows_real_dates_and_months_in_words():
    # November 2026's window runs to Monday the 16th (the 14th is a Saturday), not "the 8th to the 14th".
    mail = messages.compliance_at_risk("a@example.org", "Rose House", "2026-10", 2, window_for_period("2026-11"))
    assert "Sunday 8 November to the end of Monday 16 November 2026" in mail.body
    assert "8th to the 14th" not in mail.body
    assert "October 2026" in mail.subject and "2026-10" not in mail.subject + mail.body
    helped = messages.compliance_help("a@example.org", "Rose House", "2026-10", window_for_period("2026-11"))
    assert "October 2026" in helped.subject and "2026-10" not in helped.subject + helped.body
    assert "16 November 2026" in helped.body


def test_the_open_window_email_says_which_care_types_each_location_owes():
    mail = messages.window_open("a@example.org", "Sam", window_for_period("2026-12"),
                                [("Rose House", ["care_home"]), ("Rose Home Care", ["home_care", "supported_living"])],
                                "https://x.example/sign-in")
    assert "  - Rose House: care home\n" in mail.body and "  - Rose Home Care: home care, supported living" in mail.body


def test_every_mail_has_the_support_team_as_reply_to(aws):
    sent = []
    wiring.reset()
    mailer = wiring.mailer()
    mailer._client.meta.events.register("provide-client-params.ses.SendEmail", lambda params, **_: sent.append(dict(params)))
    mailer.send(messages.compliance_help("a@example.org", "Rose House", "2026-10", window_for_period("2026-11")))
    from care_tracker.config import settings

    assert sent[0]["ReplyToAddresses"] == [settings().support_email]
    assert sent[0]["Source"] == settings().mail_sender


@pytest.fixture
def organisation(aws, sent_mail):
    from care_tracker.services.cqc_import import import_cqc_locations

    rows = [location_values(n, provider=0) for n in range(2)]
    import_cqc_locations(csv_text(header(), rows).splitlines(keepends=True), wiring.location_directory(),
                         wiring.account_service(), file_date=date(2026, 10, 1), users=wiring.users())
    accounts = wiring.account_service()
    boss = accounts.create_account(email="boss@example.org", full_name="Bea Boss", roles=["approver", "provider_user"],
                                   org_id=ORG_A, location_ids=[A1, A2])
    officer = accounts.create_account(email="officer@example.org", full_name="Olu Officer", roles=["enforcement_officer"])
    return {"boss": boss, "officer": officer, "name": wiring.location_directory().organisation(ORG_A)["name"]}


def test_a_case_opening_and_each_notice_are_emailed_to_the_approvers_and_the_case_shows_names(organisation, sent_mail):
    service = wiring.enforcement_service()
    before = len(sent_mail())
    at = datetime(2026, 12, 20, 1, tzinfo=timezone.utc)
    assert service.open_or_extend(ORG_A, {A1: ["2026-10", "2026-11", "2026-12"]}, "2026-12", at) == "opened"
    assert service.open_or_extend(ORG_A, {A1: ["2026-10", "2026-11", "2026-12"]}, "2026-12", at) == "unchanged"
    [opened] = sent_mail()[before:]
    location_name = wiring.location_directory().get_locations([A1])[A1]["name"]
    assert opened.to == "boss@example.org" and organisation["name"] in opened.subject
    assert f"{location_name}: October 2026, November 2026, December 2026" in opened.body
    case_id = f"{ORG_A}.2026-12"
    stepped = service.take_step(case_id, "issue_notice", by=organisation["officer"].user_id, reason="Three months missed")
    notice = sent_mail()[-1]
    assert notice.to == "boss@example.org" and "notice of intent" in notice.subject
    assert "Three months missed" in notice.body and re.search(r"representations until \w+day \d+ \w+ 20\d\d", notice.body)
    assert len(sent_mail()) == before + 2
    service.take_step(case_id, "record_representations", by=organisation["officer"].user_id, reason="They wrote")
    assert len(sent_mail()) == before + 2  # not a notice: no mail
    case = service.get(case_id)
    assert case["organisation_name"] == organisation["name"] == stepped["organisation_name"]
    assert [s["by_name"] for s in case["log"]] == ["Care Tracker (automatic)", "Olu Officer", "Olu Officer"]
    assert service.list()[0]["organisation_name"] == organisation["name"]
    from care_tracker.services.compliance_reports import CASE_COLUMNS, case_rows

    [row] = case_rows(service.list())  # the CSV of cases carries the name beside the id
    assert CASE_COLUMNS[:3] == ("case_id", "organisation_id", "organisation_name")
    assert (row["organisation_id"], row["organisation_name"]) == (ORG_A, organisation["name"])


def test_me_and_the_registration_queue_show_names_beside_ids(organisation, sent_mail):
    import json

    from chalice.test import Client

    from app import app
    from care_tracker.services.auth import Caller
    from care_tracker.services.registrations import NewRequest

    temporary = re.search(r"Temporary password: (\S+)", [m for m in sent_mail() if m.to == "boss@example.org"][-1].body).group(1)
    auth = wiring.auth_service()
    token = sign_in(auth, "boss@example.org", temporary, "copper meadow lantern ripple").id_token
    names = {lid: loc["name"] for lid, loc in wiring.location_directory().get_locations([A1, A2]).items()}
    with Client(app) as client:
        me = json.loads(client.http.get("/me", headers={"Authorization": f"Bearer {token}"}).body)
    assert me["organisation_id"] == ORG_A and me["organisation_name"] == organisation["name"]
    assert me["locations"] == [{"location_id": A1, "name": names[A1]}, {"location_id": A2, "name": names[A2]}]

    service = wiring.registration_service()
    service.request(NewRequest(full_name="New Person", email="new@example.org", phone="0113 496 0000", job_title="Carer",
                               location_ids=(A2,), organisation_id=None, terms_accepted=True, comms_consent=False))
    boss = organisation["boss"]
    [waiting] = service.pending_for(Caller(user_id=boss.user_id, email=boss.email, full_name=boss.full_name,
                                           roles=frozenset(boss.roles), org_id=ORG_A, location_ids=(A1, A2)))
    assert waiting["locations"] == [{"location_id": A2, "name": names[A2]}]
    assert waiting["organisation_name"] == organisation["name"]


def test_a_locations_compliance_csv_carries_its_name_beside_its_id():
    from care_tracker.services.compliance_reports import MONTH_COLUMNS, month_rows

    report = {"location_id": "1-1", "name": "Rose House", "months": [
        {"location_id": "1-1", "period": "2026-11", "status": "missed", "consecutive_misses": 1, "misses_last_12": 1,
         "stage": "offer_help", "care_types": ["care_home"], "accepted_late": []}]}
    [row] = month_rows(report)
    assert MONTH_COLUMNS[:2] == ("location_id", "location_name") and row["location_name"] == "Rose House"
