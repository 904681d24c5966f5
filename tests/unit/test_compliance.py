"""Monthly compliance and escalation (RULES 1.6).

Expectations for the running figures come from an independent oracle: the history is laid
out as a plain list of statuses for consecutive calendar months (absent months filled with
NOT_DUE), the run of misses is counted from the end of the list, and the last-12 count is a
slice. Period strings are produced with `date` arithmetic, not with the module's helpers.
"""

import os
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care_tracker.rules.compliance import (
    ComplianceFigures,
    EscalationAction,
    EscalationStage,
    MonthStatus,
    escalation_actions,
    escalation_actions_for_period,
    escalation_stage,
    figures_after,
    is_eligible,
    month_status,
    periods_back,
    previous_period,
    recount,
)

C, M, N = MonthStatus.COMPLETED, MonthStatus.MISSED, MonthStatus.NOT_DUE
HELP, WARN, CASE = (
    EscalationAction.OFFER_HELP,
    EscalationAction.WARN_AT_RISK,
    EscalationAction.OPEN_CASE,
)
STAGE_RANK = {
    EscalationStage.NONE: 0,
    EscalationStage.HELP_OFFERED: 1,
    EscalationStage.AT_RISK: 2,
    EscalationStage.ELIGIBLE: 3,
}


# --- independent oracle ---------------------------------------------------------


def month_label(year: int, month: int, offset: int) -> str:
    """The period `offset` months after year-month, by stepping dates a month at a time."""
    d = date(year, month, 1)
    for _ in range(abs(offset)):
        if offset > 0:
            d = (d + timedelta(days=32)).replace(day=1)  # into next month, back to the 1st
        else:
            d = (d - timedelta(days=1)).replace(day=1)  # last day of previous month -> 1st
    return d.strftime("%Y-%m")


def history_from(statuses, start=(2023, 1)):
    """{period: status} for a list of statuses (None = absent) from the start month."""
    return {
        month_label(*start, i): s for i, s in enumerate(statuses) if s is not None
    }


def oracle(statuses, i):
    """(consecutive, last_12) at index i of a list of consecutive months (None = absent)."""
    upto = [s if s is not None else N for s in statuses[: i + 1]]
    run = 0
    for s in reversed(upto):
        if s != M:
            break
        run += 1
    window = upto[max(0, i - 11) : i + 1]
    return run, sum(1 for s in window if s == M)


def oracle_stage(run, last_12):
    if run >= 3 or last_12 >= 4:
        return EscalationStage.ELIGIBLE
    return {0: EscalationStage.NONE, 1: EscalationStage.HELP_OFFERED}.get(
        run, EscalationStage.AT_RISK
    )


def figs_for(statuses, start=(2023, 1)):
    """Module figures for each index of the list."""
    h = history_from(statuses, start)
    return [figures_after(h, month_label(*start, i)) for i in range(len(statuses))]


statuses_st = st.lists(st.sampled_from([C, M, N, None]), min_size=1, max_size=40)
miss_heavy_st = st.lists(
    st.sampled_from([C, M, M, M, N, None]), min_size=1, max_size=40
)
start_st = st.tuples(st.integers(2000, 2090), st.integers(1, 12))


# --- oracle self-check (so that it is not trusted blindly) ----------------------


def test_month_label_walks_calendar_months():
    assert month_label(2023, 11, 3) == "2024-02"
    assert month_label(2024, 2, -3) == "2023-11"
    assert month_label(2024, 1, 0) == "2024-01"


# --- periods ----------------------------------------------------------------------


def test_period_helpers():
    assert previous_period("2024-01") == "2023-12"
    assert previous_period("2024-03") == "2024-02"
    assert periods_back("2024-02", 3) == ["2023-12", "2024-01", "2024-02"]
    assert periods_back("2024-02", 0) == []
    assert len(periods_back("2024-06", 12)) == 12
    assert periods_back("2024-06", 12)[0] == "2023-07"


@pytest.mark.parametrize("bad", ["2024-13", "2024-00", "2024-1", "24-01", "2024/01", "", "0000-05"])
def test_bad_period_refused(bad):
    with pytest.raises(ValueError):
        figures_after({}, bad)


# --- month_status -----------------------------------------------------------------

OPENS = date(2024, 9, 8)
LAST = date(2024, 9, 16)  # September 2024: the 14th is a Saturday, closes end of Monday 16th


def status(**kw):
    args = dict(
        care_types={"care_home"},
        on_time_care_types={"care_home"},
        registered_on=date(2020, 1, 1),
        deregistered_on=None,
        window_opens=OPENS,
        window_last_day=LAST,
    )
    args.update(kw)
    return month_status(**args)


def test_completed_when_every_care_type_returned():
    assert status(care_types={"care_home", "home_care"},
                  on_time_care_types={"care_home", "home_care"}) == C


def test_missed_when_one_care_type_lacks_a_return():
    assert status(care_types={"care_home", "home_care"}, on_time_care_types={"care_home"}) == M
    assert status(on_time_care_types=set()) == M


def test_returns_for_care_types_the_location_no_longer_has_are_ignored():
    assert status(care_types={"home_care"}, on_time_care_types={"home_care", "care_home"}) == C
    assert status(care_types={"home_care"}, on_time_care_types={"care_home"}) == M


def test_location_with_no_care_types_owes_nothing():
    assert status(care_types=set(), on_time_care_types=set()) == N


@pytest.mark.parametrize(
    "registered_on, expected",
    [
        (None, M),  # unknown: treated as registered long before
        (date(2024, 9, 7), M),  # the day before the window opens
        (OPENS, M),  # registered on the opening day: active from 00:00 -> owes
        (date(2024, 9, 9), N),  # after the window opened
        (LAST, N),
        (date(2024, 10, 1), N),
    ],
)
def test_registration_boundary(registered_on, expected):
    assert status(registered_on=registered_on, on_time_care_types=set()) == expected


@pytest.mark.parametrize(
    "deregistered_on, expected",
    [
        (None, M),
        (date(2024, 9, 1), N),  # before the window
        (OPENS, N),
        (date(2024, 9, 14), N),  # the 14th, but this window runs to the 16th
        (LAST, N),  # deregistered on the last day: before the close at its end
        (date(2024, 9, 17), M),  # the day after the last day -> active throughout
    ],
)
def test_deregistration_boundary(deregistered_on, expected):
    assert status(deregistered_on=deregistered_on, on_time_care_types=set()) == expected


def test_not_due_even_if_returns_were_saved():
    assert status(registered_on=date(2024, 9, 10)) == N
    assert status(deregistered_on=LAST) == N


def test_window_must_not_end_before_it_opens():
    with pytest.raises(ValueError):
        status(window_opens=LAST, window_last_day=OPENS)


def test_correction_counts_like_on_time():
    assert status(care_types={"care_home", "home_care"}, on_time_care_types={"care_home"},
                  accepted_late_care_types={"home_care"}) == C


care_type_sets = st.sets(st.sampled_from(["care_home", "home_care", "supported_living"]))
day_st = st.dates(date(2024, 8, 1), date(2024, 10, 31))


@given(
    owed=care_type_sets,
    on_time=care_type_sets,
    late=care_type_sets,
    reg=st.none() | day_st,
    dereg=st.none() | day_st,
)
def test_month_status_matches_rule(owed, on_time, late, reg, dereg):
    got = status(
        care_types=owed,
        on_time_care_types=on_time,
        accepted_late_care_types=late,
        registered_on=reg,
        deregistered_on=dereg,
    )
    # corrections: same as having been on time
    assert got == status(care_types=owed, on_time_care_types=on_time | late,
                         registered_on=reg, deregistered_on=dereg)
    active_throughout = (reg is None or reg <= OPENS) and (dereg is None or dereg > LAST)
    if not active_throughout or not owed:
        assert got == N
    elif all(ct in on_time or ct in late for ct in owed):
        assert got == C
    else:
        assert got == M


# --- stage ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "run, last_12, stage",
    [
        (0, 0, EscalationStage.NONE),
        (0, 3, EscalationStage.NONE),
        (1, 1, EscalationStage.HELP_OFFERED),
        (1, 3, EscalationStage.HELP_OFFERED),
        (2, 2, EscalationStage.AT_RISK),
        (2, 3, EscalationStage.AT_RISK),
        (3, 3, EscalationStage.ELIGIBLE),
        (0, 4, EscalationStage.ELIGIBLE),
        (1, 4, EscalationStage.ELIGIBLE),
        (13, 12, EscalationStage.ELIGIBLE),
    ],
)
def test_stage_table(run, last_12, stage):
    assert escalation_stage(run, last_12) is stage
    assert is_eligible(run, last_12) is (stage is EscalationStage.ELIGIBLE)


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_counts_must_be_whole_numbers(bad):
    with pytest.raises(ValueError):
        escalation_stage(bad, 0)
    with pytest.raises(ValueError):
        is_eligible(0, bad)


# --- figures: examples ------------------------------------------------------------


def last(statuses):
    return figs_for(statuses)[-1]


def test_one_miss_offers_help():
    assert last([C, M]) == ComplianceFigures(1, 1, EscalationStage.HELP_OFFERED)


def test_two_consecutive_misses_at_risk():
    assert last([C, M, M]) == ComplianceFigures(2, 2, EscalationStage.AT_RISK)


def test_three_in_a_row_eligible():
    assert last([M, M, M]) == ComplianceFigures(3, 3, EscalationStage.ELIGIBLE)


def test_four_scattered_within_12_eligible():
    # misses at months 0, 3, 6, 11 -> all within the 12 months ending at month 11
    s = [M, C, C, M, C, C, M, C, C, C, C, M]
    assert last(s) == ComplianceFigures(1, 4, EscalationStage.ELIGIBLE)


def test_four_spread_over_13_months_not_eligible():
    # misses at months 0, 4, 8, 12: any 12-month span holds at most 3
    s = [M, C, C, C, M, C, C, C, M, C, C, C, M]
    figs = figs_for(s)
    assert figs[-1] == ComplianceFigures(1, 3, EscalationStage.HELP_OFFERED)
    assert all(f.stage is not EscalationStage.ELIGIBLE for f in figs)


def test_completion_resets_consecutive():
    figs = figs_for([M, M, C, M])
    assert figs[1].consecutive_misses == 2
    assert figs[2] == ComplianceFigures(0, 2, EscalationStage.NONE)
    assert figs[3] == ComplianceFigures(1, 3, EscalationStage.HELP_OFFERED)


def test_not_due_month_breaks_the_run_and_is_not_a_miss():
    assert last([M, M, N, M]) == ComplianceFigures(1, 3, EscalationStage.HELP_OFFERED)
    assert last([M, M, None, M]) == ComplianceFigures(1, 3, EscalationStage.HELP_OFFERED)
    assert last([N, N, N]) == ComplianceFigures(0, 0, EscalationStage.NONE)


def test_run_longer_than_12():
    f = last([M] * 15)
    assert f == ComplianceFigures(15, 12, EscalationStage.ELIGIBLE)


def test_empty_history():
    assert figures_after({}, "2024-05") == ComplianceFigures(0, 0, EscalationStage.NONE)


def test_string_values_accepted():
    h = {"2024-01": "missed", "2024-02": "missed", "2024-03": "missed"}
    assert figures_after(h, "2024-03") == ComplianceFigures(3, 3, EscalationStage.ELIGIBLE)


def test_run_across_year_end():
    h = {"2023-11": M, "2023-12": M, "2024-01": M}
    assert figures_after(h, "2024-01").consecutive_misses == 3


def test_later_months_ignored():
    h = {"2024-01": M, "2024-02": M, "2024-03": M, "2024-04": M}
    assert figures_after(h, "2024-02") == ComplianceFigures(2, 2, EscalationStage.AT_RISK)


# --- figures: properties ----------------------------------------------------------


@given(statuses=statuses_st, start=start_st)
def test_figures_match_oracle(statuses, start):
    figs = figs_for(statuses, start)
    for i, f in enumerate(figs):
        run, last_12 = oracle(statuses, i)
        assert (f.consecutive_misses, f.misses_last_12) == (run, last_12)
        assert f.stage is oracle_stage(run, last_12)


@given(statuses=miss_heavy_st)
def test_figure_bounds_and_eligibility(statuses):
    for f in figs_for(statuses):
        assert 0 <= min(f.consecutive_misses, 12) <= f.misses_last_12 <= 12
        eligible = f.consecutive_misses >= 3 or f.misses_last_12 >= 4
        assert (f.stage is EscalationStage.ELIGIBLE) == eligible


@given(statuses=miss_heavy_st)
def test_eligible_iff_some_rule_window_holds(statuses):
    """Eligible at month i iff the 3 months ending at i are all misses, or the 12 months
    ending at i hold 4+ misses (checked by brute force over the plain list)."""
    plain = [s if s is not None else N for s in statuses]
    for i, f in enumerate(figs_for(statuses)):
        three = i >= 2 and all(s == M for s in plain[i - 2 : i + 1])
        four = sum(1 for s in plain[max(0, i - 11) : i + 1] if s == M) >= 4
        assert (f.stage is EscalationStage.ELIGIBLE) == (three or four)


@given(statuses=statuses_st, later=st.lists(st.sampled_from([C, M, N]), max_size=15),
       data=st.data())
def test_depends_only_on_months_up_to_period(statuses, later, data):
    i = data.draw(st.integers(0, len(statuses) - 1))
    period = month_label(2023, 1, i)
    h = history_from(statuses)
    h2 = dict(h)
    for k, s in enumerate(later):  # overwrite/add months after `period`
        h2[month_label(2023, 1, i + 1 + k)] = s
    assert figures_after(h, period) == figures_after(h2, period)


@given(
    statuses=st.lists(st.sampled_from([C, M, M, N, None]), min_size=12, max_size=40),
    breaker=st.sampled_from([C, N, None]),
    older=st.lists(st.sampled_from([C, M, N, None]), max_size=20),
    data=st.data(),
)
def test_older_months_beyond_range_are_irrelevant(statuses, breaker, older, data):
    """Once the last 12 months hold a month that is not a miss, anything before them is
    irrelevant."""
    statuses = list(statuses)
    statuses[data.draw(st.integers(len(statuses) - 12, len(statuses) - 1))] = breaker
    period = month_label(2030, 1, len(statuses) - 1)
    h = history_from(statuses, start=(2030, 1))
    h2 = dict(h)
    for k, s in enumerate(older):  # months before the list
        p = month_label(2030, 1, -1 - k)
        if s is None:
            h2.pop(p, None)
        else:
            h2[p] = s
    # and the months of the list older than the 12-month window
    for k in range(len(statuses) - 12):
        h2[month_label(2030, 1, k)] = M
    assert figures_after(h, period) == figures_after(h2, period)


@given(statuses=statuses_st, start=start_st)
def test_recomputation_is_deterministic(statuses, start):
    h = history_from(statuses, start)
    period = month_label(*start, len(statuses) - 1)
    first = figures_after(h, period)
    assert figures_after(dict(h), period) == first
    assert figures_after(dict(reversed(list(h.items()))), period) == first


@given(statuses=miss_heavy_st, data=st.data())
def test_turning_a_miss_into_completed_never_increases_anything(statuses, data):
    statuses = list(statuses)
    statuses[data.draw(st.integers(0, len(statuses) - 1))] = M  # at least one miss
    j = data.draw(st.sampled_from([i for i, s in enumerate(statuses) if s == M]))
    fixed = list(statuses)
    fixed[j] = C
    for before, after in zip(figs_for(statuses), figs_for(fixed), strict=True):
        assert after.consecutive_misses <= before.consecutive_misses
        assert after.misses_last_12 <= before.misses_last_12
        assert STAGE_RANK[after.stage] <= STAGE_RANK[before.stage]


# --- recount (corrections) --------------------------------------------------------


def test_correction_then_recount_lowers_downstream_figures():
    h = history_from([C, M, M, M, M])  # 2023-01 .. 2023-05
    assert figures_after(h, "2023-04").stage is EscalationStage.ELIGIBLE
    # support team records that the February return counts (late, with a reason)
    h["2023-02"] = month_status(
        care_types={"home_care"},
        on_time_care_types=set(),
        accepted_late_care_types={"home_care"},
        registered_on=None,
        deregistered_on=None,
        window_opens=date(2023, 2, 8),
        window_last_day=date(2023, 2, 14),
    )
    got = recount(h, "2023-02")
    assert list(got) == ["2023-02", "2023-03", "2023-04", "2023-05"]
    assert got["2023-02"] == ComplianceFigures(0, 0, EscalationStage.NONE)
    assert got["2023-03"] == ComplianceFigures(1, 1, EscalationStage.HELP_OFFERED)
    assert got["2023-04"] == ComplianceFigures(2, 2, EscalationStage.AT_RISK)
    assert got["2023-05"] == ComplianceFigures(3, 3, EscalationStage.ELIGIBLE)
    # same as if it had been on time all along
    assert got == recount(history_from([C, C, M, M, M]), "2023-02")


@given(statuses=statuses_st, k=st.integers(0, 45))
def test_recount_is_figures_after_for_every_later_stored_month(statuses, k):
    h = history_from(statuses)
    start = month_label(2023, 1, k)
    got = recount(h, start)
    expected_periods = sorted(p for p in h if p >= start)  # "YYYY-MM" sorts as text
    assert list(got) == expected_periods
    for p in expected_periods:
        assert got[p] == figures_after(h, p)


def test_recount_refuses_bad_keys():
    with pytest.raises(ValueError):
        recount({"2024-1": M}, "2024-01")


# --- escalation actions -----------------------------------------------------------


def fig(run, last_12):
    return ComplianceFigures(run, last_12, escalation_stage(run, last_12))


def actions_over(statuses, public_body=False):
    h = history_from(statuses)
    return [
        escalation_actions_for_period(h, month_label(2023, 1, i), public_body=public_body)
        for i in range(len(statuses))
    ]


def test_first_miss_offers_help():
    assert escalation_actions(None, fig(1, 1), public_body=False) == [HELP]
    assert escalation_actions(fig(0, 0), fig(1, 1), public_body=False) == [HELP]


def test_second_consecutive_miss_warns():
    assert escalation_actions(fig(1, 1), fig(2, 2), public_body=False) == [WARN]


def test_third_consecutive_miss_opens_case():
    assert escalation_actions(fig(2, 2), fig(3, 3), public_body=False) == [CASE]


def test_sequence_of_misses():
    assert actions_over([C, M, M, M, M]) == [[], [HELP], [WARN], [CASE], []]


def test_jump_to_eligible_gives_every_step():
    # 3 scattered misses, then a 4th: first miss of a run, and 4 within 12 months
    acts = actions_over([M, C, M, C, M, C, M])
    assert acts == [[HELP], [], [HELP], [], [HELP], [], [HELP, WARN, CASE]]


def test_public_body_never_gets_open_case():
    assert escalation_actions(fig(2, 2), fig(3, 3), public_body=True) == []
    assert escalation_actions(fig(0, 3), fig(1, 4), public_body=True) == [HELP, WARN]
    assert actions_over([M, M, M, M], public_body=True) == [[HELP], [WARN], [], []]


def test_staying_or_falling_gives_nothing():
    assert escalation_actions(fig(3, 3), fig(4, 4), public_body=False) == []
    assert escalation_actions(fig(3, 3), fig(0, 3), public_body=False) == []
    assert escalation_actions(fig(0, 0), fig(0, 0), public_body=False) == []


def test_new_run_after_recovery_escalates_again():
    acts = actions_over([M, M, M, C, C, C, C, C, C, C, C, C, C, C, C, M, M, M])
    assert acts[0:3] == [[HELP], [WARN], [CASE]]
    assert all(a == [] for a in acts[3:15])
    assert acts[15:] == [[HELP], [WARN], [CASE]]


figures_st = st.builds(fig, st.integers(0, 15), st.integers(0, 12))


@given(prev=st.none() | figures_st, cur=figures_st, public_body=st.booleans())
def test_actions_properties(prev, cur, public_body):
    acts = escalation_actions(prev, cur, public_body=public_body)
    prev_rank = STAGE_RANK[prev.stage] if prev else 0
    cur_rank = STAGE_RANK[cur.stage]
    # deterministic
    assert acts == escalation_actions(prev, cur, public_body=public_body)
    # only on a rise; one action per stage passed, in order; no duplicates
    expected = [HELP, WARN, CASE][prev_rank:cur_rank] if cur_rank > prev_rank else []
    if public_body:
        expected = [a for a in expected if a is not CASE]
    assert acts == expected
    assert len(set(acts)) == len(acts)
    # open_case exactly when a private provider becomes eligible
    assert (CASE in acts) == (
        not public_body
        and cur.stage is EscalationStage.ELIGIBLE
        and (prev is None or prev.stage is not EscalationStage.ELIGIBLE)
    )


@given(statuses=miss_heavy_st, public_body=st.booleans())
def test_every_eligibility_onset_opens_one_case_for_private(statuses, public_body):
    figs = figs_for(statuses)
    acts = actions_over(statuses, public_body)
    for i, a in enumerate(acts):
        was = i > 0 and figs[i - 1].stage is EscalationStage.ELIGIBLE
        onset = figs[i].stage is EscalationStage.ELIGIBLE and not was
        assert (CASE in a) == (onset and not public_body)
        if statuses[i] != M:  # no new miss this month -> no new contact
            assert a == []


# --- running close_window twice ---------------------------------------------------


@given(statuses=statuses_st, owed=care_type_sets, on_time=care_type_sets)
def test_running_the_month_twice_changes_nothing(statuses, owed, on_time):
    period = month_label(2023, 1, len(statuses))
    h = history_from(statuses)

    def close(history):
        history = dict(history)
        history[period] = month_status(
            care_types=owed,
            on_time_care_types=on_time,
            registered_on=None,
            deregistered_on=None,
            window_opens=date(2025, 1, 8),
            window_last_day=date(2025, 1, 14),
        )
        return history, figures_after(history, period), escalation_actions_for_period(
            history, period, public_body=False
        )

    once = close(h)
    twice = close(once[0])
    assert once == twice


# --- purity -------------------------------------------------------------------------


def test_module_imports_nothing_heavy():
    code = (
        "import sys, care_tracker.rules.compliance; "
        "bad = {'boto3', 'botocore', 'pynamodb', 'chalice'} & set(sys.modules); "
        "print(sorted(bad))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)},
    )
    assert out.stdout.strip() == "[]"


def test_figures_are_frozen():
    f = fig(1, 1)
    with pytest.raises(Exception):
        f.consecutive_misses = 5  # type: ignore[misc]
    assert replace(f, misses_last_12=2).misses_last_12 == 2
