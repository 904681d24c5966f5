"""What wraps every API request: UK-only access, Powertools logging with a correlation id, and tracing."""
from __future__ import annotations

import time

from chalice import Chalice, ConvertToMiddleware
from chalice.app import Request

from care_tracker.errors import Forbidden
from care_tracker.observability import logger, metrics, tracer
from functions.http import error_response

OUTSIDE_UK = Forbidden(
    "Care Tracker can only be used from within the UK. If you are in the UK, turn off any VPN and try again.",
    code="outside_uk",
)


def install(app: Chalice) -> None:
    app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context(correlation_id_path="requestContext.requestId", clear_state=True)))
    app.register_middleware(ConvertToMiddleware(metrics.log_metrics))

    @app.middleware("http")
    def uk_only(event: Request, get_response):
        # CloudFront sets this header on edge-optimised APIs; the WAF web ACL blocks earlier still.
        country = event.headers.get("cloudfront-viewer-country")
        if country is not None and country.upper() != "GB":
            return error_response(OUTSIDE_UK)
        return get_response(event)

    @app.middleware("http")
    def traced_and_logged(event: Request, get_response):
        route = f"{event.method} {event.context.get('resourcePath', '')}"
        started = time.perf_counter()
        # The Tracer is built here, on the first request, not at import (see observability.py).
        with tracer().provider.in_subsegment(f"## {route}"):
            response = get_response(event)
        # The route template, never the body, query or headers: no personal data in logs.
        logger.info("request", extra={"route": route, "status": response.status_code,
                                      "ms": round((time.perf_counter() - started) * 1000, 1)})
        return response
