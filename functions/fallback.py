"""Unknown routes and wrong methods answer in the API's error shape, not the framework's."""
from __future__ import annotations

from chalice import Chalice

from care_tracker.errors import AppError, NotFound
from functions.http import error_response

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

    @app.route("/{proxy+}", methods=list(ALL_METHODS), name="unknown_route")
    def unknown_route(**_params):
        request = app.current_request
        return error_response(NotFound(f"There is no route {request.method} {request.path}. The routes are listed at /openapi.json.",
                                       code="unknown_route"))
