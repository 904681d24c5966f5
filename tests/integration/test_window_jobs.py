"""The window jobs on in-process moto: who is mailed, nothing twice (repeat, crash half way, two runs at
once), reminders name what is missing, closing is recorded once and calls the compliance hook."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from care_tracker import wiring
from care_tracker.ports import UserRecord
from care_tracker.services.auth import Caller
from care_tracker.services.returns import ReturnsService
from care_tracker.services.window_jobs import WindowJobs

LONDON = ZoneInfo("Europe/London")
OPEN_DAY = datetime(2026, 12, 8, 7, 0, tzinfo=LONDON)
LATE_OPEN = datetime(2026, 12, 10, 15, 0, tzinfo=LONDON)
REMIND_DAY = datetime(2026, 12, 11, 9, 0, tzinfo=LONDON)  # last day Mon 14 -> Fri 11
AFTER = datetime(2026, 12, 15, 0, 30, tzinfo=LONDON)


class Clock:
    def __init__(self, at):
        self.at = at

    def now(self):
        return self.at.astimezone(timezone.utc)


class Crash(BaseException):
    """Stands for the process dying (a timeout): not an error the job handles."""


class FlakyMailer:
    def __init__(self, real, crash_on: int | None = None, refuse: set[str] = frozenset()):
        self.real, self.crash_on, self.refuse, self.calls = real, crash_on, refuse, 0

    def send(self, mail):
        self.calls += 1
        if self.crash_on is not None and self.calls == self.crash_on:
            raise Crash()
        if mail.to in self.refuse:
            raise RuntimeError("SES refused the address")
        self.real.send(mail)


def user(uid, locations=(), roles=("provider_user",), org="1-100", active=True):
    return UserRecord(user_id=uid, email=f"{uid}@example.org", full_name=f"Name {uid}", roles=list(roles), org_id=org,
                      location_ids=list(locations), active=active)


@pytest.fixture
def world(aws):
    wiring.location_directory().write(
        [{"org_id": "1-100", "name": "Org"}, {"org_id": "1-200", "name": "Other"}],
        [{"location_id": "1-10", "org_id": "1-100", "name": "Oak House", "postcode": "LS1 1AA", "care_types": ["care_home"],
          "status": "active"},
         {"location_id": "1-11", "org_id": "1-100", "name": "Oak Home Care", "postcode": "LS1 1AA",
          "care_types": ["home_care", "supported_living"], "status": "active"},
         {"location_id": "1-12", "org_id": "1-200", "name": "Elm (dormant)", "postcode": "LS1 1AA",
          "care_types": ["home_care"], "status": "dormant"},
         {"location_id": "1-13", "org_id": "1-200", "name": "Ash (new)", "postcode": "LS1 1AA",
          "care_types": ["home_care"], "status": "active", "registered_on": "2026-12-09"}])
    users = wiring.users()
    for record in (user("u-care", ["1-10"]), user("u-home", ["1-11"]), user("u-both", ["1-10", "1-11"]),
                   user("u-appr", [], roles=("approver", "provider_user")),
                   user("u-gone", ["1-10"], active=False), user("u-dormant", ["1-12", "1-13"], org="1-200"),
                   user("u-support", [], roles=("admin",), org=None)):
        users.create(record)
    return aws


def DynamoWindowStore():  # noqa: N802 - imported late: models read table names from the environment
    from care_tracker.adapters.window_store import DynamoWindowStore as Store

    return Store()


def jobs(clock_at=OPEN_DAY, mailer=None, **kwargs) -> WindowJobs:
    from care_tracker.adapters.window_store import DynamoJobDirectory

    return WindowJobs(DynamoJobDirectory(), DynamoWindowStore(), wiring.return_store(), mailer or wiring.mailer(),
                      Clock(clock_at), "https://login.example", **kwargs)


EXPECTED_OPEN = {"u-care@example.org", "u-home@example.org", "u-both@example.org", "u-appr@example.org"}


def test_open_window_mails_each_user_of_owing_locations_once(world, sent_mail):
    assert jobs().open_window(datetime(2026, 12, 7, 23, 0, tzinfo=LONDON))["window"] is None  # not open yet
    first = jobs().open_window(LATE_OPEN)  # a late run still announces the window
    assert first["window"] == "2026-12" and first["sent"] == 4
    mails = sent_mail()
    assert {m.to for m in mails} == EXPECTED_OPEN and len(mails) == 4
    both = next(m for m in mails if m.to == "u-both@example.org")
    assert "Oak House" in both.body and "Oak Home Care" in both.body and "December 2026" in both.subject
    appr = next(m for m in mails if m.to == "u-appr@example.org")
    assert "Oak House" in appr.body and "Oak Home Care" in appr.body and "Elm" not in appr.body
    again = jobs().open_window(OPEN_DAY)
    assert again["already_done"] is True and len(sent_mail()) == 4


def test_a_crash_half_way_is_finished_by_the_next_run_without_repeats(world, sent_mail):
    crashing = FlakyMailer(wiring.mailer(), crash_on=4)
    with pytest.raises(Crash):
        jobs(mailer=crashing, chunk=1).open_window(OPEN_DAY)
    assert len(sent_mail()) == 3
    rerun = jobs(chunk=1).open_window(OPEN_DAY)
    assert (rerun["sent"], rerun["skipped_already_sent"]) == (1, 3)
    assert sorted(m.to for m in sent_mail()) == sorted(EXPECTED_OPEN)


def test_a_failed_address_is_retried_alone(world, sent_mail):
    refused = jobs(mailer=FlakyMailer(wiring.mailer(), refuse={"u-home@example.org"})).open_window(OPEN_DAY)
    assert (refused["sent"], refused["failed"]) == (3, 1)
    retry = jobs().open_window(OPEN_DAY)
    assert retry["sent"] == 1 and sorted(m.to for m in sent_mail()) == sorted(EXPECTED_OPEN)
    assert jobs().open_window(OPEN_DAY)["already_done"] is True


def test_two_runs_at_once_do_not_both_send(world, sent_mail):
    store = DynamoWindowStore()
    now = OPEN_DAY.astimezone(timezone.utc)
    assert store.take_lease("open_window", "2026-12", "other-run", now, now.replace(hour=23))
    assert jobs().open_window(OPEN_DAY) == {"job": "open_window", "window": "2026-12", "sent": 0, "already_running": True}
    assert sent_mail() == []
    later = datetime(2026, 12, 9, 7, tzinfo=LONDON)  # the other run died; its lease has expired
    assert jobs(clock_at=later).open_window(later)["sent"] == 4


def test_remind_names_what_is_missing(world, sent_mail):
    saver = ReturnsService(wiring.return_store(), Clock(datetime(2026, 12, 9, 10, tzinfo=LONDON)))
    me = Caller(user_id="u-both", email="u-both@example.org", full_name="Both", roles=frozenset({"provider_user"}),
                org_id="1-100", location_ids=("1-10", "1-11"))
    saver.save(me, "1-10", "2026-12", "care_home", {"nil_return": True})
    saver.save(me, "1-11", "2026-12", "home_care", {"nil_return": True})
    assert jobs().remind(datetime(2026, 12, 10, 18, tzinfo=LONDON))["window"] is None  # not the remind day yet
    result = jobs().remind(REMIND_DAY)
    assert result["remind_day"] == "2026-12-11" and result["sent"] == 3
    mails = {m.to: m for m in sent_mail()}
    assert set(mails) == {"u-home@example.org", "u-both@example.org", "u-appr@example.org"}  # not u-care: done
    assert "Oak Home Care: supported living" in mails["u-home@example.org"].body
    assert "Oak House" not in mails["u-both@example.org"].body and "home care" not in mails["u-home@example.org"].body.split("made yet:")[1].split("Log in")[0].replace("Oak Home Care", "")
    assert jobs().remind(REMIND_DAY)["already_done"] is True and len(sent_mail()) == 3
    assert jobs().remind(AFTER)["window"] is None  # closed: no reminder


def test_close_window_records_once_and_calls_the_compliance_hook(world, sent_mail):
    seen = []

    def hook(window, at):
        seen.append(window.period)
        return {"counted": True}

    first = jobs(compliance=hook).close_window(AFTER)
    second = jobs(compliance=hook).close_window(datetime(2026, 12, 20, tzinfo=LONDON))
    assert (first["window"], first["newly_closed"], second["newly_closed"]) == ("2026-12", True, False)
    assert seen == ["2026-12"] and first["compliance"] == {"counted": True}  # counted once
    assert second["compliance"] == {"already_counted": True}
    assert DynamoWindowStore().closed_at("2026-12") == AFTER.astimezone(timezone.utc)
    assert jobs().close_window(datetime(2026, 12, 14, 23, tzinfo=LONDON))["window"] == "2026-11"
    assert sent_mail() == []  # closing itself mails nobody


def test_a_failed_compliance_count_is_retried_by_the_next_close_run(world, sent_mail):
    calls = []

    def failing(window, at):
        calls.append(window.period)
        if len(calls) == 1:
            raise RuntimeError("counting crashed")
        return {"counted": True}

    with pytest.raises(RuntimeError):
        jobs(compliance=failing).close_window(AFTER)
    retried = jobs(compliance=failing).close_window(AFTER)
    assert (retried["newly_closed"], retried["compliance"]) == (False, {"counted": True})
    assert jobs(compliance=failing).close_window(AFTER)["compliance"] == {"already_counted": True}
    assert calls == ["2026-12", "2026-12"]
    assert sent_mail() == []
