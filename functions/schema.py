"""What the routes' pydantic models share: strict request bodies, emails, names and free text, instants,
named locations; and parsing a request's body or query string into a model, with a 400 a person can
act on. functions/http.py imports this on a route's first request with a body or query, not before.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError

from care_tracker.errors import BadRequest, ValidationFailed

# Every model of the API builds its validator when first used, not at import: a cold start then pays
# for the few models its request touches, not the ~100 of every route (about 60% of the API's import).
# Set on BaseModel itself, before any blueprint defines a model, so every model inherits it.
BaseModel.model_config["defer_build"] = True

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
