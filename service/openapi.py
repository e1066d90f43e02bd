"""The OpenAPI document as the service really answers: its 422 body, every 4xx/503 a route can
send (with an example), and the Server-Sent Events of the streaming routes."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.schemas import ArticlesIn

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

# status -> (description, example detail); every route lists those it can send (ROUTE_ERRORS)
ERRORS: dict[str, tuple[str, str]] = {
    "400": (
        "the Host header is not in WENDA_ALLOWED_HOSTS (plain text), or a multipart body "
        "cannot be parsed",
        "Invalid host header",
    ),
    "401": (
        "a wrong or missing Bearer token (WENDA_ADMIN_TOKEN for /articles changes, "
        "WENDA_API_KEY for /v1/*)",
        "wrong or missing admin token: send `Authorization: Bearer <WENDA_ADMIN_TOKEN>`",
    ),
    "403": (
        "changing articles over HTTP is off (no WENDA_ADMIN_TOKEN configured)",
        "changing articles over HTTP is off: start `wenda serve` with WENDA_ADMIN_TOKEN set, "
        "then send `Authorization: Bearer <that token>`",
    ),
    "404": (
        "no article with that doc_id",
        "no article with doc_id 'port-1'; GET /articles lists them",
    ),
    "408": (
        "the request body was not complete within WENDA_REQUEST_BODY_SECONDS of its first byte",
        "request body not received within 30 s: send it at once",
    ),
    "409": (
        "the change would leave the index without articles",
        "that would leave the index without articles; add others first, or delete "
        "<data dir>/index to drop the index",
    ),
    "413": (
        "the request body is over WENDA_MAX_REQUEST_BYTES (POST /articles: "
        "WENDA_MAX_UPLOAD_REQUEST_BYTES)",
        "request body over 262144 bytes: send less",
    ),
    "415": (
        "POST /articles takes multipart/form-data or application/json",
        'send multipart/form-data with a `file`, or application/json {"articles": [...]}',
    ),
    "503": (
        "no index is served (the detail says how to build or repair it, naming a damaged "
        "file relative to the data dir), the embedding model cannot be loaded, or every "
        "question slot is busy (then with Retry-After)",
        "index file index/vectors.faiss is damaged (unreadable: RuntimeError): run "
        "`wenda index --rebuild` to rebuild the index",
    ),
}
QUESTION = ["400", "408", "413", "422", "503"]
ROUTE_ERRORS: dict[tuple[str, str], list[str]] = {
    ("post", "/ask"): QUESTION,
    ("post", "/ask/stream"): QUESTION,
    ("post", "/v1/chat/completions"): ["401", *QUESTION],
    ("get", "/v1/models"): ["400", "401"],
    ("get", "/config"): ["400"],
    ("get", "/healthz"): ["400", "503"],
    ("get", "/articles"): ["400", "503"],
    ("get", "/articles/{doc_id}"): ["400", "404", "503"],
    ("post", "/articles"): ["400", "401", "403", "408", "413", "415", "422", "503"],
    ("delete", "/articles/{doc_id}"): ["400", "401", "403", "404", "409", "503"],
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait, when every question slot was busy",
        "schema": {"type": "string"},
    }
}
WWW_AUTHENTICATE = {"WWW-Authenticate": {"schema": {"type": "string"}}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def error_response(status: str, question_route: bool) -> dict[str, Any]:
    description, example = ERRORS[status]
    content: dict[str, Any] = {
        "application/json": {"schema": ref("Problem"), "example": {"detail": example}}
    }
    response: dict[str, Any] = {"description": description, "content": content}
    if status == "400":
        content["text/plain"] = {"schema": {"type": "string"}, "example": example}
    if status == "503" and question_route:
        response["headers"] = RETRY_AFTER
    if status == "401":
        response["headers"] = WWW_AUTHENTICATE
    return response


UNPROCESSABLE_EXAMPLE = {
    "detail": [
        {
            "field": "question",
            "message": "Value error, question is empty: ask something",
            "type": "value_error",
        }
    ]
}


def json_data(schema: dict[str, Any]) -> dict[str, Any]:
    """An event's `data` line: JSON text of schema."""
    return {"type": "string", "contentMediaType": "application/json", "contentSchema": schema}


def event(name: str, data: dict[str, Any], description: str) -> dict[str, Any]:
    """One Server-Sent Event: `event: name` and a JSON `data` line."""
    return {
        "type": "object",
        "description": description,
        "required": ["event", "data"],
        "properties": {"event": {"const": name}, "data": json_data(data)},
    }


ASK_EVENTS = {
    "description": "Server-Sent Events, in this order: passages, delta (repeated), citations, "
    "done; a failure after the stream started sends error instead",
    "oneOf": [
        event("passages", {"type": "array", "items": ref("PassageOut")}, "the retrieved passages"),
        event(
            "delta",
            {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
            "a piece of the answer text (never inside a [n] marker)",
        ),
        event("citations", {"type": "array", "items": ref("CitationOut")}, "the citations"),
        event("done", ref("AskResponse"), "the complete /ask response body"),
        event("error", ref("Problem"), "the answer failed after the stream started"),
    ],
}
ASK_STREAM_EXAMPLE = (
    'event: passages\ndata: [{"doc_id": "port", "chunk_id": "port:0-120", "title": "海川港", '
    '"text": "…", "score": 3.42}]\n\n'
    'event: delta\ndata: {"text": "海川港首航船舶载货3200标准箱"}\n\n'
    'event: delta\ndata: {"text": "。[1]"}\n\n'
    'event: citations\ndata: [{"marker": 1, "doc_id": "port", …}]\n\n'
    'event: done\ndata: {"answer": "海川港首航船舶载货3200标准箱。[1]", …}\n\n'
)
WENDA_EXTRA = {
    "title": "WendaExtra",
    "type": "object",
    "description": "the /ask body's structured parts (other clients ignore it)",
    "required": ["citations", "passages", "abstained", "short_answer", "resolved_question"],
    "properties": {
        "citations": {"type": "array", "items": ref("CitationOut")},
        "passages": {"type": "array", "items": ref("PassageOut")},
        "abstained": {"type": "boolean"},
        "short_answer": {"anyOf": [ref("ShortAnswerOut"), {"type": "null"}]},
        "resolved_question": {"type": "string"},
        "answered_by": {"enum": ["extractive", "generated"]},
        "timings_ms": {"type": "object", "additionalProperties": {"type": "number"}},
    },
}


def chat_object(
    title: str, kind: str, choice: dict[str, Any], choice_required: list[str], whole: bool
) -> dict[str, Any]:
    """An OpenAI chat completion (whole: with usage, `wenda` required) or chunk of one."""
    return {
        "title": title,
        "type": "object",
        "required": ["id", "object", "created", "model", "choices", *(["wenda"] if whole else [])],
        "properties": {
            "id": {"type": "string"},
            "object": {"const": kind},
            "created": {"type": "integer"},
            "model": {"type": "string"},
            "choices": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["index", *choice_required],
                    "properties": {"index": {"type": "integer"}, **choice},
                },
            },
            **({"usage": {"type": "object"}} if whole else {}),
            "wenda": ref("WendaExtra"),
        },
    }


CHAT_COMPLETION = chat_object(
    "ChatCompletion",
    "chat.completion",
    {
        "message": {
            "type": "object",
            "required": ["role", "content"],
            "properties": {
                "role": {"const": "assistant"},
                "content": {
                    "type": "string",
                    "description": "the answer with its [n] markers, then 来源：",
                },
            },
        },
        "finish_reason": {"type": "string"},
    },
    ["message", "finish_reason"],
    whole=True,
)
CHAT_CHUNK = chat_object(
    "ChatCompletionChunk",
    "chat.completion.chunk",
    {
        "delta": {
            "type": "object",
            "properties": {"role": {"type": "string"}, "content": {"type": "string"}},
        },
        "finish_reason": {"type": ["string", "null"]},
    },
    ["delta"],
    whole=False,
)
CHAT_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type"],
            "properties": {"message": {"type": "string"}, "type": {"type": "string"}},
        }
    },
}
CHAT_EVENTS = {
    "description": "Server-Sent Events without names, as OpenAI sends them: each `data:` a "
    "chat.completion.chunk (the first with the role, then pieces of content, the last with "
    "finish_reason and `wenda`), or {error} after a failure; then `data: [DONE]`",
    "type": "object",
    "required": ["data"],
    "properties": {
        "data": {
            "anyOf": [
                {"const": "[DONE]"},
                json_data({"anyOf": [ref("ChatCompletionChunk"), CHAT_ERROR]}),
            ]
        }
    },
}
CHAT_STREAM_EXAMPLE = (
    'data: {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": '
    '"wenda", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, '
    '"finish_reason": null}]}\n\n'
    'data: {"id": "chatcmpl-1", "object": "chat.completion.chunk", …, "choices": [{"index": 0, '
    '"delta": {"content": "海川港首航船舶载货3200标准箱。[1]"}, "finish_reason": null}]}\n\n'
    'data: {"id": "chatcmpl-1", …, "choices": [{"index": 0, "delta": {}, "finish_reason": '
    '"stop"}], "wenda": {…}}\n\n'
    "data: [DONE]\n\n"
)


def stream(events: dict[str, Any], example: str) -> dict[str, Any]:
    """A text/event-stream body, described as OpenAPI 3.2 does: `schema` the stream (a sequence
    of events), `itemSchema` each event ({event?, data} with JSON data)."""
    return {
        "schema": {"type": "array", "description": events["description"]},
        "itemSchema": events,
        "example": example,
    }


def truthful_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with its 422 body replaced by ours ({"detail": [{"field", "message",
    "type"}]}), every error a route can send listed with an example, and the streams'
    events described."""
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
        "properties": {"detail": {"type": "array", "items": ref("FieldError")}},
    }
    schemas["Problem"] = PROBLEM
    schemas["WendaExtra"] = WENDA_EXTRA
    schemas["ChatCompletion"] = CHAT_COMPLETION
    schemas["ChatCompletionChunk"] = CHAT_CHUNK
    describe_chat_request(schemas)
    describe_article_upload(doc, schemas)
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            question_route = method == "post" and path in (
                "/ask",
                "/ask/stream",
                "/v1/chat/completions",
            )
            listed = ROUTE_ERRORS.get((method, path))
            if listed is not None and "422" not in listed:
                responses.pop("422", None)  # FastAPI's for a path parameter any string fits
            for status in listed or []:
                if status == "422":
                    responses["422"] = {
                        "description": "bad input: which field is wrong and why",
                        "content": {
                            "application/json": {
                                "schema": ref("HTTPValidationError"),
                                "example": UNPROCESSABLE_EXAMPLE,
                            }
                        },
                    }
                else:
                    responses[status] = error_response(status, question_route)
    ok = doc["paths"]["/ask/stream"]["post"]["responses"]["200"]
    ok["description"] = "the answer as Server-Sent Events"
    ok["content"] = {"text/event-stream": stream(ASK_EVENTS, ASK_STREAM_EXAMPLE)}
    chat = doc["paths"]["/v1/chat/completions"]["post"]["responses"]["200"]
    chat["description"] = "a chat.completion, or with `stream` chat.completion.chunk events"
    chat["content"] = {
        "application/json": {"schema": ref("ChatCompletion")},
        "text/event-stream": stream(CHAT_EVENTS, CHAT_STREAM_EXAMPLE),
    }
    app.openapi_schema = doc
    return doc


def describe_article_upload(doc: dict[str, Any], schemas: dict[str, Any]) -> None:
    """POST /articles reads its body itself: its two forms, both required, as components."""
    body = doc["paths"]["/articles"]["post"].get("requestBody")
    if body is None:
        return
    models = ArticlesIn.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(models.pop("$defs", {}))
    schemas["ArticlesIn"] = models
    body["required"] = True
    body["content"]["application/json"] = {"schema": ref("ArticlesIn")}
    form = body["content"]["multipart/form-data"]["schema"]
    form["required"] = ["file"]
    form["properties"]["file"]["description"] = "a .txt, .md or .jsonl file (repeatable)"
    body["content"]["multipart/form-data"]["encoding"] = {"file": {"contentType": "text/plain"}}


def describe_chat_request(schemas: dict[str, Any]) -> None:
    """What a chat request needs beyond its types: a user message (the last one is the
    question; that its text must not be blank nor over 2000 characters, while earlier ones may,
    is told in words: a JSON Schema cannot single out the last match)."""
    request = schemas.get("ChatRequest")
    if request is None:
        return
    messages = copy.deepcopy(request["properties"]["messages"])
    messages["contains"] = {
        "type": "object",
        "required": ["role"],
        "properties": {"role": {"const": "user"}},
    }
    messages["description"] = (
        "the last message with role user is the question (its text 1–2000 characters after "
        "trimming, else 422); the user and assistant messages before it are the history"
    )
    request["properties"]["messages"] = messages
