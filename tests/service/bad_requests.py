"""Hand-made bad requests (issue 15): every field, type and encoding edge of every route, each with
the 4xx it must get and, for a 422, the field it must name. Read by test_bad_requests.py.

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
    Bad(
        "body over 256 KB",
        "admin",
        "POST",
        "/ask",
        {"json": {"question": Q, "pad": "x" * 300_000}},
        413,
    ),
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
    Bad(
        "stream over 256 KB",
        "admin",
        "POST",
        "/ask/stream",
        {"json": {"question": "问" * 100_000}},
        413,
    ),
]
CHAT = [
    chat("chat messages missing", {}, "messages"),
    chat("chat messages empty", {"messages": []}, "messages"),
    chat("chat messages a string", {"messages": "hi"}, "messages"),
    chat("chat message a number", {"messages": [1]}, "messages.0"),
    chat("chat role missing", {"messages": [{"content": Q}]}, "messages.0.role"),
    chat("chat role a number", {"messages": [{"role": 1, "content": Q}]}, "messages.0.role"),
    chat("chat no user message", {"messages": [{"role": "assistant", "content": Q}]}, "messages"),
    chat("chat only system", {"messages": [{"role": "system", "content": Q}]}, "messages"),
    chat(
        "chat user content empty",
        {"messages": [{"role": "user", "content": ""}]},
        "messages.0.content",
    ),
    chat("chat user content missing", {"messages": [{"role": "user"}]}, "messages.0.content"),
    chat(
        "chat user content blank",
        {"messages": [{"role": "user", "content": " \n"}]},
        "messages.0.content",
    ),
    chat(
        "chat last user message blank",
        {"messages": [{"role": "user", "content": Q}, {"role": "user", "content": "  "}]},
        "messages.1.content",
    ),
    chat(
        "chat user content 2001 chars",
        {"messages": [{"role": "user", "content": "问" * 2001}]},
        "messages.0.content",
    ),
    chat(
        "chat content a number",
        {"messages": [{"role": "user", "content": 5}]},
        "messages.0.content",
    ),
    chat(
        "chat content a dict",
        {"messages": [{"role": "user", "content": {"text": Q}}]},
        "messages.0.content",
    ),
    chat(
        "chat content parts not objects",
        {"messages": [{"role": "user", "content": [1]}]},
        "messages.0.content",
    ),
    chat(
        "chat content parts without text",
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]},
        "messages.0.content",
    ),
    chat("chat 201 messages", {"messages": [{"role": "user", "content": "x"}] * 201}, "messages"),
    chat(
        "chat stream a string",
        {"messages": [{"role": "user", "content": Q}], "stream": "yes"},
        "stream",
    ),
    chat("chat stream 1", {"messages": [{"role": "user", "content": Q}], "stream": 1}, "stream"),
    raw(
        "chat lone surrogate",
        b'{"messages": [{"role": "user", "content": "\\ud800"}]}',
        "messages.0.content",
        "/v1/chat/completions",
    ),
    raw(
        "chat part lone surrogate",
        b'{"messages": [{"role": "user", "content": [{"type": "text", "text": "\\udbff"}]}]}',
        "messages.0.content",
        "/v1/chat/completions",
    ),
    raw(
        "chat not UTF-8",
        b'{"messages": [{"role": "user", "content": "\xff"}]}',
        "body",
        "/v1/chat/completions",
    ),
    raw("chat not JSON", b"messages=hi", "body", "/v1/chat/completions"),
    raw("chat nested too deep", f'{{"messages": {DEEP}}}'.encode(), "body", "/v1/chat/completions"),
    Bad(
        "chat over 256 KB",
        "admin",
        "POST",
        "/v1/chat/completions",
        {"json": {"messages": [{"role": "user", "content": "x" * 300_000}]}},
        413,
    ),
]
ARTICLES_JSON = [
    post_articles("articles missing", {}, "articles"),
    post_articles("articles empty", {"articles": []}, "articles"),
    post_articles("articles a string", {"articles": "text"}, "articles"),
    post_articles("articles of strings", {"articles": ["text"]}, "articles.0"),
    post_articles("article without text", {"articles": [{"title": "t"}]}, "articles.0.text"),
    post_articles("article text empty", {"articles": [{"text": ""}]}, "articles.0.text"),
    post_articles("article text blank", {"articles": [{"text": " \n\u3000"}]}, "articles.0.text"),
    post_articles("article text a number", {"articles": [{"text": 5}]}, "articles.0.text"),
    post_articles("article text a list", {"articles": [{"text": ["a"]}]}, "articles.0.text"),
    post_articles(
        "article title a number", {"articles": [{"text": "x", "title": 5}]}, "articles.0.title"
    ),
    post_articles(
        "article title 501 chars",
        {"articles": [{"text": "x", "title": "题" * 501}]},
        "articles.0.title",
    ),
    post_articles("article id a number", {"articles": [{"text": "x", "id": 7}]}, "articles.0.id"),
    post_articles(
        "article id 201 chars", {"articles": [{"text": "x", "id": "i" * 201}]}, "articles.0.id"
    ),
    post_articles(
        "article byline a number", {"articles": [{"text": "x", "byline": 1}]}, "articles.0.byline"
    ),
    post_articles(
        "second article wrong", {"articles": [{"text": "x"}, {"text": ""}]}, "articles.1.text"
    ),
    raw(
        "article text lone surrogate",
        b'{"articles": [{"text": "\\ud800"}]}',
        "body",  # POST /articles reads its JSON strictly: a lone surrogate is not JSON
        "/articles",
    ),
    raw(
        "article metadata lone surrogate",
        b'{"articles": [{"text": "x", "note": "\\ud800"}]}',
        "body",
        "/articles",
    ),
    raw("articles not JSON", b"articles=x", "", "/articles"),
    raw("articles not UTF-8", b'{"articles": [{"text": "\xff"}]}', "", "/articles"),
    raw("articles nested too deep", f'{{"articles": {DEEP}}}'.encode(), "", "/articles"),
    Bad(
        "articles text/plain",
        "admin",
        "POST",
        "/articles",
        {"content": b"x", "headers": {**AUTH, "content-type": "text/plain"}},
        415,
    ),
    Bad(
        "articles no content-type",
        "admin",
        "POST",
        "/articles",
        {"content": b"x", "headers": AUTH},
        415,
    ),
    Bad(
        "articles form-urlencoded",
        "admin",
        "POST",
        "/articles",
        {"data": {"file": "x"}, "headers": AUTH},
        415,
    ),
]
UPLOADS = [
    upload("upload of a .png", {"file": ("photo.png", b"\x89PNG\r\n\x1a\n")}, "file"),
    upload("upload of a .pdf", {"file": ("paper.pdf", b"%PDF-1.4")}, "file"),
    upload("upload without extension", {"file": ("article", "海川港。".encode())}, "file"),
    upload("upload empty .txt", {"file": ("a.txt", b"")}, "file"),
    upload("upload blank .md", {"file": ("a.md", b" \n\n ")}, "file"),
    upload("upload .txt not UTF-8", {"file": ("a.txt", "海川港".encode("gbk"))}, "file"),
    upload("upload .jsonl not JSON", {"file": ("a.jsonl", b"{not json}\n")}, "file"),
    upload(
        "upload .jsonl without id", {"file": ("a.jsonl", b'{"title": "t", "text": "x"}\n')}, "file"
    ),
    upload(
        "upload .jsonl text a number", {"file": ("a.jsonl", b'{"id": "a", "text": 5}\n')}, "file"
    ),
    upload(
        "upload .jsonl lone surrogate",
        {"file": ("a.jsonl", b'{"id": "a", "text": "\\ud800"}\n')},
        "file",
    ),
    upload("upload .jsonl a list", {"file": ("a.jsonl", b'["a", "b"]\n')}, "file"),
    upload(
        "upload bad format", {"file": ("a.txt", "海川港。".encode())}, "format", {"format": "pdf"}
    ),
    upload("upload without the file field", {"other": ("a.txt", "海川港。".encode())}, "file"),
    Bad(
        "upload no boundary",
        "admin",
        "POST",
        "/articles",
        {"content": b"x", "headers": {**AUTH, "content-type": "multipart/form-data"}},
        400,
    ),
    Bad(
        "upload of 101 files",
        "admin",
        "POST",
        "/articles",
        {"files": [("file", (f"a{i}.txt", b"x")) for i in range(101)], "headers": AUTH},
        400,
    ),
]
AUTHORISATION = [
    Bad(
        "post articles without a token",
        "admin",
        "POST",
        "/articles",
        {"json": {"articles": [{"text": "x"}]}},
        401,
    ),
    Bad(
        "post articles wrong token",
        "admin",
        "POST",
        "/articles",
        {"json": {"articles": [{"text": "x"}]}, "headers": {"Authorization": "Bearer nope"}},
        401,
    ),
    Bad(
        "post articles basic auth",
        "admin",
        "POST",
        "/articles",
        {"json": {"articles": [{"text": "x"}]}, "headers": {"Authorization": f"Basic {TOKEN}"}},
        401,
    ),
    Bad(
        "post articles token without scheme",
        "admin",
        "POST",
        "/articles",
        {"json": {"articles": [{"text": "x"}]}, "headers": {"Authorization": TOKEN}},
        401,
    ),
    Bad("delete without a token", "admin", "DELETE", "/articles/000_2992734d60049928-1", {}, 401),
    Bad(
        "delete wrong token",
        "admin",
        "DELETE",
        "/articles/000_2992734d60049928-1",
        {"headers": {"Authorization": "Bearer x"}},
        401,
    ),
    Bad(
        "post articles with no token configured",
        "closed",
        "POST",
        "/articles",
        {"json": {"articles": [{"text": "x"}]}, "headers": AUTH},
        403,
    ),
    Bad(
        "delete with no token configured", "closed", "DELETE", "/articles/x", {"headers": AUTH}, 403
    ),
    Bad(
        "chat without the API key",
        "keyed",
        "POST",
        "/v1/chat/completions",
        {"json": {"messages": [{"role": "user", "content": Q}]}},
        401,
    ),
    Bad(
        "chat wrong API key",
        "keyed",
        "POST",
        "/v1/chat/completions",
        {
            "json": {"messages": [{"role": "user", "content": Q}]},
            "headers": {"Authorization": "Bearer no"},
        },
        401,
    ),
    Bad("models without the API key", "keyed", "GET", "/v1/models", {}, 401),
]
ARTICLE_IDS = [
    Bad("get unknown id", "admin", "GET", "/articles/no-such-article", {}, 404),
    Bad("get id with a slash", "admin", "GET", "/articles/2024/07/port", {}, 404),
    Bad("get id with dot segments", "admin", "GET", "/articles/..%2F..%2Fetc%2Fpasswd", {}, 404),
    Bad("get id percent-encoded NUL", "admin", "GET", "/articles/%00", {}, 404),
    Bad("get id not UTF-8 when decoded", "admin", "GET", "/articles/%ff%fe", {}, 404),
    Bad("get id of 5000 characters", "admin", "GET", "/articles/" + "x" * 5000, {}, 404),
    Bad("get id a prefix of a real one", "admin", "GET", "/articles/000_2992734d60049928", {}, 404),
    Bad(
        "delete unknown id", "admin", "DELETE", "/articles/no-such-article", {"headers": AUTH}, 404
    ),
    Bad("delete id with a slash", "admin", "DELETE", "/articles/a/b", {"headers": AUTH}, 404),
]
HOSTS = [
    Bad(
        "ask from another host",
        "hosts",
        "POST",
        "/ask",
        {"json": {"question": Q}, "headers": {"host": "attacker.example"}},
        400,
    ),
    Bad(
        "health from another host",
        "hosts",
        "GET",
        "/healthz",
        {"headers": {"host": "attacker.example:8000"}},
        400,
    ),
    Bad(
        "articles from another host",
        "hosts",
        "GET",
        "/articles",
        {"headers": {"host": "127.0.0.1.attacker.example"}},
        400,
    ),
    Bad(
        "models from another host", "hosts", "GET", "/v1/models", {"headers": {"host": "evil"}}, 400
    ),
]
NO_INDEX = [
    Bad("ask without an index", "empty", "POST", "/ask", {"json": {"question": Q}}, 503),
    Bad("stream without an index", "empty", "POST", "/ask/stream", {"json": {"question": Q}}, 503),
    Bad(
        "chat without an index",
        "empty",
        "POST",
        "/v1/chat/completions",
        {"json": {"messages": [{"role": "user", "content": Q}]}},
        503,
    ),
    Bad("health without an index", "empty", "GET", "/healthz", {}, 503),
    Bad("articles without an index", "empty", "GET", "/articles", {}, 503),
    Bad("article without an index", "empty", "GET", "/articles/x", {}, 503),
    Bad("delete without an index", "empty", "DELETE", "/articles/x", {"headers": AUTH}, 503),
    Bad(
        "bad input without an index: the index is missing first",
        "empty",
        "POST",
        "/ask",
        {"json": {"question": ""}},
        503,
    ),
]

CASES: list[Bad] = [
    *QUESTION_FIELD,
    *HISTORY_FIELD,
    *TOP_K_FIELD,
    *FILTER_FIELD,
    *BODY,
    *STREAM,
    *CHAT,
    *ARTICLES_JSON,
    *UPLOADS,
    *AUTHORISATION,
    *ARTICLE_IDS,
    *HOSTS,
    *NO_INDEX,
]
