"""GET /me answers a plain dict (functions/me.py, kept free of pydantic for the cold start): it must be
exactly what its declared model, functions.auth.Me, describes, no field missing, none extra."""
from __future__ import annotations

import pytest

from care_tracker.services.auth import Caller
from functions.auth import Me
from functions.me import me_view


@pytest.mark.parametrize("caller", [
    Caller(user_id="u-1", email="pa@example.org", full_name="Pat Able", roles=frozenset({"pa", "employer"}), org_id=None,
           location_ids=(), local_authorities=(), awaiting_mfa=frozenset(), mfa_enrolled=False),
    Caller(user_id="u-2", email="officer@example.org", full_name="Olu Officer", roles=frozenset({"support"}), org_id=None,
           location_ids=(), local_authorities=("Leeds",), awaiting_mfa=frozenset({"enforcement_officer"}), mfa_enrolled=False),
])
def test_the_answer_is_the_declared_model_field_for_field(caller):
    view = me_view(caller)
    assert set(view) == set(Me.model_fields), set(view) ^ set(Me.model_fields)
    assert Me.model_validate(view).model_dump(mode="json") == view
    assert view["roles"] == sorted(caller.roles | caller.awaiting_mfa)
