"""How a Chalice route becomes a thin entry point: authenticate, parse the input into a pydantic
model, call one service function, map the result (or an AppError) to a JSON response.

Each route is declared once, with its models, and that declaration also feeds /openapi.json.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from chalice import Blueprint, Response
from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError

from care_tracker.errors import AppError, BadRequest, Forbidden, ValidationFailed

# Every model of the API builds its validator when first used, not at import: a cold start then pays
# for the few models its request touches, not the ~100 of every route (about 60% of the API's import).
# Set on BaseModel itself, before any blueprint defines a model, so every model inherits it.
BaseModel.model_config["defer_build"] = True

JSON_HEADERS = {"Content-Type": "application/json"}

# An email address, compared case-insensitively everywhere, so stored lower-case. The domain ends in a
# name of letters, as Cognito requires ("0@0.0" was a 500 from AdminCreateUser; found by schemathesis).
Email = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=254,
                                         pattern=r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")]




def _iso_text(value: Any) -> Any:
    # pydantic would read a number as seconds since 1970; the API documents an ISO 8601 string.
    if not isinstance(value, (str, datetime)):
        raise ValueError("give an ISO 8601 instant as a string, e.g. 2026-12-09T10:00:00+00:00")
    return value


def _plausible(value: datetime) -> datetime:
    # Calendars and time zones are only ever needed for the service's own years; year 1 or 9999 would
    # overflow on the way to Europe/London.
    if not 2000 <= value.year <= 2100:
        raise ValueError("give an instant between the years 2000 and 2100")
    return value


def _refuse_control(multiline: bool):
    def check(text: str) -> str:
        from care_tracker.rules.feedback import control_characters

        found = control_characters(text, multiline=multiline)
        if found:
            raise ValueError(f"remove the invisible or control characters ({', '.join(found[:5])}); "
                             + ("only plain text and line breaks are accepted" if multiline else "use one line of plain text"))
        return text

    return AfterValidator(check)


def _normalised(value: Any) -> Any:
    from care_tracker.rules.feedback import normalise_text

    return normalise_text(value) if isinstance(value, str) else value


def text(max_length: int, *, multiline: bool, min_length: int = 1) -> Any:
    """A name or free text in a request: trimmed, Windows line ends made plain, and no NUL, control or
    invisible format characters (a line break only where `multiline`)."""
    return Annotated[str, BeforeValidator(_normalised), StringConstraints(min_length=min_length, max_length=max_length),
                     _refuse_control(multiline)]


# A person's name, a job title, an organisation's name: one line of plain text.
Name = text(200, multiline=False)

# An instant in a request: an ISO 8601 string with a UTC offset, in the service's range of years.
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_plausible)]


class NamedLocation(BaseModel):
    """A location's id with its name, wherever an answer lists locations for people to read."""

    location_id: str
    name: str | None


class Strict(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


@dataclass(frozen=True)
class RouteSpec:
    path: str
    method: str
    summary: str
    public: bool
    roles: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    tag: str = "care-tracker"
    errors: tuple[int, ...] = field(default=())
    commissioners: bool = False  # whether a commissioner may call it (see route())
    operation_id: str = ""  # the view's name: OpenAPI's operationId, the method name in generated clients


ROUTES: list[RouteSpec] = []

COMMISSIONER = "commissioner"
READ_ONLY = "Commissioner accounts are read-only: they can look at returns but cannot change anything."


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    if isinstance(payload, BaseModel):
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


def _explain(exc: ValidationError, where: str) -> ValidationFailed:
    problems = []
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        name = ".".join(str(part) for part in err["loc"]) or where
        problems.append({"field": name, "problem": err["msg"]})
    text = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
    return ValidationFailed(f"Check the {where}: {text}.", details={"problems": problems})


def parse_body(raw: bytes | None, model: type[BaseModel]) -> BaseModel:
    if not raw:
        raise BadRequest("Send a JSON object as the request body.", code="missing_body")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}.", code="invalid_json") from exc
    except RecursionError as exc:  # '[' * 100000: no body of this API nests more than a few levels
        raise BadRequest("The request body nests too deeply to be one of this API's bodies.", code="invalid_json") from exc
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.", code="invalid_json")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, "request body") from exc


def parse_query(params: dict[str, str] | None, model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(params or {})
    except ValidationError as exc:
        raise _explain(exc, "query string") from exc


def authenticate(request) -> Any:
    from care_tracker.wiring import auth_service

    return auth_service().authenticate(request.headers.get("authorization"))


def route(
    bp: Blueprint, path: str, method: str = "GET", *, summary: str, public: bool = False,
    roles: tuple[str, ...] = (), body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None, status: int = 200, tag: str = "care-tracker",
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
                    kwargs["body"] = parse_body(request.raw_body, body)
                if query is not None:
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
