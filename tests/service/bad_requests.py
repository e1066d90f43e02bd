"""Hand-made bad requests (issue 15): every field, type and encoding edge of every route, each with
the 4xx it must get and, for a 422, the field it must name: /ask's here, the other routes' and
all of them (CASES) in bad_requests_routes.py. Read by test_bad_requests.py.

A case: (name, app, method, path, request, status, field). `app` picks the service it is sent
to: "admin" (an index, WENDA_ADMIN_TOKEN set), "closed" (no admin token), "empty" (no index),
"hosts" (WENDA_ALLOWED_HOSTS set), "keyed" (WENDA_API_KEY set). `request` holds httpx keyword
arguments; `raw` is a body sent as these bytes with content-type application/json.
"""

from __future__ import annotations

from typing import Any, NamedTuple

Q = "武陵区发放了多少笔创业担保贷款?"
TOKEN = "bad-requests-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DEEP = "[" * 5000 + "]" * 5000  # past json's recursion limit, well under the body limit


class Bad(NamedTuple):
    name: str
    app: str
    method: str
    path: str
    request: dict[str, Any]
    status: int
    field: str | None = None  # for a 422: a field its detail must name


def ask(name: str, body: Any, field: str, path: str = "/ask") -> Bad:
    return Bad(name, "admin", "POST", path, {"json": body}, 422, field)


def raw(name: str, body: bytes, field: str, path: str = "/ask", app: str = "admin") -> Bad:
    headers = {"content-type": "application/json", **(AUTH if path == "/articles" else {})}
    return Bad(name, app, "POST", path, {"content": body, "headers": headers}, 422, field)


def chat(name: str, body: Any, field: str) -> Bad:
    return Bad(name, "admin", "POST", "/v1/chat/completions", {"json": body}, 422, field)


def post_articles(name: str, body: Any, field: str) -> Bad:
    return Bad(name, "admin", "POST", "/articles", {"json": body, "headers": AUTH}, 422, field)


def upload(name: str, files: Any, field: str, data: Any = None) -> Bad:
    request = {"files": files, "headers": AUTH, **({"data": data} if data else {})}
    return Bad(name, "admin", "POST", "/articles", request, 422, field)


def over_256_kb(name: str, path: str, body: Any) -> Bad:
    return Bad(name, "admin", "POST", path, {"json": body}, 413)


def articles_unsupported_type(name: str, request: dict[str, Any]) -> Bad:
    return Bad(name, "admin", "POST", "/articles", request, 415)


QUESTION_FIELD = [
    ask("question missing", {}, "question"),
    ask("question null", {"question": None}, "question"),
    ask("question number", {"question": 5}, "question"),
    ask("question bool", {"question": True}, "question"),
    ask("question list", {"question": [Q]}, "question"),
    ask("question object", {"question": {"text": Q}}, "question"),
    ask("question empty", {"question": ""}, "question"),
    ask("question spaces", {"question": "    "}, "question"),
    ask("question tabs and newlines", {"question": "\t\n\r "}, "question"),
    ask("question ideographic space", {"question": "\u3000\u3000"}, "question"),
    ask("question unit separators (str.strip's whitespace)", {"question": "\x1c\x1f"}, "question"),
    ask("question 2001 characters", {"question": "问" * 2001}, "question"),
    ask("question 2001 characters padded", {"question": "  " + "问" * 2001 + "  "}, "question"),
    raw("question lone high surrogate", b'{"question": "\\ud800"}', "question"),
    raw("question lone low surrogate", b'{"question": "\\udc00?"}', "question"),
    raw("question reversed surrogate pair", b'{"question": "\\udc00\\ud800"}', "question"),
    raw("question surrogate inside text", b'{"question": "\\u6b66\\ud800\\u9675"}', "question"),
]
HISTORY_FIELD = [
    ask("history a string", {"question": Q, "history": "earlier"}, "history"),
    ask("history an object", {"question": Q, "history": {"role": "user"}}, "history"),
    ask("history of numbers", {"question": Q, "history": [1]}, "history.0"),
    ask("history turn a string", {"question": Q, "history": ["hi"]}, "history.0"),
    ask(
        "history role system",
        {"question": Q, "history": [{"role": "system", "content": "x"}]},
        "history.0.role",
    ),
    ask(
        "history role upper case",
        {"question": Q, "history": [{"role": "USER", "content": "x"}]},
        "history.0.role",
    ),
    ask("history role missing", {"question": Q, "history": [{"content": "x"}]}, "history.0.role"),
    ask(
        "history content missing",
        {"question": Q, "history": [{"role": "user"}]},
        "history.0.content",
    ),
    ask(
        "history content number",
        {"question": Q, "history": [{"role": "user", "content": 5}]},
        "history.0.content",
    ),
    ask(
        "history content null",
        {"question": Q, "history": [{"role": "assistant", "content": None}]},
        "history.0.content",
    ),
    ask(
        "history content list",
        {"question": Q, "history": [{"role": "user", "content": ["x"]}]},
        "history.0.content",
    ),
    ask(
        "history 21 turns",
        {"question": Q, "history": [{"role": "user", "content": "x"}] * 21},
        "history",
    ),
    ask(
        "history turn of 20001 characters",
        {"question": Q, "history": [{"role": "user", "content": "话" * 20001}]},
        "history.0.content",
    ),
    raw(
        "history content lone surrogate",
        b'{"question": "ok?", "history": [{"role": "user", "content": "\\ud800"}]}',
        "history.0.content",
    ),
    ask(
        "history second turn wrong",
        {
            "question": Q,
            "history": [{"role": "user", "content": "x"}, {"role": "bot", "content": "y"}],
        },
        "history.1.role",
    ),
]
TOP_K_FIELD = [
    ask("top_k zero", {"question": Q, "top_k": 0}, "top_k"),
    ask("top_k negative", {"question": Q, "top_k": -1}, "top_k"),
    ask("top_k 21", {"question": Q, "top_k": 21}, "top_k"),
    ask("top_k huge", {"question": Q, "top_k": 10**30}, "top_k"),
    ask("top_k a string", {"question": Q, "top_k": "5"}, "top_k"),
    ask("top_k a fraction", {"question": Q, "top_k": 5.5}, "top_k"),
    ask("top_k a bool", {"question": Q, "top_k": True}, "top_k"),
    ask("top_k a list", {"question": Q, "top_k": [5]}, "top_k"),
    raw("top_k NaN", b'{"question": "ok?", "top_k": NaN}', "top_k"),
    raw("top_k Infinity", b'{"question": "ok?", "top_k": Infinity}', "top_k"),
]
FILTER_FIELD = [
    ask("filter a string", {"question": Q, "filter": "port"}, "filter"),
    ask("filter a list", {"question": Q, "filter": ["port"]}, "filter"),
    ask("filter unknown key", {"question": Q, "filter": {"author": "x"}}, "filter.author"),
    ask("filter month 13", {"question": Q, "filter": {"date_from": "2024-13-01"}}, "filter"),
    ask("filter day 32", {"question": Q, "filter": {"date_to": "2024-01-32"}}, "filter.date_to"),
    ask("filter slashes", {"question": Q, "filter": {"date_from": "2024/01/01"}}, "filter"),
    ask("filter a word", {"question": Q, "filter": {"date_from": "yesterday"}}, "filter"),
    ask("filter a timestamp", {"question": Q, "filter": {"date_to": 0}}, "filter.date_to"),
    ask(
        "filter a datetime",
        {"question": Q, "filter": {"date_from": "2024-01-01T00:00:00"}},
        "filter.date_from",
    ),
    ask("filter doc_ids a string", {"question": Q, "filter": {"doc_ids": "a"}}, "filter.doc_ids"),
    ask("filter doc_ids numbers", {"question": Q, "filter": {"doc_ids": [1]}}, "filter.doc_ids.0"),
    ask("filter source a number", {"question": Q, "filter": {"source": 5}}, "filter.source"),
    ask("filter source 201 chars", {"question": Q, "filter": {"source": "报" * 201}}, "filter"),
    raw(
        "filter doc_id lone surrogate",
        b'{"question": "ok?", "filter": {"doc_ids": ["\\ud800"]}}',
        "filter.doc_ids.0",
    ),
    raw(
        "filter source lone surrogate",
        b'{"question": "ok?", "filter": {"source": "\\udfff"}}',
        "filter.source",
    ),
]
BODY = [
    raw("body empty", b"", "body"),
    raw("body truncated", b'{"question": "ok?"', "body"),
    raw("body form-encoded", b"question=ok", "body"),
    raw("body null", b"null", "body"),
    raw("body a list", b'[{"question": "ok?"}]', "body"),
    raw("body a string", b'"ok?"', "body"),
    raw("body a number", b"42", "body"),
    raw("body single quotes", b"{'question': 'ok?'}", "body"),
    raw("body trailing comma", b'{"question": "ok?",}', "body"),
    raw("body comment", b'{"question": "ok?" /* x */}', "body"),
    raw("body not UTF-8 (latin-1)", '{"question": "café?"}'.encode("latin-1"), "body"),
    raw("body stray 0xff", b'{"question": "\xff\xfe?"}', "body"),
    raw("body overlong UTF-8", b'{"question": "\xc0\xaf?"}', "body"),
    raw("body truncated UTF-8", b'{"question": "\xe6\xad"}', "body"),
    raw("body encoded surrogate (CESU-8)", b'{"question": "\xed\xa0\x80"}', "question"),
    raw("body nested too deep", f'{{"question": "ok?", "x": {DEEP}}}'.encode(), "body"),
    Bad(
        "body text/plain",
        "admin",
        "POST",
        "/ask",
        {"content": b'{"question": "ok?"}', "headers": {"content-type": "text/plain"}},
        422,
        "",
    ),
    Bad(
        "body without content-type",
        "admin",
        "POST",
        "/ask",
        {"content": b'{"question": "ok?"}'},
        422,
        "",
    ),
    over_256_kb("body over 256 KB", "/ask", {"question": Q, "pad": "x" * 300_000}),
]
STREAM = [
    ask("stream question missing", {}, "question", "/ask/stream"),
    ask("stream question empty", {"question": " "}, "question", "/ask/stream"),
    ask("stream question too long", {"question": "问" * 2001}, "question", "/ask/stream"),
    ask("stream top_k 0", {"question": Q, "top_k": 0}, "top_k", "/ask/stream"),
    ask(
        "stream history role",
        {"question": Q, "history": [{"role": "x", "content": "y"}]},
        "history.0.role",
        "/ask/stream",
    ),
    ask(
        "stream filter date",
        {"question": Q, "filter": {"date_to": "2024-02-30"}},
        "filter.date_to",
        "/ask/stream",
    ),
    raw("stream lone surrogate", b'{"question": "\\ud800"}', "question", "/ask/stream"),
    raw("stream not UTF-8", b'{"question": "\xc3("}', "body", "/ask/stream"),
    raw("stream truncated", b'{"question": ', "body", "/ask/stream"),
    raw(
        "stream nested too deep",
        f'{{"question": "ok?", "x": {DEEP}}}'.encode(),
        "body",
        "/ask/stream",
    ),
    over_256_kb("stream over 256 KB", "/ask/stream", {"question": "问" * 100_000}),
]
