"""/articles: list and read the indexed articles; add, replace and remove them (admin only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from corpus.loading import TEXT_FORMATS, CorpusError
from corpus.model import Article
from index.changes import Changes, EmptyIndex, UnknownArticle
from service.articles import record_articles, uploaded_articles
from service.deps import Admin, Live, Service
from service.operations import bring_up_to_date
from service.schemas import ArticleOut, ArticlesChanged, ArticlesIn, ArticleSummary

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
router = APIRouter(prefix="/articles", tags=["articles"])

UPLOAD_BODY = {
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
}


@router.get("", response_model=list[ArticleSummary], response_model_exclude_none=True)
def articles(service: Service) -> list[ArticleSummary]:
    return [ArticleSummary.of(a) for a in service.index.articles]


@router.post("", response_model=ArticlesChanged, dependencies=[Admin], openapi_extra=UPLOAD_BODY)
async def add_articles(request: Request, live: Live) -> ArticlesChanged:
    """Add or replace (by id) articles: a .txt/.md/.jsonl upload in the form field `file`
    (repeatable; `format`: auto, page or article), or JSON {"articles": [...]}."""
    upsert = await posted_articles(request)
    return await changed(live, upsert=upsert)


@router.delete("/{doc_id:path}", response_model=ArticlesChanged, dependencies=[Admin])
async def remove_article(doc_id: str, live: Live) -> ArticlesChanged:
    return await changed(live, remove=[doc_id])


@router.get("/{doc_id:path}", response_model=ArticleOut, response_model_exclude_none=True)
def article(doc_id: str, service: Service) -> ArticleOut:
    found = service.index.articles_by_id.get(doc_id)
    if found is None:
        raise HTTPException(
            status_code=404,
            detail=f"no article with doc_id {doc_id!r}; GET /articles lists them",
        )
    return ArticleOut.of(found)


async def changed(live: Live, **change: Any) -> ArticlesChanged:
    """Publish a change as a new generation and serve it before answering."""
    try:
        manifest, done = await run_in_threadpool(
            bring_up_to_date, live.settings, live.embedder, **change
        )
    except UnknownArticle as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    except EmptyIndex as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    await run_in_threadpool(live.refresh)
    return changes_out(done, manifest.articles, manifest.generation)


def changes_out(done: Changes, articles: int, generation: str) -> ArticlesChanged:
    return ArticlesChanged(
        added=list(done.added),
        replaced=list(done.replaced),
        removed=list(done.removed),
        articles=articles,
        generation=generation,
    )


def unprocessable(field: str, message: str) -> HTTPException:
    return HTTPException(
        status_code=422, detail=[{"field": field, "message": message, "type": "value_error"}]
    )


async def uploaded(request: Request) -> list[Article]:
    """The articles of a multipart POST /articles body."""
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
        name = upload.filename or "upload.txt"
        found.extend(uploaded_articles(name, data, text_format))  # type: ignore[arg-type]
    return found


async def posted_articles(request: Request) -> list[Article]:
    """The articles of a POST /articles body: multipart uploads or JSON records."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if kind == "multipart/form-data":
            found = await uploaded(request)
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
