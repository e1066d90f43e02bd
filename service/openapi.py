"""The OpenAPI document as the service really answers: its 422 body, its 413/503 responses."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.limits import QUESTION_PATHS

FIELD_ERROR = {
    "title": "FieldError",
    "type": "object",
    "required": ["field", "message", "type"],
    "properties": {
        "field": {
            "type": "string",
            "description": "the wrong field, dotted (history.0.content); body for the whole body",
        },
        "message": {"type": "string", "description": "why it is wrong"},
        "type": {"type": "string", "description": "a machine-readable kind (value_error, …)"},
    },
}
PROBLEM = {
    "title": "Problem",
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string", "description": "what is wrong and what to do"}},
}
OTHER_RESPONSES = {
    "413": "the request body is over WENDA_MAX_REQUEST_BYTES",
    "503": "no index is served (how to build or repair it), or every question slot is busy "
    "(with Retry-After)",
}


def problem(description: str) -> dict[str, Any]:
    ref = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def truthful_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with its 422 body replaced by ours ({"detail": [{"field", "message",
    "type"}]}) and the 413/503 answers of the question routes and the 404 of an article listed."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("ValidationError", None)
    schemas["FieldError"] = FIELD_ERROR
    schemas["HTTPValidationError"] = {
        "title": "HTTPValidationError",
        "type": "object",
        "required": ["detail"],
        "properties": {
            "detail": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}}
        },
    }
    schemas["Problem"] = PROBLEM
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            if path in QUESTION_PATHS and method == "post":
                for status, description in OTHER_RESPONSES.items():
                    responses.setdefault(status, problem(description))
            if path == "/articles/{doc_id}" and method in ("get", "delete"):
                responses.setdefault("404", problem("no article with that doc_id"))
    app.openapi_schema = doc
    return doc
