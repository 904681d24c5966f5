"""What a case offers and what its steps route takes are one list (issue 9)."""
from __future__ import annotations

import pytest
from pydantic import ValidationError


def test_every_action_a_case_can_offer_is_accepted_by_the_steps_route():
    from care_tracker.rules.enforcement import CaseState, allowed_actions
    from functions.enforcement import StepRequest

    offered = {action.value for state in CaseState for action in allowed_actions(state)}
    assert "mark_deadline_passed" in offered
    for action in offered:
        assert StepRequest.model_validate({"action": action, "reason": "because"}).action == action
    with pytest.raises(ValidationError):
        StepRequest.model_validate({"action": "burn_the_file", "reason": "because"})


def test_the_documented_enum_of_the_steps_route_is_every_action():
    from care_tracker.rules.enforcement import CaseAction
    from functions.enforcement import StepRequest

    assert set(StepRequest.model_json_schema()["properties"]["action"]["enum"]) == {a.value for a in CaseAction}
