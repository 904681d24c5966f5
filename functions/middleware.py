"""What wraps every API request: UK-only access, Powertools logging with a correlation id, and tracing."""
from __future__ import annotations

import time

from chalice import Chalice, ConvertToMiddleware
from chalice.app import Request

from care_tracker.errors import Forbidden
from care_tracker.observability import logger, metrics, tracer
from functions.cold_start import first_request_answered
from functions.http import error_response, json_response, request_id_of

OUTSIDE_UK = Forbidden(
    "Care Tracker can only be used from within the UK. If you are in the UK, turn off any VPN and try again.",
    code="outside_uk",
)


# Chalice's own answers (before any route runs) and what a person can do about each.
_FRAMEWORK_ERRORS = {
    415: ("unsupported_media_type", "Send the request body as JSON, with the header Content-Type: application/json."),
    405: ("method_not_allowed", "This method is not allowed here; the routes and their methods are listed at /openapi.json."),
    400: ("bad_request", "The request could not be read; check its headers and body."),
    500: ("internal_error", "Something went wrong on our side and it has been logged. Try again in a few minutes; "
                            "if it keeps happening, contact the support team quoting {request_id}."),
}


def _in_error_shape(response, request_id: str):
    """Chalice answers some requests itself ({"Code": ..., "Message": ...}: a Content-Type it does not
    take, a method a route lacks): those become API.md's error shape too."""
    body = response.body
    if not (isinstance(body, dict) and set(body) == {"Code", "Message"}):
        return response
    code, message = _FRAMEWORK_ERRORS.get(response.status_code, ("bad_request", "The request could not be handled."))
    details = {"request_id": request_id} if response.status_code >= 500 else {}
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    return json_response({"code": code, "message": message.format(request_id=request_id), "details": details},
                         response.status_code, headers)


def install(app: Chalice) -> None:
    @app.middleware("http")
    def request_id_and_error_shape(event: Request, get_response):
        # Outermost: a request id before the logger reads it (chalice local gives none), and the
        # error shape on whatever the framework answered.
        request_id = request_id_of(event)
        try:
            return _in_error_shape(get_response(event), request_id)
        finally:
            first_request_answered()

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
