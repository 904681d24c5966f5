"""Demo data for the local stack: the demo CQC file goes through the real import, then a demo
approver and a support-team admin are created like any account (temporary password, welcome mail)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

DEMO_FILE = Path(__file__).resolve().parents[1] / "demo" / "cqc_locations.csv"
DEMO_APPROVER = "approver@demo.care-tracker.example.org"
DEMO_ADMIN = "support@demo.care-tracker.example.org"
DEMO_OFFICER = "enforcement@demo.care-tracker.example.org"
DEMO_COMMISSIONER = "commissioner@demo.care-tracker.example.org"
# An employer of PAs (issue 11) with three PAs, the third archived; temporary passwords in their welcome mails.
DEMO_EMPLOYER = "employer@demo.care-tracker.example.org"
DEMO_PAS = ("pa.one@demo.care-tracker.example.org", "pa.two@demo.care-tracker.example.org",
            "pa.three@demo.care-tracker.example.org")


def load_demo_data(imports_bucket: str) -> dict[str, str]:
    """Returns the demo logins: email -> temporary password."""
    from care_tracker.roles import Role
    from care_tracker.wiring import account_service, location_directory, object_store
    from functions.jobs import import_cqc_locations

    object_store().put_text(imports_bucket, "cqc/demo_active_locations.csv", DEMO_FILE.read_text(encoding="utf-8"))
    import_cqc_locations(datetime.now(timezone.utc))

    directory = location_directory()
    organisations = directory.organisations()
    locations = directory.locations()
    # The demo approver runs the first organisation that has no approver from the file.
    org_id = sorted(o for o, org in organisations.items() if not org.get("first_approver_id"))[0]
    accounts = account_service()
    approver = accounts.create_account(
        email=DEMO_APPROVER, full_name="Demo Approver", roles=[Role.APPROVER.value, Role.PROVIDER_USER.value],
        org_id=org_id, location_ids=sorted(location_id for location_id, loc in locations.items() if loc["org_id"] == org_id))
    directory.set_first_approver(org_id, approver.user_id)
    support = accounts.create_account(email=DEMO_ADMIN, full_name="Demo Support", roles=[Role.ADMIN.value])
    # An enforcement officer (issue 5); its temporary password is in its welcome mail (GET /_local/outbox).
    accounts.create_account(email=DEMO_OFFICER, full_name="Demo Enforcement Officer", roles=[Role.ENFORCEMENT_OFFICER.value])
    # A commissioner (issue 16) for the demo approver's local authority; temporary password in its welcome mail.
    accounts.create_account(email=DEMO_COMMISSIONER, full_name="Demo Commissioner", roles=[Role.COMMISSIONER.value],
                            local_authorities=sorted({loc["local_authority"] for loc in locations.values()
                                                      if loc["org_id"] == org_id and loc.get("local_authority")}))
    employer_id, pa_ids = load_demo_employer()
    load_demo_feedback(approver.user_id, support.user_id, employer_id, pa_ids)
    return {DEMO_APPROVER: _temporary_password(DEMO_APPROVER), DEMO_ADMIN: _temporary_password(DEMO_ADMIN)}


def load_demo_employer() -> tuple[str, list[str]]:
    """One employer with three PAs (one a family member), the third archived, made through the
    service like any (sign-up, add, archive), so the records are shaped exactly as stored."""
    from datetime import date, timedelta
    from decimal import Decimal

    from care_tracker.rules.employment import london_date
    from care_tracker.services.auth import Caller
    from care_tracker.wiring import clock, employer_service

    service = employer_service()
    account = service.sign_up({"full_name": "Demo Employer", "email": DEMO_EMPLOYER, "care_recipient_name": "Demo Employer",
                               "managed_by": "self", "funding_type": "direct_payment", "care_package_confirmed": True})
    caller = Caller(user_id=account["employer_id"], email=DEMO_EMPLOYER, full_name="Demo Employer",
                    roles=frozenset({"employer"}))
    today = london_date(clock().now())
    people = [("Priya Patel", "none", Decimal("20"), "JG103759A"), ("Sam Demo", "family_member", None, "JG103759B"),
              ("Alex Former", "none", Decimal("12.5"), "JG103759C")]
    added = []
    for (name, relationship, hours, ni), email in zip(people, DEMO_PAS, strict=True):
        added.append(service.add_pa(caller, account["employer_id"], {
            "full_name": name, "email": email, "phone": "0113 496 0000", "address": "1 Demo Street, Leeds LS1 1AA",
            "date_of_birth": date(1985, 6, 15), "ni_number": ni, "start_date": date(2025, 4, 1), "contracted_hours": hours,
            "relationship": relationship, "provider_agreed": relationship != "none"}))
    service.archive(caller, account["employer_id"], added[2]["pa_id"], max(today - timedelta(days=7), date(2025, 4, 1)))
    # Issue 12: a two-weekly pay cycle, a weekly rota for the two current PAs, and their ended periods'
    # timesheets submitted and approved (Sam Demo works irregular hours: the ledger shows 12.07%).
    service.update_settings(caller, account["employer_id"], 1, {
        "funded_hours_per_week": Decimal(30), "pay_cycle": "two_weekly", "first_period_start": date(2025, 4, 7)})
    from infra.local.demo_work import load_work_demo

    load_work_demo(account["employer_id"], [added[0]["pa_id"], added[1]["pa_id"]], clock().now())
    # Priya has asked for two days' holiday three weeks from now: the employer has it to approve.
    from care_tracker.wiring import holiday_service

    priya = Caller(user_id=added[0]["pa_id"], email=DEMO_PAS[0], full_name="Priya Patel", roles=frozenset({"pa"}))
    first = today + timedelta(days=21)
    holiday_service().book(priya, account["employer_id"], added[0]["pa_id"], first, first + timedelta(days=1), Decimal(12),
                           "A family wedding")
    return account["employer_id"], [added[0]["pa_id"], added[1]["pa_id"]]


def load_demo_feedback(approver_id: str, support_id: str, employer_id: str, pa_ids: list[str]) -> None:
    """Issue 13 in the demo: suggestions from a provider and the demo employer with a few votes (one
    planned by the team), a question the team has answered and one it has not."""
    from care_tracker.services.auth import Caller
    from care_tracker.wiring import feedback_service

    service = feedback_service()
    provider = Caller(approver_id, DEMO_APPROVER, "Demo Approver", frozenset({"approver", "provider_user"}))
    employer = Caller(employer_id, DEMO_EMPLOYER, "Demo Employer", frozenset({"employer"}))
    priya, sam = (Caller(pa_id, email, name, frozenset({"pa"})) for pa_id, email, name in
                  zip(pa_ids, DEMO_PAS, ("Priya Patel", "Sam Demo"), strict=False))
    reminders = service.post_suggestion(employer, "Text me when a timesheet is waiting",
                                        "I do not always check my email. A text message would help me approve on time.")
    printing = service.post_suggestion(provider, "Print this month's returns",
                                       "Our manager signs a paper copy for the office file.")
    for voter in (priya, sam, provider):
        service.vote(voter, reminders["suggestion_id"])
    service.vote(employer, printing["suggestion_id"])
    service.set_status(reminders["suggestion_id"], "planned", "We are looking at text messages for the spring.")
    asked = service.send_feedback(employer, "question", "How do I add holiday that Priya took before she started here?",
                                  "/holiday")
    service.answer(Caller(support_id, DEMO_ADMIN, "Demo Support", frozenset({"admin"})), asked["feedback_id"],
                   "Use 'Holiday brought forward' on Priya's holiday page, with the hours her last employer told you.")
    service.send_feedback(priya, "something_wrong", "The rota shows my Saturday shift twice on my phone.", "/pa")


def staff_logins() -> dict[str, str]:
    """The demo enforcement officer's and commissioner's logins (email -> temporary password), for
    the start-up banner; the e2e tests read them from their welcome mails."""
    return {DEMO_OFFICER: _temporary_password(DEMO_OFFICER), DEMO_COMMISSIONER: _temporary_password(DEMO_COMMISSIONER)}


def _temporary_password(email: str) -> str:
    from care_tracker.adapters.local_outbox import sent_mail

    for mail in reversed(sent_mail()):
        if mail["to"] == email and "Temporary password:" in mail["body"]:
            return mail["body"].split("Temporary password:", 1)[1].split()[0]
    raise LookupError(f"no welcome mail for {email}")
