"""How a Chalice route becomes a thin entry point: authenticate, parse the input into a pydantic
model, call one service function, map the result (or an AppError) to a JSON response.

Each route is declared once, with its models, and that declaration also feeds /openapi.json.

pydantic is not imported here: the models and their shared pieces are in functions/schema.py, loaded
with the first route that has a model. GET /me, the call every client makes first, has none, so a
cold start answering it does not pay for pydantic (issue 9).
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from care_tracker.errors import AppError, Forbidden

if TYPE_CHECKING:
    from pydantic import BaseModel

JSON_HEADERS = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class RouteSpec:
    path: str
    method: str
    summary: str
    public: bool
    roles: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    # The answer's model, or a function returning it: a route kept free of pydantic names its model
    # lazily, and only the OpenAPI document loads it (see response_model).
    response: type[BaseModel] | Callable[[], type[BaseModel]] | None = None
    status: int = 200
    tag: str = "care-tracker"
    errors: tuple[int, ...] = field(default=())
    commissioners: bool = False  # whether a commissioner may call it (see route())
    operation_id: str = ""  # the view's name: OpenAPI's operationId, the method name in generated clients


    def response_model(self) -> type[BaseModel] | None:
        if self.response is None or isinstance(self.response, type):
            return self.response
        return self.response()


ROUTES: list[RouteSpec] = []

COMMISSIONER = "commissioner"
READ_ONLY = "Commissioner accounts are read-only: they can look at returns but cannot change anything."


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if hasattr(payload, "model_dump"):  # a pydantic model; pydantic itself is not imported here (see above)
        payload = payload.model_dump(mode="json", exclude_none=False)
    return Response(body=json.dumps(payload, default=str), status_code=status, headers={**JSON_HEADERS, **(headers or {})})


def error_response(error: AppError) -> Response:
    return json_response(error.to_dict(), error.status, getattr(error, "headers", None))


def request_id_of(request) -> str:
    """API Gateway's id for the request; middleware.install gives one to requests that arrive without
    (chalice local, the test client), so a 500's message always quotes something the logs hold."""
    context = request.context if request.context is not None else {}
    if not context.get("requestId"):
        import uuid

        context["requestId"] = str(uuid.uuid4())
    return context["requestId"]


def request_path(request) -> str:
    """The path the caller asked for (not the route pattern that matched it): API Gateway's `path`
    (without the stage), or chalice local's requestContext.path."""
    event = getattr(request, "_event_dict", None) or {}
    return event.get("path") or (request.context or {}).get("path") or request.path


def internal_error(request) -> Response:
    from care_tracker.observability import logger

    request_id = request_id_of(request)
    logger.exception("unhandled error", extra={"route": f"{request.method} {request.context.get('resourcePath', '')}"})
    return json_response({"code": "internal_error", "details": {"request_id": request_id},
                          "message": "Something went wrong on our side and it has been logged. Try again in a few minutes; "
                                     f"if it keeps happening, contact the support team quoting {request_id}."}, 500)


def authenticate(request) -> Any:
    from care_tracker.services.callers import authenticate as caller_of
    from care_tracker.wiring import token_verifier, users

    return caller_of(request.headers.get("authorization"), token_verifier(), users())


def route(
    bp: Blueprint, path: str, method: str = "GET", *, summary: str, public: bool = False,
    roles: tuple[str, ...] = (), body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
    response: type[BaseModel] | Callable[[], type[BaseModel]] | None = None, status: int = 200, tag: str = "care-tracker",
    commissioners: bool = False, content_types: tuple[str, ...] = ("application/json",),
) -> Callable:
    """Registers `fn` as a route. `fn` gets the path parameters, and `caller`, `body`, `query` when
    the route has them; it returns a pydantic model, a dict, or a chalice Response.

    Commissioners (RULES 1.5a) are read-only by construction: a caller holding that role reaches only
    routes that name it in `roles` or set `commissioners=True`, and a write route (any method but GET)
    only if it opts in with `commissioners=True` itself; everything else is a 403 before the input is read."""

    if COMMISSIONER in roles and method != "GET" and not commissioners:
        raise ValueError(f"{method} {path}: a write route admits commissioners only with commissioners=True")
    spec = RouteSpec(path=path, method=method, summary=summary, public=public, roles=roles, body=body,
                     query=query, response=response, status=status, tag=tag,
                     commissioners=commissioners or COMMISSIONER in roles)

    def decorate(fn: Callable) -> Callable:
        nonlocal spec
        spec = RouteSpec(**{**spec.__dict__, "operation_id": fn.__name__})

        @functools.wraps(fn)
        def view(**params: str) -> Response:
            request = bp.current_request
            try:
                kwargs: dict[str, Any] = dict(params)
                if not public:
                    caller = authenticate(request)
                    if caller.has(COMMISSIONER) and not spec.commissioners:
                        raise Forbidden(READ_ONLY, code="read_only") if method != "GET" else Forbidden(
                            "Commissioner accounts see their areas' returns, vacancies and completeness only.",
                            code="wrong_role")
                    if roles and not caller.has(*roles):
                        waiting = caller.awaiting_mfa.intersection(roles)
                        if waiting:  # e.g. promoted to approver, not yet enrolled in two-step sign-in
                            from care_tracker.services.auth import mfa_needed_message

                            raise Forbidden(mfa_needed_message(waiting), code="mfa_enrolment_required")
                        raise Forbidden("Your account does not have the role needed for this.", code="wrong_role")
                    kwargs["caller"] = caller
                if body is not None:
                    from functions.schema import parse_body

                    kwargs["body"] = parse_body(request.raw_body, body)
                if query is not None:
                    from functions.schema import parse_query

                    kwargs["query"] = parse_query(request.query_params, query)
                result = fn(**kwargs)
            except AppError as error:
                return error_response(error)
            except Exception:  # a bug: logged with its traceback, answered in the same shape
                return internal_error(request)
            return result if isinstance(result, Response) else json_response(result, status)

        view.route_spec = spec  # type: ignore[attr-defined]
        ROUTES.append(spec)
        # No API Gateway authorizer: the function verifies the token itself on every request, the
        # same deployed, under `chalice local` and in tests (where Chalice's Cognito authorizer is not
        # enforced), and it must read the account anyway to refuse a deactivated one at once.
        bp.route(path, methods=[method], content_types=list(content_types))(view)
        return view

    return decorate
