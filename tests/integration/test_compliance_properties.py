"""Properties of the counting service (hypothesis), on in-memory stand-ins for its ports: whatever the
plan of returns, the order in which months are counted, re-runs and corrections, the stored figures
equal an oracle computed from the final statuses, a re-run writes and sends nothing, every escalation
step happens at most once, and a public body never gets a case."""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from care_tracker.services.compliance import ComplianceService, LocationCompliance

PERIODS = ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
AT = datetime(2026, 6, 1, tzinfo=UTC)


class MemoryStore:
    def __init__(self):
        self.states: dict[str, tuple] = {}
        self.windows: dict[str, dict] = {}
        self.corr: dict[str, dict] = {}
        self.task_items: dict[str, dict] = {}
        self.writes = 0

    def all_states_raw(self):
        return dict(self.states)

    @staticmethod
    def parse(location_id, raw):
        return LocationCompliance.from_data(location_id, *raw)

    @contextmanager
    def counting(self, now):
        yield True

    @contextmanager
    def state_writer(self):
        def write(state):
            self.writes += 1
            self.states[state.location_id] = (state.org_id, state.to_data(), state.version + 1)
        yield write

    def get(self, location_id):
        raw = self.states.get(location_id)
        return self.parse(location_id, raw) if raw else None

    def put_window(self, period, groups):
        self.windows[period] = groups

    def window(self, period):
        return self.windows.get(period, {})

    def corrections(self, period):
        return self.corr.get(period, {})

    def save_correction(self, period, state, care_type, detail, deltas, now):
        self.corr.setdefault(period, {}).setdefault(state.location_id, {})[care_type] = detail
        self.states[state.location_id] = (state.org_id, state.to_data(), state.version + 1)
        for key, d in deltas.items():
            for field, v in d.items():
                self.windows[period][key][field] += v

    def tasks(self, period):
        return dict(self.task_items.get(period, {}))

    def put_tasks(self, period, tasks):
        self.task_items.setdefault(period, {}).update(tasks)


class Inputs:
    def __init__(self, locations):
        self._locations = locations

    def locations(self):
        return iter(self._locations)

    def accounts(self):
        return [{"email": f"{lo['location_id']}@example.org", "org_id": lo["org_id"], "location_ids": [lo["location_id"]],
                 "roles": ["provider_user"], "active": True} for lo in self._locations]


class Returns:
    def __init__(self):
        self.on_time: dict[str, dict[str, set]] = {}
        self.late: dict[str, dict[str, set]] = {}

    def done_by_location(self, period):
        return {loc: (set(), types) for loc, types in self.on_time.get(period, {}).items()}

    def read(self, location_ids, keys):
        from types import SimpleNamespace

        found = {}
        for loc, period in keys:
            current = self.on_time.get(period, {}).get(loc, set()) | self.late.get(period, {}).get(loc, set())
            found[(loc, period)] = SimpleNamespace(current={c: 1 for c in current},
                                                   in_window_types=self.on_time.get(period, {}).get(loc, set()))
        return {}, found


class Cases:
    def __init__(self):
        self.calls = []

    def open_or_extend(self, org_id, locations, period, at):
        self.calls.append((org_id, period, dict(locations)))
        return "opened"


class Mailer:
    def __init__(self):
        self.sent = []

    def send(self, mail):
        self.sent.append(mail)


class Clock:
    def now(self):
        return AT


location_plans = st.lists(
    st.tuples(st.sampled_from([["care_home"], ["home_care", "supported_living"]]), st.booleans(),
              st.lists(st.sampled_from(["on_time", "missed", "late", "partial"]), min_size=len(PERIODS), max_size=len(PERIODS))),
    min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(location_plans, st.permutations(list(range(len(PERIODS)))), st.lists(st.integers(0, len(PERIODS) - 1), max_size=4),
       st.data())
def test_counting_matches_the_oracle_in_any_order(plans, order, reruns, data):
    from care_tracker.rules.compliance import figures_after

    locations = [{"location_id": f"1-{n}", "org_id": f"1-9{n % 2}", "name": f"L{n}", "care_types": care,
                  "status": "active", "registered_on": "2010-01-01", "local_authority": "LA", "region": "R",
                  "public_body": public} for n, (care, public, _) in enumerate(plans)]
    returns = Returns()
    for (care, _, months), loc in zip(plans, locations, strict=True):
        for period, what in zip(PERIODS, months, strict=True):
            on_time = set(care) if what == "on_time" else set(care[:1]) if what == "partial" and len(care) > 1 else set()
            returns.on_time.setdefault(period, {})[loc["location_id"]] = on_time
            if what == "late":
                returns.late.setdefault(period, {})[loc["location_id"]] = set(care)
    store, mailer, cases = MemoryStore(), Mailer(), Cases()
    service = ComplianceService(store, Inputs(locations), returns, cases, mailer, Clock())
    for i in order:
        service.count_window(PERIODS[i], AT)
    # Counting a month before the month ahead of it can leave a step owed (the earlier month raises the
    # later one's stage after it was counted): one pass in calendar order takes it; after that, nothing.
    for period in PERIODS:
        service.count_window(period, AT)
    # the support team accepts some late returns; then counts some months again
    expected = {}
    for (care, _, months), loc in zip(plans, locations, strict=True):
        for period, what in zip(PERIODS, months, strict=True):
            accepted = what == "late" and data.draw(st.booleans(), label=f"accept {loc['location_id']} {period}")
            if accepted:
                for care_type in care:
                    if store.get(loc["location_id"]).history[period]["status"] == "missed":
                        service.correct(loc["location_id"], period, care_type, "outage", "admin")
            expected[(loc["location_id"], period)] = "completed" if what == "on_time" or accepted else "missed"
    # A correction can leave a step owed in a later month (a miss after the corrected month is a new first
    # miss, as if the return had been on time): the next counting pass takes it; after that, nothing.
    for period in PERIODS:
        service.count_window(period, AT)
    writes, sent, case_calls = store.writes, len(mailer.sent), len(cases.calls)
    for i in reruns:
        result = service.count_window(PERIODS[i], AT)
        assert result["states_written"] == 0 and result["actions"] == {}
    assert (store.writes, len(mailer.sent), len(cases.calls)) == (writes, sent, case_calls)

    for loc in locations:
        history = store.get(loc["location_id"]).history
        statuses = {p: expected[(loc["location_id"], p)] for p in PERIODS}
        assert {p: e["status"] for p, e in history.items()} == statuses
        for p in PERIODS:
            oracle = figures_after(statuses, p)
            assert (history[p]["consecutive_misses"], history[p]["misses_last_12"], history[p]["stage"]) == (
                oracle.consecutive_misses, oracle.misses_last_12, oracle.stage.value)
    for period in PERIODS:
        totals = store.window(period)["ALL"]
        misses = sum(expected[(lo["location_id"], period)] == "missed" for lo in locations)
        assert (totals["expected"], totals["missed"], totals["completed"]) == (len(locations), misses, len(locations) - misses)
        assert all(t.get("status") in ("done", "no_recipient") for t in store.tasks(period).values())
    public = {lo["location_id"] for lo in locations if lo["public_body"]}
    assert not any(set(locs) & public for _, _, locs in cases.calls)
    assert len({(m.to, m.subject) for m in mailer.sent}) == len(mailer.sent)
    json.dumps(store.windows)  # the aggregates are plain numbers
