"""The HTTP edge's request and response models (CONTRACT.md), built from the core's dataclasses."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator

from corpus.model import Article
from index.retriever import Hit
from service.qa import AskResult

MAX_QUESTION_CHARS = 2000
MAX_HISTORY_TURNS = 20


class HistoryTurn(BaseModel):
    role: Literal["user", "assistant"]
    content: StrictStr = Field(max_length=20000)


class AskRequest(BaseModel):
    question: StrictStr
    history: list[HistoryTurn] = Field(default_factory=list, max_length=MAX_HISTORY_TURNS)
    top_k: StrictInt | None = Field(default=None, ge=1, le=20)

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

    @classmethod
    def of(cls, result: AskResult) -> AskResponse:
        a = result.answer
        return cls(
            answer=a.text,
            abstained=a.abstained,
            citations=[CitationOut.model_validate(c) for c in a.citations],
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


class Health(BaseModel):
    status: str
    index: IndexInfo


class ArticleSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    doc_id: str
    title: str
    byline: str


class ArticleOut(ArticleSummary):
    text: str

    @classmethod
    def of(cls, a: Article) -> ArticleOut:
        return cls(doc_id=a.doc_id, title=a.title, byline=a.byline, text=a.text)
