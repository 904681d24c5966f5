"""Working-time checks over one PA's shifts (RULES 2.4; Working Time Regulations 1998).

Warnings, never refusals; each names its rule in plain words. The checks see exactly the shifts
the caller passes (the caller decides whether other employments' shifts are included).

- Daily rest (reg 10): a gap under 11 hours between two spells of work (12 for a young worker),
  and any spell of work longer than 13 hours (12), which leaves no such rest in its 24 hours.
  Shifts that touch or overlap form one spell.
- Weekly rest (reg 11): in each fortnight, Monday to Sunday (reg 11(6): weeks start at midnight
  between Sunday and Monday), two rests of 24 hours in a row or one of 48 hours (reg 11(2)); a young
  worker needs 48 hours in each week (reg 11(3)). Rest before the first and after the last shift
  known counts as rest; fortnights without a shift are not checked.
- Rest break (reg 12): a shift with more than 6 hours of work (breaks excluded) needs one
  uninterrupted break of at least 20 minutes; a young worker 30 minutes over 4.5 hours.
- Average week (reg 4): the average over a rolling 17 weeks (fewer at the start of the employment,
  reg 4(4)) above 48 hours, unless a 48-hour opt-out is in force at the end of the week. Holiday and
  sickness are not added back (reg 4(6)): the averages here are from the shifts alone, for the
  weeks up to the one the last shift ends in.
- Night work (regs 6-7): night time is 23:00-06:00 unless set otherwise (reg 2: at least 7 hours,
  including midnight to 05:00). A "night shift" has at least 3 hours of work in night time. A PA is
  a night worker in a 17-week window when at least a third of their shifts in it are night shifts
  (3 hours at night "as a normal course": R v AG for Northern Ireland ex p Burns [1999] IRLR 315
  held one week in three to be enough). For a night worker: an information notice (offer a free
  health assessment, reg 7) and a warning when the average exceeds 8 hours a day (reg 6(5): hours /
  (days - 1 rest day a week)).
- Young workers (under 18 on the day, reg 5A, from the date of birth; an 18th birthday on 29
  February counts as 1 March): 8 hours of work a day, 40 a week, plus the rest and break limits above.
- Domestic service in a private household (reg 19): the 48-hour average and night work checks are
  information only (severity "info"). RULES 2.4 keeps the young-worker checks as warnings.

Time is real time (UTC instants); days and weeks are London days (see shifts.py). Every pass is a
sort plus linear sweeps over shifts and weeks.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from zoneinfo import ZoneInfo

from care_tracker.rules.shifts import Shift, break_spans, describe_shift, long_date, shift_span

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc
REFERENCE_WEEKS = 17
DOMESTIC_NOTE = (" Domestic service in a private household is exempt from this limit (reg 19): "
                 "this is for information.")


class Severity(str, Enum):
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class OptOut:
    """A signed 48-hour opt-out: in force from `start`, until `cancelled` (exclusive) if given."""

    start: date
    cancelled: date | None = None

    def in_force_on(self, d: date) -> bool:
        return self.start <= d and (self.cancelled is None or d < self.cancelled)


@dataclass(frozen=True)
class WorkerProfile:
    date_of_birth: date | None = None
    opt_outs: tuple[OptOut, ...] = ()
    domestic_service: bool = False
    employment_start: date | None = None  # the start of the 17-week averages (else the first shift)
    night_start: time = time(23)
    night_end: time = time(6)

    adult_from: date = field(init=False, repr=False, compare=False)  # the 18th birthday (date.min: not known)

    def __post_init__(self) -> None:
        object.__setattr__(self, "adult_from", _eighteenth_birthday(self.date_of_birth))
        length = (datetime.combine(date.min, self.night_end) - datetime.combine(date.min, self.night_start)) % timedelta(days=1)
        includes = self.night_start > self.night_end and self.night_end >= time(5) or self.night_start == time(0) and self.night_end >= time(5)
        if length < timedelta(hours=7) or not includes:
            raise ValueError("Night time must be at least 7 hours long and include midnight to 05:00.")


class Rule(str, Enum):
    DAILY_REST = "daily_rest"
    WEEKLY_REST = "weekly_rest"
    REST_BREAK = "rest_break"
    AVERAGE_WEEK = "average_week"
    NIGHT_WORKER = "night_worker"
    NIGHT_HOURS = "night_hours"
    YOUNG_DAY = "young_worker_day"
    YOUNG_WEEK = "young_worker_week"


REGULATION = {Rule.DAILY_REST: "WTR 1998 reg 10", Rule.WEEKLY_REST: "WTR 1998 reg 11", Rule.REST_BREAK: "WTR 1998 reg 12",
              Rule.AVERAGE_WEEK: "WTR 1998 reg 4", Rule.NIGHT_WORKER: "WTR 1998 regs 6-7", Rule.NIGHT_HOURS: "WTR 1998 reg 6",
              Rule.YOUNG_DAY: "WTR 1998 reg 5A", Rule.YOUNG_WEEK: "WTR 1998 reg 5A"}


@dataclass(frozen=True)
class WorkingTimeWarning:
    rule: Rule
    severity: Severity
    message: str
    first_day: date
    last_day: date
    shift_ids: tuple[str, ...] = ()

    @property
    def regulation(self) -> str:
        return REGULATION[self.rule]


def is_young(date_of_birth: date | None, on: date) -> bool:
    """Under 18 on `on` (an 18th birthday on 29 February counts as 1 March)."""
    return on < _eighteenth_birthday(date_of_birth)


def _young(worker: WorkerProfile, on: date) -> bool:
    return on < worker.adult_from


def _eighteenth_birthday(date_of_birth: date | None) -> date:
    if date_of_birth is None:
        return date.min
    try:
        return date_of_birth.replace(year=date_of_birth.year + 18)
    except ValueError:  # born on 29 February
        return date(date_of_birth.year + 18, 3, 1)


# Instants are minutes since the epoch (floats): the sweeps do arithmetic on them, not on datetimes.
def _minutes_at(dt: datetime) -> float:
    return dt.timestamp() / 60


def _midnight(d: date) -> float:
    return _minutes_at(datetime.combine(d, time(0), tzinfo=LONDON))


def _london_day(minutes: float) -> date:
    return datetime.fromtimestamp(minutes * 60, UTC).astimezone(LONDON).date()


def _words(minutes: float) -> str:
    m = int(minutes)
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min" if m else f"{h} hours"


def _hours(minutes: float) -> str:
    return str((Decimal(int(minutes)) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    lo, hi = max(a0, b0), min(a1, b1)
    return hi - lo if hi > lo else 0.0


@dataclass
class _Work:
    shift: Shift
    start: float
    end: float
    breaks: list[tuple[float, float]]

    def minutes_within(self, lo: float, hi: float) -> float:
        if hi <= self.start or lo >= self.end:
            return 0.0
        inside = min(hi, self.end) - max(lo, self.start)
        for a, b in self.breaks:
            inside -= _overlap(a, b, lo, hi)
        return inside

    @property
    def minutes(self) -> float:
        return self.minutes_within(self.start, self.end)


def working_time_warnings(shifts: Sequence[Shift], worker: WorkerProfile) -> list[WorkingTimeWarning]:
    """Every working-time warning over these shifts of one PA, in date order."""
    work = []
    for s in shifts:
        a, b = shift_span(s)
        work.append(_Work(s, _minutes_at(a), _minutes_at(b), [(_minutes_at(x), _minutes_at(y)) for x, y in break_spans(s)]))
    if not work:
        return []
    work.sort(key=lambda w: (w.start, w.end))
    out: list[WorkingTimeWarning] = []
    out += _daily_rest(work, worker)
    out += _weekly_rest(work, worker)
    out += _rest_breaks(work, worker)
    out += _weekly_limits(work, worker)
    out.sort(key=lambda w: (w.first_day, w.rule.value, w.shift_ids))
    return out


# --- rest ----------------------------------------------------------------------------------------

def _spells(work: list[_Work]) -> list[tuple[float, float, list[_Work]]]:
    """Shifts that touch or overlap, merged into spells of work."""
    spells: list[tuple[float, float, list[_Work]]] = []
    for w in work:
        if spells and w.start <= spells[-1][1]:
            a, b, members = spells[-1]
            members.append(w)
            spells[-1] = (a, max(b, w.end), members)
        else:
            spells.append((w.start, w.end, [w]))
    return spells


def _daily_rest(work: list[_Work], worker: WorkerProfile) -> list[WorkingTimeWarning]:
    out = []
    spells = _spells(work)
    for (_, end, before), (start, _, after) in zip(spells, spells[1:], strict=False):
        young = _young(worker, after[0].shift.day)
        need = 12 if young else 11
        gap = start - end
        if gap < need * 60:
            last = max(before, key=lambda w: w.end).shift
            nxt = after[0].shift
            who = "a young worker (under 18) needs 12" if young else "at least 11 hours are needed"
            out.append(WorkingTimeWarning(
                Rule.DAILY_REST, Severity.WARNING,
                f"Daily rest: only {_words(gap)} between the end of {describe_shift(last)} and the start of "
                f"{describe_shift(nxt)}; {who} in a row in each 24 hours (Working Time Regulations, reg 10).",
                last.day, nxt.day, (last.shift_id, nxt.shift_id)))
    for start, end, members in spells:
        young = _young(worker, members[0].shift.day)
        longest = 12 if young else 13
        if end - start > longest * 60:
            need = 12 if young else 11
            out.append(WorkingTimeWarning(
                Rule.DAILY_REST, Severity.WARNING,
                f"Daily rest: {_words(end - start)} of work in a row from the start of "
                f"{describe_shift(members[0].shift)} leaves less than {need} hours' rest in 24 hours "
                "(Working Time Regulations, reg 10).",
                members[0].shift.day, members[-1].shift.day, tuple(w.shift.shift_id for w in members)))
    return out


def _weekly_rest(work: list[_Work], worker: WorkerProfile) -> list[WorkingTimeWarning]:
    spells = _spells(work)
    # rests between spells; before the first and after the last shift we know nothing: rest
    far_past, far_future = spells[0][0] - 30 * 1440, spells[-1][1] + 30 * 1440
    rests = [(far_past, spells[0][0])] + [(a[1], b[0]) for a, b in zip(spells, spells[1:], strict=False)] + \
        [(spells[-1][1], far_future)]
    first_monday = work[0].shift.day - timedelta(days=work[0].shift.day.weekday())
    last_day = _london_day(max(w.end for w in work))
    out = []
    r = 0  # rests are sorted and windows move forward: one pointer
    s = 0
    monday = first_monday
    while monday <= last_day:
        young = _young(worker, monday)
        days = 7 if young else 14
        lo, hi = _midnight(monday), _midnight(monday + timedelta(days=days))
        while r < len(rests) and rests[r][1] <= lo:
            r += 1
        while s < len(spells) and spells[s][1] <= lo:
            s += 1
        has_work = s < len(spells) and spells[s][0] < hi
        if has_work:
            long_rests, i = [], r
            while i < len(rests) and rests[i][0] < hi:
                long_rests.append(_overlap(rests[i][0], rests[i][1], lo, hi))
                i += 1
            if young:
                ok = any(x >= 48 * 60 for x in long_rests)
                rule_words = "a young worker (under 18) needs 48 hours off in a row each week"
            else:
                ok = any(x >= 48 * 60 for x in long_rests) or sum(1 for x in long_rests if x >= 24 * 60) >= 2
                rule_words = "24 hours off in a row each week, or 48 hours in the fortnight, are needed"
            if not ok:
                end_day = monday + timedelta(days=days - 1)
                ids, k = [], s
                while k < len(spells) and spells[k][0] < hi:
                    ids += [w.shift.shift_id for w in spells[k][2]]
                    k += 1
                out.append(WorkingTimeWarning(
                    Rule.WEEKLY_REST, Severity.WARNING,
                    f"Weekly rest: not enough time off from {long_date(monday)} to {long_date(end_day)}; "
                    f"{rule_words} (Working Time Regulations, reg 11).", monday, end_day, tuple(ids)))
        monday += timedelta(days=days)
    return out


def _rest_breaks(work: list[_Work], worker: WorkerProfile) -> list[WorkingTimeWarning]:
    out = []
    for w in work:
        young = _young(worker, w.shift.day)
        over, need = (270, 30) if young else (360, 20)
        minutes = w.minutes
        if minutes > over and not any(b - a >= need for a, b in w.breaks):
            who = "a young worker (under 18) needs a 30-minute break after 4.5 hours" if young else \
                "a break of at least 20 minutes is needed when working more than 6 hours"
            out.append(WorkingTimeWarning(
                Rule.REST_BREAK, Severity.WARNING,
                f"Rest break: {describe_shift(w.shift)} has {_words(minutes)} of work without a break long enough; "
                f"{who} (Working Time Regulations, reg 12).", w.shift.day, w.shift.day, (w.shift.shift_id,)))
    return out


# --- weekly hours, averages, night work and young workers ----------------------------------------

def _night_minutes(w: _Work, worker: WorkerProfile, cache: dict[date, tuple[float, float]]) -> float:
    total = 0.0
    for k in (-1, 0, 1):
        d = w.shift.day + timedelta(days=k)
        window = cache.get(d)
        if window is None:
            end_day = d + timedelta(days=1) if worker.night_end <= worker.night_start else d
            window = cache[d] = (_minutes_at(datetime.combine(d, worker.night_start, tzinfo=LONDON)),
                                 _minutes_at(datetime.combine(end_day, worker.night_end, tzinfo=LONDON)))
        total += w.minutes_within(*window)
    return total


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    runs, start = [], None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            runs.append((start, i - 1))
            start = None
    return runs


def _weekly_limits(work: list[_Work], worker: WorkerProfile) -> list[WorkingTimeWarning]:
    first_shift_monday = work[0].shift.day - timedelta(days=work[0].shift.day.weekday())
    origin = first_shift_monday
    if worker.employment_start is not None:
        origin = min(origin, worker.employment_start - timedelta(days=worker.employment_start.weekday()))
    last_day = _london_day(max(w.end for w in work))
    n_weeks = (last_day - origin).days // 7 + 1
    mondays = [origin + timedelta(weeks=i) for i in range(n_weeks + 1)]
    bounds = [_midnight(m) for m in mondays]
    minutes = [0.0] * n_weeks
    shifts_in = [0] * n_weeks
    nights_in = [0] * n_weeks
    week_ids: list[list[str]] = [[] for _ in range(n_weeks)]
    night_cache: dict[date, tuple[float, float]] = {}
    young_days: dict[date, float] = {}
    young_ids: dict[date, list[str]] = {}
    for w in work:
        i = (w.shift.day - origin).days // 7
        shifts_in[i] += 1
        week_ids[i].append(w.shift.shift_id)
        if _night_minutes(w, worker, night_cache) >= 180:
            nights_in[i] += 1
        for j in (i, i + 1):  # a shift is at most 25 hours: it touches two weeks at most
            if j < n_weeks:
                minutes[j] += w.minutes_within(bounds[j], bounds[j + 1])
        if _young(worker, w.shift.day) or _young(worker, w.shift.day + timedelta(days=1)):
            for k in (0, 1):
                d = w.shift.day + timedelta(days=k)
                inside = w.minutes_within(_midnight(d), _midnight(d + timedelta(days=1)))
                if _young(worker, d) and inside > 0:
                    young_days[d] = young_days.get(d, 0.0) + inside
                    young_ids.setdefault(d, []).append(w.shift.shift_id)
    out: list[WorkingTimeWarning] = []
    domestic = worker.domestic_service
    severity = Severity.INFO if domestic else Severity.WARNING
    tail = DOMESTIC_NOTE if domestic else ""

    # rolling sums over up to 17 weeks, from prefix sums: linear in weeks
    pm, ps, pn = [0.0], [0], [0]
    for i in range(n_weeks):
        pm.append(pm[-1] + minutes[i])
        ps.append(ps[-1] + shifts_in[i])
        pn.append(pn[-1] + nights_in[i])
    first_checked = (first_shift_monday - origin).days // 7
    averages, over48, night_worker, night_over = [], [], [], []
    for i in range(n_weeks):
        lo = max(0, i - REFERENCE_WEEKS + 1)
        weeks = i - lo + 1
        avg = (pm[i + 1] - pm[lo]) / weeks
        averages.append(avg)
        opted_out = any(o.in_force_on(mondays[i] + timedelta(days=6)) for o in worker.opt_outs)
        over48.append(i >= first_checked and avg > 48 * 60 and not opted_out)
        shifts_n, nights_n = ps[i + 1] - ps[lo], pn[i + 1] - pn[lo]
        is_night_worker = nights_n > 0 and 3 * nights_n >= shifts_n
        night_worker.append(is_night_worker)
        night_avg = (pm[i + 1] - pm[lo]) / (6 * weeks)  # per day, less one rest day a week (reg 6(5))
        night_over.append(is_night_worker and night_avg > 8 * 60)

    def weeks_words(a: int, b: int) -> str:
        if a == b:
            return f"in the week of {long_date(mondays[a])}"
        return f"from the week of {long_date(mondays[a])} to the week of {long_date(mondays[b])}"

    def span(a: int, b: int) -> tuple[date, date, tuple[str, ...]]:
        return mondays[a], mondays[b] + timedelta(days=6), tuple(x for k in range(a, b + 1) for x in week_ids[k])

    for a, b in _runs(over48):
        first, last, ids = span(a, b)
        high = max(averages[a:b + 1])
        out.append(WorkingTimeWarning(
            Rule.AVERAGE_WEEK, severity,
            f"Average working week: over 17 weeks it is above 48 hours {weeks_words(a, b)} (at most {_hours(high)} hours), and no 48-hour opt-out is recorded "
            f"(Working Time Regulations, reg 4).{tail}", first, last, ids))
    for a, b in _runs(night_worker):
        first, last, ids = span(a, b)
        out.append(WorkingTimeWarning(
            Rule.NIGHT_WORKER, Severity.INFO,
            f"Night work: {weeks_words(a, b)} this PA is a night worker"
            f" (3 hours or more between {worker.night_start:%H:%M} and {worker.night_end:%H:%M} in at least a third "
            "of their shifts). A night worker must be offered a free health assessment (Working Time Regulations, "
            f"regs 6-7).{tail}", first, last, ids))
    for a, b in _runs(night_over):
        first, last, ids = span(a, b)
        out.append(WorkingTimeWarning(
            Rule.NIGHT_HOURS, severity,
            f"Night work: {weeks_words(a, b)} this night worker averages more than 8 hours of work a day over 17 weeks (Working Time Regulations, reg 6).{tail}",
            first, last, ids))
    for i in range(n_weeks):
        if _young(worker, mondays[i]) and minutes[i] > 40 * 60:
            first, last, ids = span(i, i)
            out.append(WorkingTimeWarning(
                Rule.YOUNG_WEEK, Severity.WARNING,
                f"Young worker: {_hours(minutes[i])} hours of work in the week of {long_date(first)}; a worker under 18 "
                "may work at most 40 hours a week, with no opt-out (Working Time Regulations, reg 5A).", first, last, ids))
    for d in sorted(young_days):
        if young_days[d] > 8 * 60:
            ids = tuple(young_ids[d])
            out.append(WorkingTimeWarning(
                Rule.YOUNG_DAY, Severity.WARNING,
                f"Young worker: {_hours(young_days[d])} hours of work on {long_date(d)}; a worker under 18 may work at "
                "most 8 hours a day (Working Time Regulations, reg 5A).", d, d, ids))
    return out
