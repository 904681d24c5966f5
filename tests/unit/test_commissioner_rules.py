"""rules/commissioners.py: organisational email, distance, age in words, out-of-date figures, vacancies."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from care_tracker.rules.commissioners import (
    Home,
    age_text,
    centre,
    free_mail,
    haversine_km,
    last_window_opened,
    out_of_date,
    vacancies,
)

UTC = timezone.utc
lat = st.floats(min_value=49, max_value=61, allow_nan=False)
lon = st.floats(min_value=-9, max_value=2.5, allow_nan=False)


@pytest.mark.parametrize("email, free", [
    ("pat@gmail.com", True), ("pat@GoogleMail.com", True), ("pat@mail.yahoo.co.uk", True), ("pat@hotmail.co.uk", True),
    ("pat@btinternet.com", True), ("pat@leeds.gov.uk", False), ("pat@nhs.net", False), ("pat@notgmail.com", False),
    ("pat@gmail.com.", True),
])
def test_free_mail_domains(email, free):
    assert free_mail(email) is free


def test_known_distances():
    # Leeds station to York station: about 34 km as the crow flies
    assert haversine_km(53.7953, -1.5474, 53.9583, -1.0931) == pytest.approx(34.0, abs=1.5)
    # London (Charing Cross) to Edinburgh (Waverley): about 534 km
    assert haversine_km(51.5073, -0.1276, 55.9521, -3.1889) == pytest.approx(534, abs=5)


@given(lat, lon, lat, lon)
def test_distance_is_symmetric_non_negative_and_zero_only_at_the_same_point(a, b, c, d):
    there = haversine_km(a, b, c, d)
    assert there == pytest.approx(haversine_km(c, d, a, b), abs=1e-9)
    assert there >= 0 and haversine_km(a, b, a, b) == pytest.approx(0, abs=1e-6)
    assert there <= math.pi * 6371.0088 + 1e-6


@given(lat, lon, lat, lon, lat, lon)
def test_triangle_inequality(a, b, c, d, e, f):
    assert haversine_km(a, b, e, f) <= haversine_km(a, b, c, d) + haversine_km(c, d, e, f) + 1e-6


def test_centre_of_a_postcode():
    assert centre([]) is None
    assert centre([(53.0, -1.0), (53.2, -1.2)]) == pytest.approx((53.1, -1.1))


NOW = datetime(2026, 3, 12, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("ago, text", [
    (timedelta(seconds=0), "saved just now"), (timedelta(seconds=-30), "saved just now"),
    (timedelta(minutes=1), "saved 1 minute ago"), (timedelta(minutes=59, seconds=59), "saved 59 minutes ago"),
    (timedelta(hours=1), "saved 1 hour ago"), (timedelta(hours=23), "saved 23 hours ago"),
    (timedelta(days=1), "saved 1 day ago"), (timedelta(days=3, hours=5), "saved 3 days ago"),
    (timedelta(days=400), "saved 400 days ago"),
])
def test_age_in_words(ago, text):
    assert age_text(NOW - ago, NOW) == text


@given(st.integers(min_value=60, max_value=10**8))
def test_age_never_shrinks_as_time_passes(seconds):
    def rank(text):
        n = int(text.split()[1])
        unit = text.split()[2].rstrip("s")
        return {"minute": 60, "hour": 3600, "day": 86400}[unit] * n

    saved = NOW - timedelta(seconds=seconds)
    assert rank(age_text(saved, NOW)) <= rank(age_text(saved, NOW + timedelta(seconds=3600)))


def test_out_of_date_is_before_the_most_recent_window_to_open():
    # March 2026's window opens at 00:00 London on Sunday 8 March (GMT)
    opened = datetime(2026, 3, 8, 0, 0, tzinfo=UTC)
    assert last_window_opened(NOW).period == "2026-03"
    assert not out_of_date(opened, NOW) and out_of_date(opened - timedelta(seconds=1), NOW)
    # before March's window opens, February's is the last one: figures saved in it are not out of date
    early = datetime(2026, 3, 5, tzinfo=UTC)
    assert last_window_opened(early).period == "2026-02"
    assert not out_of_date(datetime(2026, 2, 10, tzinfo=UTC), early)
    assert out_of_date(datetime(2026, 2, 7, tzinfo=UTC), early)
    # in summer the window opens at 23:00 UTC the day before
    june = datetime(2026, 6, 9, tzinfo=UTC)
    assert not out_of_date(datetime(2026, 6, 7, 23, 0, tzinfo=UTC), june)
    assert out_of_date(datetime(2026, 6, 7, 22, 59, tzinfo=UTC), june)


def home(n, vacant, nursing=False, kind="figures", at=None):
    return Home(location_id=f"1-{n}", name=f"Home {n:02d}", nursing=nursing, kind=kind, vacant_accepting=vacant,
                latitude=at[0] if at else None, longitude=at[1] if at else None)


def test_vacancies_filter_and_order():
    homes = [home(1, 0), home(2, 3, nursing=True, at=(53.80, -1.55)), home(3, 1, at=(53.90, -1.55)),
             home(4, 5, kind="nil"), home(5, 2), home(6, 4, at=(53.81, -1.55))]
    names = lambda rows: [h.location_id for h, _ in rows]  # noqa: E731
    assert names(vacancies(homes)) == ["1-2", "1-3", "1-5", "1-6"]  # by name without an origin
    assert names(vacancies(homes, origin=(53.80, -1.55))) == ["1-2", "1-6", "1-3", "1-5"]  # nearest, then no coordinates
    assert names(vacancies(homes, nursing=True)) == ["1-2"]
    assert names(vacancies(homes, nursing=False, min_vacant=2)) == ["1-5", "1-6"]
    assert names(vacancies(homes, min_vacant=0)) == ["1-2", "1-3", "1-5", "1-6"]  # never a home with none vacant
    [(_, distance)] = vacancies([homes[2]], origin=(53.80, -1.55))
    assert distance == pytest.approx(11.1, abs=0.1)


@given(st.lists(st.tuples(st.integers(0, 9), st.booleans(), st.sampled_from(["figures", "nil"]),
                          st.none() | st.tuples(lat, lon)), max_size=30),
       st.none() | st.booleans(), st.integers(0, 9), st.none() | st.tuples(lat, lon))
def test_vacancies_properties(raw, nursing, min_vacant, origin):
    homes = [home(i, v, nursing=n, kind=k, at=at) for i, (v, n, k, at) in enumerate(raw)]
    rows = vacancies(homes, nursing=nursing, min_vacant=min_vacant, origin=origin)
    expected = {h.location_id for h in homes if h.kind == "figures" and h.vacant_accepting >= max(1, min_vacant)
                and (nursing is None or h.nursing == nursing)}
    assert {h.location_id for h, _ in rows} == expected
    distances = [d for _, d in rows]
    known = [d for d in distances if d is not None]
    assert known == sorted(known) and distances[:len(known)] == known  # nearest first, the rest after
    assert all((d is not None) == (origin is not None and h.latitude is not None) for h, d in rows)
