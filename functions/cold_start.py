"""The garbage collector is off while a Lambda container starts, until its first request is answered.

A cold start loads botocore, the X-Ray SDK, Powertools, Chalice and our modules, then builds a
DynamoDB client from botocore's endpoint and service data: hundreds of thousands of objects that live
as long as the container. With the collector on, it rescans them again and again as they are made,
about 80 ms of the first request (issue 9, `bench/cold_start`). Once that request is answered they are
frozen (never scanned again) and the collector is back on for everything made after them.
The cold start's own garbage (about 7 MB, mostly botocore's parsed data) is frozen with them: kept
for the container's life, rather than a full collection of 100,000 objects on a later request.
Only in Lambda: a test run or the local stack keeps its collector as it is."""
from __future__ import annotations

import gc
import os

_paused = False


def pause_collector() -> None:
    """Called first thing by the handler module."""
    global _paused
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME") and gc.isenabled():
        gc.disable()
        _paused = True


def first_request_answered() -> None:
    """Called after every request; does something only after the first."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
