"""The HTTP edge's request and response models (CONTRACT.md), built from the core's dataclasses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    field_validator,
)

from corpus.model import Article
from index.backend import ArticleFilter, Hit
from service.qa import AskResult

MAX_QUESTION_CHARS = 2000
MAX_HISTORY_TURNS = 20


def encodable(value: str) -> str:
    """value, when it is valid Unicode: JSON's \\ud800 escapes decode to lone surrogates, which
    no tokenizer or response can carry."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"not valid Unicode: a lone surrogate at character {exc.start}; send UTF-8 text"
        ) from None
    return value


Text = Annotated[StrictStr, AfterValidator(encodable)]

# a character str.strip() keeps: written out (Python's whitespace, which JSON Schema's ECMA \\s
# differs from), so that the schema's pattern and the service agree on what is blank
NOT_BLANK = (
    "[^\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
)


def whole_number(value: Any) -> Any:
    """JSON Schema's integer admits 5.0, and so does the service (not "5", not true)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeInt = Annotated[StrictInt, BeforeValidator(whole_number)]


def date_text(value: Any) -> Any:
    """A date is sent as "YYYY-MM-DD" (JSON Schema's format date), not as seconds or a time."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError('a date is written "YYYY-MM-DD"')
    return value


DateText = Annotated[date, BeforeValidator(date_text)]


class HistoryTurn(BaseModel):
    role: Literal["user", "assistant"]
    content: Text = Field(max_length=20000)


class AskFilter(BaseModel):
    """Which articles an answer may come from (CONTRACT.md): all given conditions hold."""

    model_config = ConfigDict(extra="forbid")

    doc_ids: list[Text] | None = Field(default=None, max_length=10000)
    # strict: a date is "YYYY-MM-DD", not a number of seconds
    date_from: DateText | None = None
    date_to: DateText | None = None
    source: Text | None = Field(default=None, max_length=200)

    def to_filter(self) -> ArticleFilter:
        return ArticleFilter(
            doc_ids=frozenset(self.doc_ids) if self.doc_ids is not None else None,
            date_from=self.date_from.isoformat() if self.date_from else None,
            date_to=self.date_to.isoformat() if self.date_to else None,
            source=self.source.strip() if self.source and self.source.strip() else None,
        )


class AskRequest(BaseModel):
    # the 1–2000 characters are counted after trimming whitespace: the schema promises what is
    # always accepted (a non-blank text of at most 2000), the service also takes it padded
    question: Text = Field(
        json_schema_extra={"minLength": 1, "maxLength": MAX_QUESTION_CHARS, "pattern": NOT_BLANK},
        description=f"1–{MAX_QUESTION_CHARS} characters after trimming whitespace",
        examples=["武陵区发放了多少笔创业担保贷款?"],
    )
    history: list[HistoryTurn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS)
    top_k: WholeInt | None = Field(default=None, ge=1, le=20)
    filter: AskFilter | None = None

    @field_validator("question")
    @classmethod
    def question_length(cls, value: str) -> str:
        stripped = value.strip()
        if not stripped:
            raise ValueError("question is empty: ask something")
        if len(stripped) > MAX_QUESTION_CHARS:
            raise ValueError(
                f"question has {len(stripped)} characters; at most {MAX_QUESTION_CHARS} are allowed"
            )
        return stripped


class PassageOut(BaseModel):
    doc_id: str
    chunk_id: str
    title: str
    text: str
    score: float

    @classmethod
    def of(cls, hit: Hit) -> PassageOut:
        c = hit.chunk
        return cls(
            doc_id=c.doc_id,
            chunk_id=c.chunk_id,
            title=c.title,
            text=c.text,
            score=round(hit.score, 6),
        )


class CitationOut(BaseModel):
    """A Citation as sent: the same fields (CONTRACT.md)."""

    model_config = ConfigDict(from_attributes=True)

    marker: int
    doc_id: str
    title: str
    chunk_id: str
    text: str
    start: int
    end: int
    score: float
    # the cited article's metadata, when known (added to the contract's fields)
    date: str | None = None
    source: str | None = None


class ShortAnswerOut(BaseModel):
    """The fact itself: article_text[start:end] == text in the article doc_id (CONTRACT.md)."""

    model_config = ConfigDict(from_attributes=True)

    text: str
    marker: int
    doc_id: str
    start: int
    end: int


class AskResponse(BaseModel):
    answer: str
    abstained: bool
    citations: list[CitationOut]
    passages: list[PassageOut]
    timings_ms: dict[str, float]
    resolved_question: str  # the question as answered, after resolving a follow-up
    short_answer: ShortAnswerOut | None = None
    # which path wrote `answer`: the extractive picker, or a model (WENDA_LLM_BASE_URL), verified
    answered_by: Literal["extractive", "generated"] = "extractive"

    @classmethod
    def of(cls, result: AskResult, articles: Mapping[str, Article] | None = None) -> AskResponse:
        """The response body; articles (by doc_id) give citations their date and source."""
        a = result.answer
        citations = []
        for c in a.citations:
            out = CitationOut.model_validate(c)
            found = (articles or {}).get(out.doc_id)
            if found is not None:
                meta = article_metadata(found)
                out.date, out.source = meta.get("date"), meta.get("source")
            citations.append(out)
        return cls(
            answer=a.text,
            abstained=a.abstained,
            citations=citations,
            passages=[PassageOut.of(h) for h in result.hits],
            timings_ms=result.timings_ms,
            resolved_question=result.question,
            short_answer=ShortAnswerOut.model_validate(a.short) if a.short else None,
        )


class IndexInfo(BaseModel):
    articles: int
    chunks: int
    model: str
    built_at: str
    generation: str | None = None  # changes each time a new index state is published


class Health(BaseModel):
    status: str
    index: IndexInfo


METADATA_FIELDS = ("date", "source", "url")


def article_metadata(article: Article) -> dict[str, str]:
    """The article's date, source and link where known, as strings."""
    return {
        k: str(v)
        for k in METADATA_FIELDS
        if (v := article.metadata.get(k)) not in (None, "") and isinstance(v, str | int | float)
    }


class ArticleSummary(BaseModel):
    """An indexed article without its text; date, source and url only when known."""

    doc_id: str
    title: str
    byline: str
    date: str | None = None
    source: str | None = None
    url: str | None = None

    @classmethod
    def of(cls, a: Article) -> ArticleSummary:
        return cls(doc_id=a.doc_id, title=a.title, byline=a.byline, **article_metadata(a))


class ArticleOut(ArticleSummary):
    text: str

    @classmethod
    def of(cls, a: Article) -> ArticleOut:
        return cls(
            doc_id=a.doc_id, title=a.title, byline=a.byline, text=a.text, **article_metadata(a)
        )


class ArticleIn(BaseModel):
    """An article sent to POST /articles; other fields are kept as metadata."""

    model_config = ConfigDict(extra="allow")

    id: Text | None = Field(default=None, max_length=200)
    title: Text = Field(default="", max_length=500)
    text: Text = Field(min_length=1, max_length=1_000_000, json_schema_extra={"pattern": NOT_BLANK})
    byline: Text = ""

    @field_validator("text")
    @classmethod
    def text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is blank: send the article's text")
        return value

    def record(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class ArticlesIn(BaseModel):
    articles: list[ArticleIn] = Field(min_length=1, max_length=10000)


class ArticlesChanged(BaseModel):
    """What POST/DELETE /articles did, and the index state now served."""

    added: list[str]
    replaced: list[str]
    removed: list[str]
    articles: int
    generation: str
