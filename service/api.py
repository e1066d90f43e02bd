"""FastAPI edge: the app with its middleware and error handlers, including one router per
resource (service/routes/) and the OpenAI-compatible one (CONTRACT.md)."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from index.embedder import Embedder
from index.store import IndexMismatch, IndexNotFound
from service.deps import Service, without_server_paths
from service.limits import BodyLimit, QuestionSlots
from service.live import LiveService
from service.openapi import truthful_openapi
from service.routes import articles, ask, health
from service.settings import Settings

__all__ = ["Service", "create_app"]  # Service: the OpenAI router takes it from here

STATIC_DIR = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
log = logging.getLogger("wenda")


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

    add_middleware(app, settings)
    add_error_handlers(app)

    @app.get("/", include_in_schema=False)
    def chat_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    from service.openai_api import router as openai_router  # it takes Service from this module

    app.openapi = lambda: truthful_openapi(app)  # type: ignore[method-assign]
    app.state.openai_created = int(time.time())
    for router in (ask.router, health.router, articles.router, openai_router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def add_middleware(app: FastAPI, settings: Settings) -> None:
    """Question slots, allowed hosts, the body limit and the security headers."""
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


def add_error_handlers(app: FastAPI) -> None:
    """422 naming the field (undecodable bodies too), never a bare 500 traceback."""

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


def field_name(error: Any) -> str:
    """The dotted field a validation error is about; "body" for the body as a whole (a body
    that is not JSON, or not an object)."""
    if error["type"] == "json_invalid":
        return "body"
    return ".".join(str(p) for p in error["loc"] if p != "body") or "body"
