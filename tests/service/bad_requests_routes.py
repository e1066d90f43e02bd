"""Hand-made bad requests of the routes besides /ask (the OpenAI edge, /articles and its
uploads), of authorisation, allowed hosts and a service with no index; and CASES, every one
(/ask's in bad_requests.py). Read by test_bad_requests.py."""

from __future__ import annotations

from tests.service.bad_requests import (
    AUTH,
    BODY,
    DEEP,
    FILTER_FIELD,
    HISTORY_FIELD,
    QUESTION_FIELD,
    STREAM,
    TOKEN,
    TOP_K_FIELD,
    Bad,
    Q,
    articles_unsupported_type,
    chat,
    over_256_kb,
    post_articles,
    raw,
    upload,
)

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
    over_256_kb(
        "chat over 256 KB",
        "/v1/chat/completions",
        {"messages": [{"role": "user", "content": "x" * 300_000}]},
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
    articles_unsupported_type(
        "articles text/plain", {"content": b"x", "headers": {**AUTH, "content-type": "text/plain"}}
    ),
    articles_unsupported_type("articles no content-type", {"content": b"x", "headers": AUTH}),
    articles_unsupported_type("articles form-urlencoded", {"data": {"file": "x"}, "headers": AUTH}),
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
