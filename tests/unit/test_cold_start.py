"""The collector is paused while a Lambda container answers its first request (functions/cold_start.py),
then what the cold start loaded is frozen and the collector is on again; outside Lambda it is untouched."""
from __future__ import annotations

import json

from tests.unit.test_capabilities import _fresh

FIRST_REQUESTS = """
import gc, json
from chalice.test import Client
from app import app
at_import = gc.isenabled()
with Client(app) as client:
    first = client.http.get("/me", headers={"Authorization": "Bearer abc.def.ghi"}).status_code
    after_first, frozen = gc.isenabled(), gc.get_freeze_count()
    client.http.get("/me", headers={"Authorization": "Bearer abc.def.ghi"})
print(json.dumps({"at_import": at_import, "first": first, "after_first": after_first, "frozen": frozen,
                  "enabled_later": gc.isenabled()}))
"""


def test_in_lambda_the_collector_waits_for_the_first_answer():
    seen = json.loads(_fresh(FIRST_REQUESTS, AWS_LAMBDA_FUNCTION_NAME="care-tracker-api"))
    assert seen["at_import"] is False
    assert seen["first"] == 401  # answered through the middleware, an error included
    assert seen["after_first"] is True and seen["frozen"] > 10_000  # the modules, botocore's data
    assert seen["enabled_later"]


def test_outside_lambda_the_collector_is_left_alone():
    seen = json.loads(_fresh(FIRST_REQUESTS, AWS_LAMBDA_FUNCTION_NAME=""))
    assert seen["at_import"] is True and seen["after_first"] is True
    assert seen["frozen"] == 0
