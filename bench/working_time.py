"""Working-time checks benchmark (issue 12): all the checks over 2 years of one PA's shifts.

A realistic rota, seeded: a week of day shifts (some with breaks, some without), waking nights,
sleep-ins with disturbances and a long Saturday, varied from week to week, across 2 years and so
4 clock changes; about 7 shifts a week (~730). The shifts are built first; the figure is our code:
`working_time_warnings` over them, median of 9 runs (target: under 50 ms), for an adult, an adult in
domestic service and a young worker.
"""
from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta
from datetime import time as clock

from care_tracker.rules.shifts import LocalInterval, Shift, ShiftType, _steady_offset
from care_tracker.rules.working_time import OptOut, WorkerProfile, working_time_warnings

FIRST_MONDAY = date(2024, 12, 2)
WEEKS = 104
RUNS = 9
TARGET_MS = 50


def two_years_of_shifts(seed: int = 12) -> list[Shift]:
    rng = random.Random(seed)
    shifts = []

    def add(day, start, end, kind=ShiftType.DAY, breaks=(), disturbances=()):
        shifts.append(Shift(f"s{len(shifts)}", "pa-bench", day, clock(*start), clock(*end), kind,
                            tuple(LocalInterval(clock(*a), clock(*b)) for a, b in breaks),
                            tuple(LocalInterval(clock(*a), clock(*b)) for a, b in disturbances)))

    for week in range(WEEKS):
        monday = FIRST_MONDAY + timedelta(weeks=week)
        late = rng.choice([0, 0, 1])  # some weeks start an hour later
        add(monday, (8 + late, 0), (16 + late, 0), breaks=[((12, 0), (12, 30))])
        add(monday + timedelta(days=1), (7, 30), (14, 0))  # 6.5 h, sometimes no break: a warning
        add(monday + timedelta(days=2), (22, 0), (7, 0), ShiftType.SLEEP_IN,
            disturbances=[((2, 10), (2, 40))] if rng.random() < 0.6 else [])
        if rng.random() < 0.8:
            add(monday + timedelta(days=3), (17, 0), (22, 0))
        add(monday + timedelta(days=4), (22, 0), (7, 0), ShiftType.WAKING_NIGHT, breaks=[((3, 0), (3, 30))])
        add(monday + timedelta(days=5), (8, 0), (20, 0), breaks=[((12, 0), (12, 45)), ((16, 0), (16, 20))])
        if rng.random() < 0.5:  # a short Sunday visit: some fortnights lose their weekly rest
            add(monday + timedelta(days=6), (10, 0), (13, 0))
    return shifts


def _median_ms(shifts, profile) -> tuple[float, int]:
    timings, found = [], 0
    for _ in range(RUNS):
        _steady_offset.cache_clear()  # no help from an earlier run
        started = time.perf_counter()
        found = len(working_time_warnings(shifts, profile))
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), found


def main() -> dict:
    shifts = two_years_of_shifts()
    profiles = {
        "adult": WorkerProfile(date_of_birth=date(1985, 6, 1), employment_start=FIRST_MONDAY,
                               opt_outs=(OptOut(FIRST_MONDAY + timedelta(weeks=60)),)),
        "domestic_service": WorkerProfile(date_of_birth=date(1985, 6, 1), domestic_service=True),
        "young_worker": WorkerProfile(date_of_birth=date(2008, 1, 15)),  # 18 part way through
    }
    figures: dict = {"shifts": len(shifts), "days": (shifts[-1].day - shifts[0].day).days + 1, "target_ms": TARGET_MS}
    for name, profile in profiles.items():
        ms, found = _median_ms(shifts, profile)
        figures[f"{name}_median_ms"] = round(ms, 2)
        figures[f"{name}_warnings"] = found
        figures[f"{name}_within_target"] = ms < TARGET_MS
    for key, value in figures.items():
        print(f"working_time  {key}: {value}")
    return figures


if __name__ == "__main__":
    main()
