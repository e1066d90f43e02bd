"""FastAPI edge: parse requests, call the QA service, shape responses (CONTRACT.md)."""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from corpus.loading import TEXT_FORMATS, CorpusError
from corpus.model import Article
from index.embedder import Embedder
from index.store import Changes, EmptyIndex, IndexMismatch, IndexNotFound, UnknownArticle
from service.articles import change_articles, record_articles, uploaded_articles
from service.followup import Turn
from service.generate import Event, Generated, answer_stream, generator_for
from service.limits import BodyLimit, QuestionSlots
from service.live import LiveService
from service.openapi import truthful_openapi
from service.qa import QAService
from service.schemas import (
    ArticleOut,
    ArticlesChanged,
    ArticlesIn,
    ArticleSummary,
    AskRequest,
    AskResponse,
    Health,
    IndexInfo,
    PassageOut,
)
from service.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
log = logging.getLogger("wenda")


MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def qa_service(request: Request) -> QAService:
    """The service over the current index generation, or 503 saying how to build the index."""
    live: LiveService = request.app.state.live
    service = live.service
    if service is None:
        detail = without_server_paths(live.error or "index not loaded", live.settings)
        raise HTTPException(status_code=503, detail=detail)
    return service


def without_server_paths(message: str, settings: Settings) -> str:
    """message with the data dir's absolute path written as <data dir>: a response does not
    tell a client where the server keeps its files."""
    paths = {str(settings.data_dir), str(settings.data_dir.resolve())}
    for path in sorted(paths, key=len, reverse=True):
        message = message.replace(path, "<data dir>")
    return message


def admin(request: Request) -> None:
    """Changing articles needs the admin token: 403 when none is configured, 401 when wrong."""
    token: str | None = request.app.state.live.settings.admin_token
    if not token:
        raise HTTPException(
            status_code=403,
            detail="changing articles over HTTP is off: start `wenda serve` with "
            "WENDA_ADMIN_TOKEN set, then send `Authorization: Bearer <that token>`",
        )
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secrets.compare_digest(given.strip(), token):
        raise HTTPException(
            status_code=401,
            detail="wrong or missing admin token: send `Authorization: Bearer <WENDA_ADMIN_TOKEN>`",
            headers={"WWW-Authenticate": "Bearer"},
        )


Service = Annotated[QAService, Depends(qa_service)]
Admin = Depends(admin)


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    """The app; its lifespan loads the index once (or records why it could not)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        live = LiveService(settings, embedder)
        app.state.live = live
        live.start()
        if live.service is None:
            log.warning("serving without an index until one is published: %s", live.error)
        yield
        live.stop()

    # the API docs page loads Swagger UI from the installed package, not a CDN: the service
    # runs offline
    app = FastAPIOffline(
        title="wenda",
        summary="Cited answers from Chinese news articles",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        static_url="/docs/assets",
    )

    app.add_middleware(
        QuestionSlots,
        slots=settings.max_concurrent_questions,
        large_slots=settings.max_concurrent_large_questions,
        large_bytes=settings.large_request_bytes,
        wait_seconds=settings.question_wait_seconds,
    )
    if settings.allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(
        BodyLimit,
        limit=settings.max_request_bytes,
        upload_limit=settings.max_upload_request_bytes,
        body_seconds=settings.request_body_seconds,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        if not request.url.path.startswith("/docs"):
            response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": field_name(e),
                "message": e["msg"],
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": errors})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI answers 400 for a body it cannot decode; bytes that are not UTF-8 are bad input
        if isinstance(exc.__cause__, UnicodeDecodeError):
            bad = exc.__cause__
            message = f"not valid UTF-8 at byte {bad.start}; send UTF-8 JSON"
            detail = [{"field": "body", "message": message, "type": "unicode_decode"}]
            return JSONResponse(status_code=422, content={"detail": detail})
        if isinstance(exc.__cause__, RecursionError):  # JSON nested deeper than json can read
            message = "JSON nested too deeply to read; send a flatter body"
            detail = [{"field": "body", "message": message, "type": "json_invalid"}]
            return JSONResponse(status_code=422, content={"detail": detail})
        return await http_exception_handler(request, exc)

    @app.exception_handler(IndexNotFound)
    @app.exception_handler(IndexMismatch)
    async def no_index(request: Request, exc: Exception) -> JSONResponse:
        # a change of articles to a data dir with no (readable) index: say how to build one
        detail = without_server_paths(str(exc), request.app.state.live.settings)
        return JSONResponse(status_code=503, content={"detail": detail})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse(
            status_code=500, content={"detail": "internal error; the service log has details"}
        )

    @app.post("/ask", response_model=AskResponse)
    def ask(body: AskRequest, service: Service) -> AskResponse:
        for kind, value in ask_events(service, body):
            if kind == "result":
                return response_of(service, value)  # type: ignore[arg-type]
        raise AssertionError("answer_stream ended without a result")

    @app.post("/ask/stream", responses={200: {"content": {"text/event-stream": {}}}})
    def ask_stream(body: AskRequest, service: Service) -> StreamingResponse:
        return StreamingResponse(
            answer_events(service, body),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )

    @app.get("/healthz", response_model=Health)
    def healthz(service: Service) -> Health:
        m = service.index.manifest
        return Health(
            status="ok",
            index=IndexInfo(
                articles=m.articles,
                chunks=m.chunks,
                model=m.model,
                built_at=m.built_at,
                generation=m.generation or None,
            ),
        )

    @app.get("/articles", response_model=list[ArticleSummary], response_model_exclude_none=True)
    def articles(service: Service) -> list[ArticleSummary]:
        return [ArticleSummary.of(a) for a in service.index.articles]

    async def changed(request: Request, **change: Any) -> ArticlesChanged:
        """Publish a change as a new generation and serve it before answering."""
        live: LiveService = request.app.state.live
        try:
            manifest, done = await run_in_threadpool(
                change_articles, live.settings, live.embedder, **change
            )
        except UnknownArticle as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        except EmptyIndex as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from exc
        await run_in_threadpool(live.refresh)
        return changes_out(done, manifest.articles, manifest.generation)

    @app.post(
        "/articles",
        response_model=ArticlesChanged,
        dependencies=[Admin],
        openapi_extra={
            "requestBody": {
                "content": {
                    "application/json": {"schema": ArticlesIn.model_json_schema()},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "file": {"type": "string", "format": "binary"},
                                "format": {"type": "string", "enum": list(TEXT_FORMATS)},
                            },
                        }
                    },
                }
            }
        },
    )
    async def add_articles(request: Request) -> ArticlesChanged:
        """Add or replace (by id) articles: a .txt/.md/.jsonl upload in the form field `file`
        (repeatable; `format`: auto, page or article), or JSON {"articles": [...]}."""
        upsert = await posted_articles(request)
        return await changed(request, upsert=upsert)

    @app.delete("/articles/{doc_id:path}", response_model=ArticlesChanged, dependencies=[Admin])
    async def remove_article(doc_id: str, request: Request) -> ArticlesChanged:
        return await changed(request, remove=[doc_id])

    @app.get("/articles/{doc_id:path}", response_model=ArticleOut, response_model_exclude_none=True)
    def article(doc_id: str, service: Service) -> ArticleOut:
        found = service.index.articles_by_id.get(doc_id)
        if found is None:
            raise HTTPException(
                status_code=404,
                detail=f"no article with doc_id {doc_id!r}; GET /articles lists them",
            )
        return ArticleOut.of(found)

    @app.get("/", include_in_schema=False)
    def chat_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    from service.openai_api import router as openai_router  # it uses this module's Service

    app.openapi = lambda: truthful_openapi(app)  # type: ignore[method-assign]
    app.state.openai_created = int(time.time())
    app.include_router(openai_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def changes_out(done: Changes, articles: int, generation: str) -> ArticlesChanged:
    return ArticlesChanged(
        added=list(done.added),
        replaced=list(done.replaced),
        removed=list(done.removed),
        articles=articles,
        generation=generation,
    )


def field_name(error: Any) -> str:
    """The dotted field a validation error is about; "body" for the body as a whole (a body
    that is not JSON, or not an object)."""
    if error["type"] == "json_invalid":
        return "body"
    return ".".join(str(p) for p in error["loc"] if p != "body") or "body"


def unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(
        status_code=422, detail=[{"field": field, "message": message, "type": "value_error"}]
    )


async def posted_articles(request: Request) -> list[Article]:
    """The articles of a POST /articles body: multipart uploads or JSON records."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind == "multipart/form-data":
            form = await request.form(max_files=100)
            text_format = str(form.get("format") or "auto")
            if text_format not in TEXT_FORMATS:
                raise unprocessable("format", f"use one of {', '.join(TEXT_FORMATS)}")
            uploads = [f for f in form.getlist("file") if not isinstance(f, str)]
            if not uploads:
                raise unprocessable("file", "upload one or more .txt, .md or .jsonl files")
            found: list[Article] = []
            for upload in uploads:
                data = await upload.read(MAX_UPLOAD_BYTES + 1)
                if len(data) > MAX_UPLOAD_BYTES:
                    raise unprocessable("file", f"{upload.filename}: over 20 MB")
                found.extend(uploaded_articles(upload.filename or "upload.txt", data, text_format))  # type: ignore[arg-type]
        elif kind == "application/json":
            try:
                body = ArticlesIn.model_validate_json(await request.body())
            except ValidationError as exc:
                raise RequestValidationError(
                    [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
                ) from exc
            found = record_articles([a.record() for a in body.articles])
        else:
            raise HTTPException(
                status_code=415,
                detail="send multipart/form-data with a `file`, or application/json "
                '{"articles": [{"id"?, "title", "text", ...}]}',
            )
    except CorpusError as exc:
        raise unprocessable(
            "file" if kind.startswith("multipart") else "articles", str(exc)
        ) from exc
    if not found:
        raise unprocessable("file", "no article with text found in the upload")
    return found


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def ask_events(service: QAService, body: AskRequest) -> Iterator[Event]:
    """answer_stream for an /ask body, with the configured model (if any)."""
    history = [Turn(t.role, t.content) for t in body.history]
    only = body.filter.to_filter() if body.filter else None
    generator = generator_for(service.settings)
    return answer_stream(service, body.question, history, body.top_k, only, generator)


def response_of(service: QAService, outcome: Generated) -> AskResponse:
    response = AskResponse.of(outcome.result, service.index.articles_by_id)
    response.answered_by = outcome.answered_by
    return response


def answer_events(service: QAService, body: AskRequest) -> Iterator[str]:
    """passages, then the answer in pieces (a model's verified sentences as it writes them),
    then citations, then the whole response."""
    try:
        outcome: Generated | None = None
        for kind, value in ask_events(service, body):
            if kind == "retrieved":
                hits = value.hits  # type: ignore[union-attr]
                yield sse("passages", [PassageOut.of(h).model_dump() for h in hits])
            elif kind == "sentence":
                yield sse("delta", {"text": value})
            else:
                outcome = value  # type: ignore[assignment]
        assert outcome is not None
        response = response_of(service, outcome)
        if outcome.answered_by == "extractive":  # a generated answer was sent as it was written
            for piece in answer_pieces(response.answer):
                yield sse("delta", {"text": piece})
        yield sse("citations", [c.model_dump() for c in response.citations])
        yield sse("done", response.model_dump())
    except (
        Exception
    ) as exc:  # the stream has started: report in-band rather than drop the connection
        log.exception("stream failed")
        yield sse("error", {"detail": f"answer failed: {type(exc).__name__}"})


def answer_pieces(answer: str, size: int = 16) -> Iterator[str]:
    """The answer cut into short pieces, never inside a [n] marker."""
    piece = ""
    i = 0
    while i < len(answer):
        if answer[i] == "[":
            close = answer.find("]", i)
            if close != -1:
                piece += answer[i : close + 1]
                i = close + 1
                continue
        piece += answer[i]
        i += 1
        if len(piece) >= size:
            yield piece
            piece = ""
    if piece:
        yield piece
