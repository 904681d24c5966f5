"""Who may see and change one employment's rota, timesheets and holiday (contract B): the employer
(the caller is the employer account, `employer_id` is their user id) for any of their PAs, archived
ones included (the work history is kept 7 years); the PA for their own employment while it is not
archived, and once reactivated only after filling in their details again (RULES 2.5). Nobody else:
every check is one GetItem through EmploymentDirectory.employment."""
from __future__ import annotations

from datetime import date

from care_tracker.errors import BadRequest, Forbidden, NotFound
from care_tracker.ports import EmployerSettings, Employment, EmploymentDirectory
from care_tracker.roles import Role
from care_tracker.rules.employment import ARCHIVED, DETAILS_MISSING, DETAILS_REQUIRED_AFTER_REACTIVATION
from care_tracker.rules.employment import purge_at as purge_date
from care_tracker.rules.pay_periods import PayPeriod, period_containing
from care_tracker.rules.timesheets import Actor

NOT_YOURS = "You can see only your own PAs' records as an employer, or your own work as a PA."


def details_missing(employer_id: str, missing=DETAILS_REQUIRED_AFTER_REACTIVATION) -> BadRequest:
    """A reactivated PA's details form comes before anything else of that employment (one error, the
    same from the details form and from the rota, timesheet and holiday routes)."""
    return BadRequest("Fill in your details again before anything else: " + ", ".join(missing) + ".",
                      code="details_missing", details={"missing": list(missing), "employer_id": employer_id})


def access(directory: EmploymentDirectory, caller, employer_id: str, pa_id: str, *,
           allow: frozenset[Actor] = frozenset({Actor.EMPLOYER, Actor.PA})) -> tuple[Employment, Actor]:
    if caller.user_id == employer_id and caller.has(Role.EMPLOYER.value):
        actor = Actor.EMPLOYER
    elif caller.user_id == pa_id and caller.has(Role.PA.value):
        actor = Actor.PA
    else:
        raise Forbidden(NOT_YOURS, code="not_your_employment")
    if actor not in allow:
        raise Forbidden("Only the employer can do this." if Actor.EMPLOYER in allow else "Only the PA can do this.",
                        code="wrong_party")
    employment = directory.employment(employer_id, pa_id)
    if employment is None or (actor is Actor.PA and employment.status == "archived"):
        raise NotFound("There is no such employment among yours." if actor is Actor.EMPLOYER else
                       "You do not work for this employer (or no longer do).", code="unknown_employment")
    if actor is Actor.PA and employment.status == DETAILS_MISSING:
        raise details_missing(employer_id)
    return employment, actor


def purge_mark(employment: Employment) -> int | None:
    """What an archived employment's new work items carry, so the purge job finds them by index with
    the rest (the employer may still approve or correct an archived PA's timesheets and holiday)."""
    if employment.status == ARCHIVED and employment.leaving_date is not None:
        return purge_date(employment.leaving_date)
    return None


def require_employer(caller) -> str:
    if not caller.has(Role.EMPLOYER.value):
        raise Forbidden("Only an employer has a rota of their PAs.", code="wrong_role")
    return caller.user_id


def require_pa(caller) -> str:
    if not caller.has(Role.PA.value):
        raise Forbidden("Only a PA has their own rota.", code="wrong_role")
    return caller.user_id


def settings_of(directory: EmploymentDirectory, employer_id: str) -> EmployerSettings:
    found = directory.employer_settings(employer_id)
    if found is None:
        raise NotFound("The employer's settings are not set up yet.", code="no_employer_settings")
    return found


def require_cycle(found: EmployerSettings) -> None:
    if not found.pay_cycle or not found.first_period_start:
        raise BadRequest("The employer has not set a pay cycle (and its first period start) yet: timesheets and the "
                         "holiday ledger follow it.", code="no_pay_cycle")


def pay_period(found: EmployerSettings, start: date) -> PayPeriod:
    """The pay period starting on `start`; 400 when the employer has no pay cycle or it starts elsewhere."""
    require_cycle(found)
    period = period_containing(found.pay_cycle, found.first_period_start, start)
    if period.start != start:
        raise BadRequest(f"No pay period starts on {start.isoformat()}: the one containing it starts on "
                         f"{period.start.isoformat()}.", code="not_a_period_start",
                         details={"period_start": period.start.isoformat()})
    return period


def check_range(first: date, last: date, max_days: int = 62) -> None:
    if last < first:
        raise BadRequest("The range ends before it starts.", code="bad_range")
    if (last - first).days + 1 > max_days:
        raise BadRequest(f"Ask for at most {max_days} days at a time (a month, or a week).", code="range_too_long")
