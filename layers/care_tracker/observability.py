"""Powertools logging, metrics and tracing shared by the API and the scheduled handlers.

The Tracer is built on first use, not at import: constructing it loads the X-Ray SDK
(~260 ms), more than the whole cold-start budget of the API module.
"""
from __future__ import annotations

from functools import lru_cache

from aws_lambda_powertools import Logger, Metrics

SERVICE = "care-tracker"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="CareTracker", service=SERVICE)


@lru_cache(maxsize=1)
def tracer():
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)
