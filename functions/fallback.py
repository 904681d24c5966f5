"""Unknown routes and wrong methods answer in the API's error shape, not the framework's."""
from __future__ import annotations

from chalice import Chalice

from care_tracker.config import settings
from care_tracker.errors import AppError, NotFound
from functions.http import error_response, request_path

ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class MethodNotAllowed(AppError):
    status, code = 405, "method_not_allowed"


def install(app: Chalice) -> None:
    """Call after every blueprint is registered."""
    methods_by_path: dict[str, set[str]] = {}
    for path, entries in app.routes.items():
        methods_by_path[path] = set(entries)

    for path, used in methods_by_path.items():
        missing = [m for m in ALL_METHODS if m not in used]
        if not missing:
            continue
        allowed = ", ".join(sorted(used))

        def not_allowed(*_args, _allowed=allowed, **_params):
            method = app.current_request.method
            response = error_response(MethodNotAllowed(
                f"{method} is not allowed here; use {_allowed}.", details={"allowed": _allowed.split(", ")}))
            response.headers["Allow"] = _allowed
            return response

        app.route(path, methods=missing, name=f"not_allowed_{len(app.routes)}")(not_allowed)

    def unknown_route(**_params):
        request = app.current_request
        return error_response(NotFound(f"There is no route {request.method} {request_path(request)}. "
                                       "The routes are listed at /openapi.json.", code="unknown_route"))

    if settings().local:
        # `chalice local` matches only paths of the same depth and knows no greedy {proxy+}.
        for depth in range(1, 9):
            path = "".join(f"/{{p{i}}}" for i in range(depth))
            app.route(path, methods=list(ALL_METHODS), name=f"unknown_route_{depth}")(unknown_route)
    else:
        app.route("/{proxy+}", methods=list(ALL_METHODS), name="unknown_route")(unknown_route)
