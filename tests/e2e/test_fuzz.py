"""schemathesis over the served document finds no 5xx and no accepted invalid request, anonymous and
signed in as the support team and as an approver, unknown methods (TRACE) included (issue 9).
Few examples per operation (the coverage phase's boundary and invalid values come on top);
`python -m bench.fuzz --examples 25` runs the same at length."""
from __future__ import annotations

import pytest

from bench.fuzz import fuzz

pytestmark = pytest.mark.e2e


def test_schemathesis_finds_no_server_error_and_no_accepted_invalid_request():
    results = fuzz(examples=2, phases="coverage,fuzzing,stateful")
    assert set(results) == {"anonymous", "support team", "approver"}
    for role, result in results.items():
        assert result["exit_code"] == 0 and not result["failures"], (role, result["failures"], result["output_tail"])
        assert result["cases"] and result["cases"] > 500, (role, result["cases"])  # the run really covered the API
