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
    accounts.create_account(email=DEMO_ADMIN, full_name="Demo Support", roles=[Role.ADMIN.value])
    # An enforcement officer (issue 5); its temporary password is in its welcome mail (GET /_local/outbox).
    accounts.create_account(email=DEMO_OFFICER, full_name="Demo Enforcement Officer", roles=[Role.ENFORCEMENT_OFFICER.value])
    # A commissioner (issue 16) for the demo approver's local authority; temporary password in its welcome mail.
    accounts.create_account(email=DEMO_COMMISSIONER, full_name="Demo Commissioner", roles=[Role.COMMISSIONER.value],
                            local_authorities=sorted({loc["local_authority"] for loc in locations.values()
                                                      if loc["org_id"] == org_id and loc.get("local_authority")}))
    return {DEMO_APPROVER: _temporary_password(DEMO_APPROVER), DEMO_ADMIN: _temporary_password(DEMO_ADMIN)}


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
