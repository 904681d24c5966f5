"""Every request body of every route (issue 9): booleans are strict (no "yes" for true), and no name
or free-text field takes NUL or other control characters."""
from __future__ import annotations

from typing import Annotated, Any, get_args, get_origin

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

# Secrets passed verbatim to Cognito (issue 15's routes): not names or free text.
SECRETS = {"password", "new_password", "session", "code"}


def _body_models() -> dict[str, type[BaseModel]]:
    import app  # noqa: F401 - registers every route
    from functions.capabilities import routes

    found: dict[str, type[BaseModel]] = {}

    def add(model):
        if model.__name__ in found:
            return
        found[model.__name__] = model
        for field in model.model_fields.values():
            for inner in (field.annotation, *get_args(field.annotation)):
                for candidate in (inner, *get_args(inner)):
                    if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                        add(candidate)

    for spec in routes():
        if spec.body is not None:
            add(spec.body)
    return found


MODELS = _body_models()


def _bools(schema: Any) -> list[dict]:
    if isinstance(schema, dict):
        here = [schema] if schema.get("type") == "bool" else []
        return here + [b for value in schema.values() for b in _bools(value)]
    if isinstance(schema, list):
        return [b for value in schema for b in _bools(value)]
    return []


@pytest.mark.parametrize("name", sorted(MODELS))
def test_booleans_in_request_bodies_are_strict(name):
    for found in _bools(MODELS[name].__pydantic_core_schema__):
        assert found.get("strict") is True, (name, found)


def test_a_yes_is_not_a_true():
    from functions.registrations import RegistrationRequest

    with pytest.raises(ValidationError) as refused:
        RegistrationRequest.model_validate({"full_name": "Sam", "email": "sam@example.org", "phone": "020 7946 0000",
                                            "job_title": "Carer", "location_ids": ["1-1"], "terms_accepted": True,
                                            "comms_consent": "yes"})
    assert [e["loc"] for e in refused.value.errors()] == [("comms_consent",)]


def _string_fields():
    for name, model in sorted(MODELS.items()):
        for field_name, field in model.model_fields.items():
            if field_name in SECRETS:
                continue
            annotation = field.annotation
            options = get_args(annotation) if get_origin(annotation) not in (None, Annotated) else (annotation,)
            if any(o is str or (get_origin(o) is Annotated and get_args(o)[0] is str) for o in options):
                yield pytest.param(model, field_name, id=f"{name}.{field_name}")


@pytest.mark.parametrize(("model", "field_name"), list(_string_fields()))
@pytest.mark.parametrize("bad", ["Sam\x00 Smith", "Sam\x07Smith", "Sam\u202eSmith", "Sam\x1bSmith", "Sam\x7fSmith"])
def test_no_text_field_takes_control_characters(model, field_name, bad):
    field = model.model_fields[field_name]
    adapter = TypeAdapter(Annotated[field.annotation, *field.metadata] if field.metadata else field.annotation)
    with pytest.raises(ValidationError):
        adapter.validate_python(bad)


def test_a_line_break_is_free_text_but_not_a_name():
    from functions.enforcement import StepRequest
    from functions.registrations import RegistrationRequest

    assert StepRequest.model_validate({"action": "close", "reason": "First line\r\nsecond line"}).reason == "First line\nsecond line"
    with pytest.raises(ValidationError):
        RegistrationRequest.model_validate({"full_name": "Sam\nSmith", "email": "sam@example.org", "phone": "020 7946 0000",
                                            "job_title": "Carer", "location_ids": ["1-1"], "terms_accepted": True,
                                            "comms_consent": False})


@pytest.mark.parametrize("email", ["0@0.0", "a@b.1", "x@y"])
def test_an_email_cognito_would_refuse_is_refused_first(email):
    from functions.schema import Email

    with pytest.raises(ValidationError):
        TypeAdapter(Email).validate_python(email)
    assert TypeAdapter(Email).validate_python("Sam@Example.ORG") == "sam@example.org"
