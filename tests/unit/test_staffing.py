"""RULES 1.3: locations with fewer than two active users are flagged."""
from hypothesis import given
from hypothesis import strategies as st

from care_tracker.rules.staffing import MIN_ACTIVE_USERS, thinly_staffed


def loc(location_id, status="active", org="1-1"):
    return {"location_id": location_id, "name": f"Home {location_id}", "org_id": org, "status": status}


def test_examples():
    locations = [loc("1-1"), loc("1-2"), loc("1-3"), loc("1-4", "deregistered"), loc("1-5", "dormant")]
    grants = [(True, ["1-1", "1-2"]), (True, ["1-1", "1-1"]), (False, ["1-2", "1-3"]), (True, ["1-4"])]
    assert thinly_staffed(locations, grants) == [
        {"location_id": "1-2", "name": "Home 1-2", "organisation_id": "1-1", "active_users": 1},
        {"location_id": "1-3", "name": "Home 1-3", "organisation_id": "1-1", "active_users": 0},
        {"location_id": "1-5", "name": "Home 1-5", "organisation_id": "1-1", "active_users": 0},
    ]


ids = st.sampled_from([f"1-{i}" for i in range(6)])


@given(st.lists(st.tuples(st.booleans(), st.lists(ids, max_size=4)), max_size=12),
       st.dictionaries(ids, st.sampled_from(["active", "dormant", "deregistered"])))
def test_flagged_exactly_when_fewer_than_two_active_users(grants, statuses):
    locations = [loc(i, s) for i, s in statuses.items()]
    flagged = {row["location_id"]: row["active_users"] for row in thinly_staffed(locations, grants)}
    for location_id, status in statuses.items():
        users = sum(1 for active, granted in grants if active and location_id in granted)
        expected = status != "deregistered" and users < MIN_ACTIVE_USERS
        assert (location_id in flagged) == expected
        if expected:
            assert flagged[location_id] == users
