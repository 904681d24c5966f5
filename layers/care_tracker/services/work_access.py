"""Who may see and change one employment's rota, timesheets and holiday (contract B): the employer
(the caller is the employer account, `employer_id` is their user id) for any of their PAs, archived
ones included (the work history is kept 7 years); the PA for their own employment while it is not
archived, and once reactivated only after filling in their details again (RULES 2.5). Nobody else:
every check is one GetItem through EmploymentDirectory.employment (or, for the holiday ledger, part
of the one TransactGetItems that reads it: `party` then `checked`)."""
from __future__ import annotations

from datetime import date

from care_tracker.errors import BadRequest, Forbidden, NotFound
from care_tracker.ports import EmployerSettings, Employment, EmploymentDirectory
from care_tracker.roles import Role
from care_tracker.rules.employment import ARCHIVED, DETAILS_MISSING, DETAILS_REQUIRED_AFTER_REACTIVATION
from care_tracker.rules.employment import purge_at as purge_date
from care_tracker.rules.pay_periods import PayPeriod, PaySchedule, period_containing
from care_tracker.rules.timesheets import Actor
from care_tracker.rules.working_time import OptOut, WorkerProfile

NOT_YOURS = "You can see only your own PAs' records as an employer, or your own work as a PA."


BOTH = frozenset({Actor.EMPLOYER, Actor.PA})


def details_missing(employer_id: str, missing=DETAILS_REQUIRED_AFTER_REACTIVATION) -> BadRequest:
    """A reactivated PA's details form comes before anything else of that employment (one error, the
    same from the details form and from the rota, timesheet and holiday routes)."""
    return BadRequest("Fill in your details again before anything else: " + ", ".join(missing) + ".",
                      code="details_missing", details={"missing": list(missing), "employer_id": employer_id})


def access(directory: EmploymentDirectory, caller, employer_id: str, pa_id: str, *,
           allow: frozenset[Actor] = BOTH) -> tuple[Employment, Actor]:
    actor = party(caller, employer_id, pa_id, allow=allow)
    return checked(directory.employment(employer_id, pa_id), actor), actor


def party(caller, employer_id: str, pa_id: str, *, allow: frozenset[Actor] = BOTH) -> Actor:
    """Which side of the employment the caller is, from their token alone (no read)."""
    if caller.user_id == employer_id and caller.has(Role.EMPLOYER.value):
        actor = Actor.EMPLOYER
    elif caller.user_id == pa_id and caller.has(Role.PA.value):
        actor = Actor.PA
    else:
        raise Forbidden(NOT_YOURS, code="not_your_employment")
    if actor not in allow:
        raise Forbidden("Only the employer can do this." if Actor.EMPLOYER in allow else "Only the PA can do this.",
                        code="wrong_party")
    return actor


def checked(employment: Employment | None, actor: Actor) -> Employment:
    """The employment read for `party`'s caller; 404 when it is not theirs to see."""
    if employment is None or (actor is Actor.PA and employment.status == ARCHIVED):
        raise NotFound("There is no such employment among yours." if actor is Actor.EMPLOYER else
                       "You do not work for this employer (or no longer do).", code="unknown_employment")
    if actor is Actor.PA and employment.status == DETAILS_MISSING:
        raise details_missing(employment.employer_id)
    return employment


def worker_profile(employment: Employment, domestic_service: bool) -> WorkerProfile:
    """What the working-time checks know of a PA from their employment: date of birth (the young-worker
    limits), start (the 17-week averages) and any signed 48-hour opt-out."""
    opt_outs = ((OptOut(employment.opt_out_start, employment.opt_out_cancelled),) if employment.opt_out_start else ())
    return WorkerProfile(date_of_birth=employment.date_of_birth, employment_start=employment.start_date,
                         domestic_service=domestic_service, opt_outs=opt_outs)


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


def cycle_of(found: EmployerSettings) -> PaySchedule:
    """The employer's pay cycles over time (rules.pay_periods.PaySchedule): any earlier cycles, then
    the current one from its first period start."""
    return PaySchedule((*found.earlier_cycles, (found.pay_cycle, found.first_period_start)))


def pay_period(found: EmployerSettings, start: date) -> PayPeriod:
    """The pay period starting on `start`; 400 when the employer has no pay cycle or it starts elsewhere."""
    require_cycle(found)
    period = period_containing(cycle_of(found), None, start)
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
