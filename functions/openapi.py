"""The OpenAPI 3 document, built from the route declarations and the pydantic models they validate with."""
from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from functions.http import RouteSpec

ERROR_SCHEMA = {
    "type": "object",
    "required": ["code", "message", "details"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
}


def _ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


# OpenAPI links (3.1, "Link Object"): from operations that create or list things to those that take
# their ids, so generated clients and schemathesis' stateful phase can follow them.
# (operation, its success status) -> {link name: (target operationId, {parameter: runtime expression})}
LINKS: dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("create_registration", "201"): {
        "ApproveRegistration": ("approve_registration", {"registration_id": "$response.body#/id"}),
        "RejectRegistration": ("reject_registration", {"registration_id": "$response.body#/id"})},
    ("list_registrations", "200"): {
        "ApproveRegistration": ("approve_registration", {"registration_id": "$response.body#/registrations/0/id"}),
        "RejectRegistration": ("reject_registration", {"registration_id": "$response.body#/registrations/0/id"})},
    ("list_cases", "200"): {
        "GetCase": ("get_case", {"case_id": "$response.body#/cases/0/case_id"}),
        "TakeStep": ("take_step", {"case_id": "$response.body#/cases/0/case_id"})},
    ("get_case", "200"): {"TakeStep": ("take_step", {"case_id": "$response.body#/case_id"})},
    ("list_users", "200"): {
        "Deactivate": ("deactivate", {"user_id": "$response.body#/users/0/user_id"}),
        "Promote": ("promote", {"user_id": "$response.body#/users/0/user_id"}),
        "ChangeDetails": ("change_details", {"user_id": "$response.body#/users/0/user_id"})},
    ("me", "200"): {
        "MonthOfReturns": ("month_returns", {"location_id": "$response.body#/location_ids/0"}),
        "LocationCompliance": ("location_compliance", {"location_id": "$response.body#/location_ids/0"}),
        "SaveReturn": ("save_return", {"location_id": "$response.body#/location_ids/0"})},
    ("search", "200"): {
        "LocationCompliance": ("location_compliance", {"location_id": "$response.body#/locations/0/location_id"})},
    ("create_export", "201"): {"ExportLink": ("export_link", {"export_id": "$response.body#/export_id"})},
    ("send_feedback", "201"): {
        "Answer": ("answer_feedback", {"feedback_id": "$response.body#/id"}),
        "Close": ("close_feedback", {"feedback_id": "$response.body#/id"})},
    ("inbox", "200"): {
        "Answer": ("answer_feedback", {"feedback_id": "$response.body#/feedback/0/id"}),
        "Close": ("close_feedback", {"feedback_id": "$response.body#/feedback/0/id"})},
    ("post_suggestion", "201"): {
        "Vote": ("vote", {"suggestion_id": "$response.body#/id"}),
        "WithdrawVote": ("withdraw_vote", {"suggestion_id": "$response.body#/id"}),
        "SetStatus": ("set_status", {"suggestion_id": "$response.body#/id"}),
        "Merge": ("merge", {"suggestion_id": "$response.body#/id"}),
        "Hide": ("hide", {"suggestion_id": "$response.body#/id"})},
    ("list_suggestions", "200"): {
        "Vote": ("vote", {"suggestion_id": "$response.body#/suggestions/0/id"})},
}


def _operation(spec: RouteSpec, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": spec.operation_id, "summary": spec.summary, "tags": [spec.tag], "responses": {}}
    params = [{"name": n, "in": "path", "required": True, "schema": {"type": "string"}}
              for n in re.findall(r"{(\w+)}", spec.path)]
    if spec.query is not None:
        for name, f in spec.query.model_fields.items():
            params.append({"name": f.alias or name, "in": "query", "required": f.is_required(),
                           "description": f.description or "", "schema": {"type": "string"}})
    if params:
        op["parameters"] = params
    if spec.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(spec.body, components)}}}
    ok: dict[str, Any] = {"description": "OK"}
    if spec.response is not None:
        ok["content"] = {"application/json": {"schema": _ref(spec.response_model(), components)}}
    links = LINKS.get((spec.operation_id, str(spec.status)))
    if links:
        ok["links"] = {name: {"operationId": target, "parameters": params} for name, (target, params) in links.items()}
    op["responses"][str(spec.status)] = ok
    error = {"description": "An error the caller can act on", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    op["responses"]["4XX"] = error
    if not spec.public:
        op["security"] = [{"bearer": []}]
        if spec.roles:
            op["description"] = "Roles: " + ", ".join(spec.roles)
    return op


def openapi_document() -> dict[str, Any]:
    from functions.capabilities import routes

    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for spec in routes():
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Care Tracker API", "version": "1.0.0",
                 "description": "Monthly returns for CQC-registered adult social care providers, and care records for people who employ personal assistants."},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                           "description": "The ID token from POST /auth/login"}},
        },
    }
