"""FastAPI edge: parse requests, call the QA service, shape responses (CONTRACT.md)."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from index.embedder import Embedder
from index.store import IndexMismatch, IndexNotFound
from service.followup import Turn
from service.qa import QAService
from service.schemas import (
    ArticleOut,
    ArticleSummary,
    AskRequest,
    AskResponse,
    Health,
    IndexInfo,
)
from service.settings import Settings

STATIC_DIR = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
log = logging.getLogger("wenda")


def qa_service(request: Request) -> QAService:
    """The loaded service, or 503 saying how to build the index."""
    service: QAService | None = request.app.state.service
    if service is None:
        raise HTTPException(
            status_code=503, detail=request.app.state.index_error or "index not loaded"
        )
    return service


Service = Annotated[QAService, Depends(qa_service)]


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> FastAPI:
    """The app; its lifespan loads the index once (or records why it could not)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = None
        app.state.index_error = None
        try:
            service = QAService.load(settings, embedder)
            service.warm_up()
            app.state.service = service
        except (IndexNotFound, IndexMismatch) as exc:
            app.state.index_error = str(exc)
            log.warning("serving without an index: %s", exc)
        yield

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
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                "message": e["msg"],
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": errors})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse(
            status_code=500, content={"detail": "internal error; the service log has details"}
        )

    def run_ask(service: QAService, body: AskRequest) -> AskResponse:
        history = [Turn(t.role, t.content) for t in body.history]
        return AskResponse.of(service.ask(body.question, history, body.top_k))

    @app.post("/ask", response_model=AskResponse)
    def ask(body: AskRequest, service: Service) -> AskResponse:
        return run_ask(service, body)

    @app.post("/ask/stream", responses={200: {"content": {"text/event-stream": {}}}})
    def ask_stream(body: AskRequest, service: Service) -> StreamingResponse:
        return StreamingResponse(
            answer_events(service, body, run_ask),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )

    @app.get("/healthz", response_model=Health)
    def healthz(service: Service) -> Health:
        m = service.index.manifest
        return Health(
            status="ok",
            index=IndexInfo(
                articles=m.articles, chunks=m.chunks, model=m.model, built_at=m.built_at
            ),
        )

    @app.get("/articles", response_model=list[ArticleSummary])
    def articles(service: Service) -> list[ArticleSummary]:
        return [
            ArticleSummary(doc_id=a.doc_id, title=a.title, byline=a.byline)
            for a in service.index.articles
        ]

    @app.get("/articles/{doc_id}", response_model=ArticleOut)
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

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def answer_events(service: QAService, body: AskRequest, run: Any) -> Iterator[str]:
    """passages, then the answer in pieces, then citations, then the whole response."""
    try:
        response: AskResponse = run(service, body)
        yield sse("passages", [p.model_dump() for p in response.passages])
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
