"""Working-time checks (RULES 2.4): worked cases for each rule, and daily rest, weekly rest and the
17-week average against a model that lays the shifts out on a half-hour grid (winter weeks, so
London time is UTC and the grid needs no time zone)."""

from datetime import date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.rules.shifts import LocalInterval, Shift, ShiftType
from care_tracker.rules.working_time import (
    OptOut,
    Rule,
    Severity,
    WorkerProfile,
    is_young,
    working_time_warnings,
)

ADULT = WorkerProfile(date_of_birth=date(1980, 5, 5), employment_start=date(2020, 1, 6))
NEW = WorkerProfile()  # employed from the first shift given
MON = date(2025, 3, 3)


def S(sid, day, start, end, kind=ShiftType.DAY, breaks=()):
    return Shift(sid, "pa", day, time.fromisoformat(start), time.fromisoformat(end), kind,
                 tuple(LocalInterval(time.fromisoformat(a), time.fromisoformat(b)) for a, b in breaks))


def rules(warnings):
    return sorted(w.rule.value for w in warnings)


def test_a_short_rest_between_two_shifts_is_warned_about_naming_both():
    ws = working_time_warnings([S("a", MON, "14:00", "22:00", breaks=[("18:00", "18:30")]),
                                S("b", MON + timedelta(days=1), "07:00", "15:00", breaks=[("11:00", "11:30")])], ADULT)
    [w] = ws
    assert w.rule is Rule.DAILY_REST and w.severity is Severity.WARNING and w.shift_ids == ("a", "b")
    assert w.regulation == "WTR 1998 reg 10"
    assert w.message == ("Daily rest: only 9 hours between the end of the day shift on Monday 3 March 2025, 14:00 to 22:00 "
                         "and the start of the day shift on Tuesday 4 March 2025, 07:00 to 15:00; at least 11 hours are "
                         "needed in a row in each 24 hours (Working Time Regulations, reg 10).")
    assert working_time_warnings([S("a", MON, "14:00", "20:00"), S("b", MON + timedelta(days=1), "07:00", "13:00")],
                                 ADULT) == []  # exactly 11 hours


def test_a_long_spell_and_touching_shifts():
    ws = working_time_warnings([S("a", MON, "08:00", "15:00", breaks=[("12:00", "12:30")]),
                                S("b", MON, "15:00", "22:00", breaks=[("18:00", "18:30")])], ADULT)
    assert rules(ws) == ["daily_rest"] and "14 hours of work in a row" in ws[0].message and ws[0].shift_ids == ("a", "b")


def test_rest_break_over_six_hours():
    assert rules(working_time_warnings([S("a", MON, "09:00", "15:30")], ADULT)) == ["rest_break"]
    assert working_time_warnings([S("a", MON, "09:00", "15:00")], ADULT) == []  # exactly 6 h
    assert working_time_warnings([S("a", MON, "09:00", "15:30", breaks=[("12:00", "12:20")])], ADULT) == []
    # two short breaks are not one of 20 minutes
    assert rules(working_time_warnings([S("a", MON, "09:00", "17:00", breaks=[("11:00", "11:10"), ("13:00", "13:15")])],
                                       ADULT)) == ["rest_break"]


def _daily(days, start="09:00", end="17:00", first=MON):
    return [S(f"d{i}", first + timedelta(days=i), start, end, breaks=[("12:00", "12:30")]) for i in days]


def test_weekly_rest_in_a_fortnight():
    ws = working_time_warnings(_daily(range(14)), ADULT)
    assert rules(ws) == ["weekly_rest"] and ws[0].first_day == MON and ws[0].last_day == MON + timedelta(days=13)
    assert "24 hours off in a row each week, or 48 hours in the fortnight" in ws[0].message
    assert working_time_warnings(_daily([*range(6), *range(7, 13)]), ADULT) == []  # a day off each week
    assert working_time_warnings(_daily(range(12)), ADULT) == []  # 12 on, then the weekend off


def _weeks_of(hours_a_day, days_a_week, weeks, start="08:00"):
    end = (datetime.combine(MON, time.fromisoformat(start)) + timedelta(hours=hours_a_day, minutes=30)).time()
    days = [w * 7 + d for w in range(weeks) for d in range(days_a_week)]
    return [S(f"w{i}", MON + timedelta(days=i), start, f"{end:%H:%M}", breaks=[("12:00", "12:30")]) for i in days]


def test_the_17_week_average_unless_opted_out_and_information_in_domestic_service():
    shifts = _weeks_of(9, 6, 17)  # 54 h a week
    [w] = [w for w in working_time_warnings(shifts, NEW) if w.rule is Rule.AVERAGE_WEEK]
    assert w.severity is Severity.WARNING and "at most 54.0 hours" in w.message
    assert (w.first_day, w.last_day) == (MON, MON + timedelta(weeks=17) - timedelta(days=1))
    opted = WorkerProfile(opt_outs=(OptOut(MON),))
    assert not [w for w in working_time_warnings(shifts, opted) if w.rule is Rule.AVERAGE_WEEK]
    cancelled = WorkerProfile(opt_outs=(OptOut(MON - timedelta(days=30), MON + timedelta(weeks=10)),))
    [late] = [w for w in working_time_warnings(shifts, cancelled) if w.rule is Rule.AVERAGE_WEEK]
    assert late.first_day == MON + timedelta(weeks=10)
    domestic = WorkerProfile(domestic_service=True)
    [info] = [w for w in working_time_warnings(shifts, domestic) if w.rule is Rule.AVERAGE_WEEK]
    assert info.severity is Severity.INFO and "exempt" in info.message and "reg 19" in info.message
    # 45 h a week: never over
    assert not [w for w in working_time_warnings(_weeks_of(9, 5, 17), NEW) if w.rule is Rule.AVERAGE_WEEK]
    # employed long before: the average climbs over the 17 weeks and passes 48 h in week 16 (54 x 16 / 17 = 50.8)
    [w] = [w for w in working_time_warnings(shifts, ADULT) if w.rule is Rule.AVERAGE_WEEK]
    assert w.first_day == MON + timedelta(weeks=15)


def test_the_average_starts_from_the_employment_start():
    shifts = [S(f"x{i}", MON + timedelta(weeks=3, days=i), "08:00", "20:30", breaks=[("12:00", "12:30")]) for i in range(5)]
    fresh = working_time_warnings(shifts, WorkerProfile())  # 60 h in the first week known
    assert [w for w in fresh if w.rule is Rule.AVERAGE_WEEK]
    employed_earlier = WorkerProfile(employment_start=MON)  # 60 h over 4 weeks is 15 h a week
    assert not [w for w in working_time_warnings(shifts, employed_earlier) if w.rule is Rule.AVERAGE_WEEK]


def test_night_workers_and_night_hours():
    nights = [S(f"n{w}{d}", MON + timedelta(days=w * 7 + d), "22:00", "07:00", ShiftType.WAKING_NIGHT,
                breaks=[("02:00", "02:30")]) for w in range(4) for d in (0, 2, 4)]
    ws = working_time_warnings(nights, ADULT)
    assert rules(ws) == ["night_worker"] and ws[0].severity is Severity.INFO and "health assessment" in ws[0].message
    # a day worker with one night in five shifts is not a night worker
    mix = _daily([0, 1, 2, 3]) + [S("n", MON + timedelta(days=5), "22:00", "07:00", breaks=[("02:00", "02:30")])]
    assert not [w for w in working_time_warnings(mix, ADULT) if w.rule is Rule.NIGHT_WORKER]
    heavy = [S(f"h{i}", MON + timedelta(days=i), "20:00", "08:00", ShiftType.WAKING_NIGHT, breaks=[("02:00", "02:30")])
             for i in range(0, 28, 2)]  # 11.5 h every other night: 80.5 h a fortnight, 6.7 h a day
    assert not [w for w in working_time_warnings(heavy, NEW) if w.rule is Rule.NIGHT_HOURS]
    heavier = [S(f"h{i}", MON + timedelta(days=i), "19:00", "07:00", ShiftType.WAKING_NIGHT, breaks=[("02:00", "02:20")])
               for i in range(28) if i % 7 != 6]  # 6 nights of 11.7 h a week: 11.7 h a day
    ws = working_time_warnings(heavier, NEW)
    [over] = [w for w in ws if w.rule is Rule.NIGHT_HOURS]
    assert over.severity is Severity.WARNING
    domestic = working_time_warnings(heavier, WorkerProfile(domestic_service=True))
    assert {w.severity for w in domestic if w.rule in (Rule.NIGHT_HOURS, Rule.NIGHT_WORKER, Rule.AVERAGE_WEEK)} == {Severity.INFO}
    # rest rules still apply in domestic service
    rest = working_time_warnings(_daily(range(14)), WorkerProfile(domestic_service=True))
    assert {(w.rule, w.severity) for w in rest if w.rule is not Rule.AVERAGE_WEEK} == {(Rule.WEEKLY_REST, Severity.WARNING)}


def test_young_workers():
    young = WorkerProfile(date_of_birth=date(2008, 3, 10))  # 17 until 10 March 2026
    day = date(2025, 6, 2)
    ws = working_time_warnings([S("a", day, "08:00", "17:00", breaks=[("12:00", "12:30")])], young)
    assert rules(ws) == ["young_worker_day"] and "8.5 hours" in ws[0].message
    ws = working_time_warnings([S("a", day, "09:00", "14:00", breaks=[("12:00", "12:20")])], young)
    assert rules(ws) == ["rest_break"] and "30-minute break after 4.5 hours" in ws[0].message
    ws = working_time_warnings([S("a", day, "14:00", "18:00"), S("b", day + timedelta(days=1), "05:30", "09:30")], young)
    assert rules(ws) == ["daily_rest"] and "needs 12" in ws[0].message  # 11.5 h: fine for an adult
    week = [S(f"y{i}", day + timedelta(days=i), "08:00", "16:30", breaks=[("12:00", "12:30")]) for i in range(5)] + \
        [S("sat", day + timedelta(days=5), "09:00", "10:30")]
    assert rules(working_time_warnings(week, young)) == ["weekly_rest", "young_worker_week"]  # 41.5 h; no 48 h off
    assert rules(working_time_warnings(week, ADULT)) == []
    domestic_young = WorkerProfile(date_of_birth=date(2008, 3, 10), domestic_service=True)
    assert {w.severity for w in working_time_warnings(week, domestic_young)} == {Severity.WARNING}
    after = date(2026, 3, 10)  # the 18th birthday: an adult from that day
    assert working_time_warnings([S("a", after, "08:00", "17:00", breaks=[("12:00", "12:30")])], young) == []
    assert is_young(date(2008, 2, 29), date(2026, 2, 28)) and not is_young(date(2008, 2, 29), date(2026, 3, 1))


def test_a_night_into_the_october_clock_change_counts_its_real_length():
    ws = working_time_warnings([S("a", date(2025, 10, 25), "20:00", "07:00", breaks=[("01:00", "01:30")])], ADULT)
    assert [w.rule for w in ws] == [Rule.NIGHT_WORKER]  # 11 h 30 min of work in 12 real hours: no break missing, spell under 13 h
    ws = working_time_warnings([S("a", date(2025, 10, 25), "18:30", "07:00", breaks=[("01:00", "01:30")])], ADULT)
    [rest] = [w for w in ws if w.rule is Rule.DAILY_REST]
    assert rules(ws) == ["daily_rest", "night_worker"] and "13 h 30 min" in rest.message  # 12.5 h on the clocks
    ws = working_time_warnings([S("a", date(2025, 10, 18), "18:30", "07:00", breaks=[("01:00", "01:30")])], ADULT)
    assert rules(ws) == ["night_worker"]  # a week earlier: 12.5 h


# --- the grid model ------------------------------------------------------------------------------

GRID_START = date(2025, 1, 6)  # a Monday; London is on UTC until 30 March
SLOTS = 10 * 7 * 48


def model(raw):
    """0 = rest, 1 = work, 2 = a break inside a shift (not rest, not work), per half hour."""
    grid = [0] * (SLOTS + 48)
    shifts = []
    for n, (slot, length, brk) in enumerate(raw):
        start = datetime.combine(GRID_START, time(0)) + timedelta(minutes=30 * slot)
        end = start + timedelta(minutes=30 * length)
        breaks = []
        if brk and length >= 3:
            b0 = start + timedelta(minutes=30 * (length // 2))
            breaks = [(f"{b0:%H:%M}", f"{b0 + timedelta(minutes=30):%H:%M}")]
        shifts.append(S(f"s{n}", start.date(), f"{start:%H:%M}", f"{end:%H:%M}", breaks=breaks))
        for k in range(slot, slot + length):
            grid[k] = max(grid[k], 1)
        if breaks:
            grid[slot + length // 2] = 2
    return shifts, grid


def spells_of(grid):
    out, i = [], 0
    while i < len(grid):
        if grid[i]:
            j = i
            while j < len(grid) and grid[j]:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def _back_to_back(first, steps):
    """Shifts one after another (gap, length in half hours): dense rotas that break weekly rest and the average."""
    out, slot = [], first
    for gap, length, brk in steps:
        slot += gap
        if slot + length > 9 * 7 * 48:
            break
        out.append((slot, length, brk))
        slot += length
    return out or [(first, 1, False)]


raw_shifts = st.one_of(
    st.lists(st.tuples(st.integers(0, 9 * 7 * 48), st.integers(1, 30), st.booleans()), min_size=1, max_size=30),
    st.builds(_back_to_back, st.integers(0, 7 * 48),
              st.lists(st.tuples(st.integers(0, 40), st.integers(8, 30), st.booleans()), min_size=1, max_size=120)),
)


@settings(max_examples=300, deadline=None)
@given(raw_shifts)
def test_rest_and_average_against_the_grid_model(raw):
    # overlapping shifts (which the rota refuses) make a break ambiguous on the grid and their hours count
    # twice in the checks: rest is compared for them without breaks, the average only without overlaps
    spans = sorted((s, s + n) for s, n, _ in raw)
    overlapping = any(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))
    if overlapping:
        raw = [(s, n, False) for s, n, _ in raw]
    shifts, grid = model(raw)
    ws = working_time_warnings(shifts, NEW)
    spells = spells_of(grid)
    short_gaps = sum(1 for a, b in zip(spells, spells[1:], strict=False) if b[0] - a[1] < 22)
    long_spells = sum(1 for a, b in spells if b - a > 26)
    assert sum(1 for w in ws if w.rule is Rule.DAILY_REST) == short_gaps + long_spells
    # weekly rest per fortnight from the first shift's Monday
    first_week = spells[0][0] // (7 * 48)
    failing = set()
    for f in range(first_week, (len(grid) // (7 * 48)) + 1, 2):
        lo, hi = f * 7 * 48, (f + 2) * 7 * 48
        if not any(lo <= k < hi and grid[k] for k in range(lo, min(hi, len(grid)))):
            continue
        rests, run = [], 0
        for k in range(lo, hi):
            if k < len(grid) and grid[k]:
                rests.append(run)
                run = 0
            else:
                run += 1
        rests.append(run)
        if not (any(r >= 96 for r in rests) or sum(1 for r in rests if r >= 48) >= 2):
            failing.add(GRID_START + timedelta(weeks=f))
    assert {w.first_day for w in ws if w.rule is Rule.WEEKLY_REST} == failing
    if overlapping:
        return
    # the 17-week average (here at most 10 weeks, from the first shift's week)
    weekly = [sum(1 for k in range(w * 336, (w + 1) * 336) if k < len(grid) and grid[k] == 1) * 30 for w in range(11)]
    flagged = set()
    last_week = spells[-1][1] // 336  # averages run to the week the last shift ends in, not beyond
    for w in range(first_week, last_week + 1):
        window = weekly[max(first_week, w - 16): w + 1]
        if sum(window) / len(window) > 48 * 60:
            flagged.add(GRID_START + timedelta(weeks=w))
    got = set()
    for w in ws:
        if w.rule is Rule.AVERAGE_WEEK:
            d = w.first_day
            while d <= w.last_day:
                got.add(d)
                d += timedelta(weeks=1)
    assert got == flagged


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2004, 1, 1), date(2012, 12, 31)), st.integers(0, 730), st.lists(st.integers(2, 26), min_size=1, max_size=7))
def test_young_worker_day_and_week_limits_against_a_model(born, offset, lengths):
    """RULES 2.4: under 18 (from the date of birth), at most 8 hours a day and 40 a week, warnings
    that domestic service does not soften. One day shift a day from 07:00, `length` half hours long,
    a 30-minute break at 11:00 when it runs past 11:30; a winter week so no clock changes."""
    monday = date(2024, 11, 4) + timedelta(weeks=offset // 7)
    shifts, worked = [], {}
    for i, halves in enumerate(lengths):
        day = monday + timedelta(days=i)
        end = datetime.combine(day, time(7)) + timedelta(minutes=30 * halves)
        brk = [("11:00", "11:30")] if halves > 9 else []
        shifts.append(S(f"d{i}", day, "07:00", f"{end:%H:%M}", breaks=brk))
        worked[day] = halves * 30 - (30 if brk else 0)
    for domestic in (False, True):
        ws = working_time_warnings(shifts, WorkerProfile(date_of_birth=born, domestic_service=domestic))
        over_days = sorted(d for d, m in worked.items() if m > 8 * 60 and is_young(born, d))
        assert sorted(w.first_day for w in ws if w.rule is Rule.YOUNG_DAY) == over_days
        week_over = is_young(born, monday) and sum(worked.values()) > 40 * 60
        assert [w.first_day for w in ws if w.rule is Rule.YOUNG_WEEK] == ([monday] if week_over else [])
        assert all(w.severity is Severity.WARNING and "under 18" in w.message and "reg 5A" in w.message
                   for w in ws if w.rule in (Rule.YOUNG_DAY, Rule.YOUNG_WEEK))
