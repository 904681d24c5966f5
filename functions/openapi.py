"""The OpenAPI 3 document, built from the route declarations and the pydantic models they validate with."""
from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from functions.http import ROUTES, RouteSpec

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


def _operation(spec: RouteSpec, components: dict[str, Any]) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": spec.summary, "tags": [spec.tag], "responses": {}}
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
        ok["content"] = {"application/json": {"schema": _ref(spec.response, components)}}
    op["responses"][str(spec.status)] = ok
    error = {"description": "An error the caller can act on", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    op["responses"]["4XX"] = error
    if not spec.public:
        op["security"] = [{"bearer": []}]
        if spec.roles:
            op["description"] = "Roles: " + ", ".join(spec.roles)
    return op


def openapi_document() -> dict[str, Any]:
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, Any] = {}
    for spec in ROUTES:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, components)
    return {
        "openapi": "3.0.3",
        "info": {"title": "Care Tracker API", "version": "1.0.0",
                 "description": "Monthly returns for CQC-registered adult social care providers, and care records for people who employ personal assistants."},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                           "description": "The ID token from POST /auth/login"}},
        },
    }
