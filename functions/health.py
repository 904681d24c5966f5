"""Liveness and the API's own description."""
from chalice import Blueprint

from functions.http import json_response, route
from functions.schema import BaseModel  # pydantic's, with deferred building set (see schema.py)

bp = Blueprint(__name__)


class Health(BaseModel):
    status: str


@route(bp, "/health", summary="Is the service up", public=True, response=Health, tag="service")
def health():
    return Health(status="ok")


@route(bp, "/openapi.json", summary="This document: every route, with its input and output models", public=True, tag="service")
def openapi():
    from functions.openapi import openapi_document

    return json_response(openapi_document())
