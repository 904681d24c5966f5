"""Employers and their PAs (RULES 2.1, 2.2, 2.5), as pure functions: guidance, what an archive
keeps and deletes, retention, and the states an employment moves through.

An employment is one employer's record of one PA. Its status:
- "active": the PA works for the employer and reaches that employer's data;
- "archived": the PA left (leaving date); only the minimised record and the work history remain,
  until the retention date, then they are deleted;
- "details_missing": reactivated with a new start date; the PA reaches the employer's data again
  but must re-enter the personal details the archive deleted before anything else.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

ACTIVE, ARCHIVED, DETAILS_MISSING = "active", "archived", "details_missing"
STATUSES = (ACTIVE, DETAILS_MISSING, ARCHIVED)

# RULES 2.1: the seed suggests at least 10 hours of care a week and 2 or more PAs; below that the
# service still works and says so (guidance, never refusal).
SUGGESTED_HOURS = Decimal(10)
SUGGESTED_PAS = 2
RETENTION_YEARS = 7

RELATIONSHIPS = ("none", "family_member", "friend")  # the PA's relationship to the person cared for
MANAGER_RELATIONSHIPS = ("friend", "family_member", "social_worker", "health_professional")
FUNDING_TYPES = ("direct_payment", "personal_budget", "compensation_or_trust", "personal_health_budget",
                 "continuing_care")

# RULES 2.5: the employer's record of an archived PA keeps only these personal fields ...
ARCHIVE_KEEPS = ("pa_name", "email", "ni_number")
# ... and the work history (start and leaving dates, hours, opt-out dates; shifts, timesheets and
# holiday live in later issues' tables). Every other personal field is removed from the item.
WORK_HISTORY = ("start_date", "leaving_date", "contracted_hours", "periods", "opt_out_start", "opt_out_cancelled")
ARCHIVE_DELETES = ("phone", "address", "date_of_birth", "emergency_contact_name", "emergency_contact_phone",
                   "emergency_contact_relationship", "dbs_certificate_number", "dbs_issue_date", "dbs_level",
                   "right_to_work_checked", "relationship", "provider_agreed")
# What the PA fills in again after a reactivation (the rest is the employer's to record again).
DETAILS_REQUIRED_AFTER_REACTIVATION = ("phone", "address", "date_of_birth")


def needs_provider_agreement(relationship: str) -> bool:
    """A family-member or friend PA needs the care package provider's agreement (RULES 2.2)."""
    return relationship in ("family_member", "friend")


def guidance(funded_hours_per_week: Decimal | None, current_pas: int) -> list[str]:
    """Plain-words notes for an employer below the seed's suggestions; never a refusal."""
    notes = []
    if funded_hours_per_week is not None and funded_hours_per_week < SUGGESTED_HOURS:
        notes.append(f"You have {funded_hours_per_week:g} funded hours of care a week. Care Tracker works for any number "
                     "of hours; it is most useful from about 10 hours a week, when rotas and holiday add up.")
    if current_pas < SUGGESTED_PAS:
        notes.append(f"You have {current_pas} PA{'' if current_pas == 1 else 's'}. That is fine; many employers find "
                     "it safer to have at least 2, so someone can cover holidays and sickness.")
    return notes


def retention_date(leaving_date: date) -> date:
    """The day the minimised record and the work history are deleted: 7 years after the leaving date.
    From 29 February it is 1 March (never earlier than 7 full years)."""
    try:
        return leaving_date.replace(year=leaving_date.year + RETENTION_YEARS)
    except ValueError:  # 29 February in a year that has none
        return date(leaving_date.year + RETENTION_YEARS, 3, 1)


def purge_at(leaving_date: date) -> int:
    """When the purge job deletes the record (epoch seconds): the start of the retention date in
    Europe/London."""
    return int(datetime.combine(retention_date(leaving_date), time(0), tzinfo=LONDON).timestamp())


# DynamoDB's TTL is the backstop, a fortnight later: the daily job deletes first, and with the record
# runs the purge hooks that delete later issues' work history (a TTL deletion would run no hook).
TTL_GRACE = timedelta(days=14)


def expires_at(leaving_date: date) -> int:
    """The TTL (epoch seconds): a fortnight after purge_at."""
    return purge_at(leaving_date) + int(TTL_GRACE.total_seconds())


def is_expired(expiry_epoch: int, at: datetime) -> bool:
    return expiry_epoch <= int(at.timestamp())


def london_date(at: datetime) -> date:
    return at.astimezone(LONDON).date()


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def archive_problem(status: str, start_date: date, leaving_date: date, today: date) -> Refusal | None:
    if status == ARCHIVED:
        return Refusal("already_archived", "This PA is already archived.")
    if leaving_date < start_date:
        return Refusal("leaving_before_start", f"The leaving date is before their start date ({start_date.isoformat()}).")
    if leaving_date > today:
        return Refusal("leaving_date_in_future",
                       "Archive a PA on or after their last day: archiving takes their access away at once.")
    return None


def reactivate_problem(status: str, leaving_date: date | None, new_start: date, today: date) -> Refusal | None:
    if status != ARCHIVED:
        return Refusal("not_archived", "Only an archived PA can be reactivated.")
    if leaving_date is not None and new_start <= leaving_date:
        return Refusal("start_before_leaving",
                       f"The new start date must be after their leaving date ({leaving_date.isoformat()}).")
    if new_start > today + timedelta(days=366):
        return Refusal("start_too_far", "The new start date is more than a year away: reactivate them nearer the time.")
    return None


def date_of_birth_problem(date_of_birth: date, start_date: date | None, today: date) -> str | None:
    if date_of_birth >= today:
        return "the date of birth must be in the past"
    if start_date is not None and date_of_birth >= start_date:
        return "the date of birth must be before the start date"
    if date_of_birth < date(today.year - 110, 1, 1):
        return "check the year of the date of birth"
    return None


def status_after_details(status: str) -> str:
    """A reactivated PA who has filled in their details is active again."""
    return ACTIVE if status == DETAILS_MISSING else status


def has_access(status: str | None) -> bool:
    """Contract B: a PA reaches an employer's data while an employment exists that is not archived."""
    return status is not None and status != ARCHIVED


# ---------- the PA lists' order (the by_list index's sort key) ----------
CURRENT_LIST, ARCHIVED_LIST = "current#", "archived#"


def sort_name(name: str) -> str:
    """Names sort case- and accent-insensitively ("Émile" beside "Emile"), whitespace collapsed."""
    folded = unicodedata.normalize("NFKD", " ".join(name.split())).casefold()
    return "".join(c for c in folded if not unicodedata.combining(c))


def list_key(status: str, name: str, pa_id: str) -> str:
    """Current PAs (active, details missing) and archived ones in two runs of one index, each by name."""
    return f"{ARCHIVED_LIST if status == ARCHIVED else CURRENT_LIST}{sort_name(name)}#{pa_id}"


# ---------- what an archive or a reactivation leaves for the follow_up_archives job ----------
# The transaction leaves a mark on the employment: which change it was (with the record's new version,
# so a mark read by the job and a mark written meanwhile never compare equal) and, for an archive, the
# leaving date. The job does what the mark says, then clears it only if it is still the one it read.
def work_mark(version: int, leaving_date: date | None) -> str:
    """The mark of the archive (leaving_date) or reactivation (None) that made `version` of the record."""
    return f"{version:010d}#" + (f"archived#{leaving_date.isoformat()}" if leaving_date else "reactivated")


def marked_leaving_date(mark: str) -> date | None:
    """The leaving date an archive's mark carries; None for a reactivation's."""
    _version, what, *rest = mark.split("#")
    if what == "archived":
        return date.fromisoformat(rest[0])
    if what == "reactivated":
        return None
    raise ValueError(f"not a work mark: {mark!r}")


# ---------- by_expiry's sort key: the purge date, and whether that purge checks the PA's login ----------
def expiry_key(purge_epoch: int, checks_login: bool) -> str:
    """Zero-padded so strings sort as the numbers do; "#L" when the record's purge checks the login."""
    return f"{purge_epoch:011d}#{'L' if checks_login else 'E'}"


def expiry_key_before(at_epoch: int) -> str:
    """Every expiry_key whose purge is due by `at_epoch` sorts before this."""
    return f"{at_epoch + 1:011d}"


def checks_login(key: str) -> bool:
    return key.endswith("#L")


def login_check_carrier(purges: dict[str, int], archiving: str) -> str:
    """Which of a PA's archived records carries the check of their disabled login: the one purged last
    (each one purged before it, or with it, has gone by then), so its purge deletes the login without
    reading what else remains. `purges` maps each record (its employer id) to its purge date; on a
    tie the record being archived carries it."""
    latest = max(purges.values())
    return archiving if purges[archiving] == latest else min(k for k, v in purges.items() if v == latest)
