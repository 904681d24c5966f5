"""Powertools logging, metrics and tracing shared by the API and the scheduled handlers.

The Tracer is built on first use, not at import: constructing it loads the X-Ray SDK
(~260 ms), more than the whole cold-start budget of the API module.
"""
from __future__ import annotations

import warnings
from functools import lru_cache

from aws_lambda_powertools import Logger, Metrics

SERVICE = "care-tracker"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="CareTracker", service=SERVICE)
# Most requests record no business metric; that is normal, not worth a warning per request.
warnings.filterwarnings("ignore", message="No application metrics to publish")


@lru_cache(maxsize=1)
def tracer():
    from aws_lambda_powertools import Tracer

    # Only botocore is patched (DynamoDB, S3, SES, Cognito calls as subsegments): patching every library
    # the SDK knows imports a dozen of them on a cold start (about 0.5 s) for calls this service never makes.
    return Tracer(service=SERVICE, patch_modules=("botocore",))
