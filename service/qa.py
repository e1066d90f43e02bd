"""The one code path from a question to a cited answer, shared by HTTP, CLI and evaluation."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from corpus.text import normalize
from index.backend import ArticleFilter, Hit
from index.embedder import E5Embedder, Embedder
from index.modes import Mode
from index.store import LoadedIndex, load_index
from index.vectors import unit_cosine
from service.answer import (
    ABSTAIN_MESSAGE,
    Answer,
    AnswerSettings,
    SentenceSimilarity,
    answer_question,
)
from service.answer_model import AnswerModel
from service.backends import passage_search
from service.followup import Turn, new_topic, previous_answer, resolve_question, tells_topic
from service.reader import READER_WEIGHTS, SIBLINGS_WEIGHTS, int8_readers, reader_for
from service.reading import Reader, paired
from service.settings import Settings

# Bounds on the per-question work (jieba's part-of-speech tagging, follow-up resolution,
# tokenising), so that the largest valid request costs a few times an ordinary one, not 100x
MAX_ANSWERED_CHARS = 200  # a question is read up to here; longer ones are cut, not refused
MAX_HISTORY_READ = 12  # the last turns a follow-up is resolved against (followup.MAX_TURNS pairs)
MAX_TURN_CHARS = 200  # of each such turn, as of a question: a subject is named near its start


def bounded_question(question: str) -> str:
    """The part of question that is retrieved and answered: its first MAX_ANSWERED_CHARS."""
    return question.strip()[:MAX_ANSWERED_CHARS].strip()


def bounded_history(history: Sequence[Turn]) -> list[Turn]:
    """The turns a follow-up is read against: the last few, each cut to its first characters."""
    return [Turn(t.role, t.content.strip()[:MAX_TURN_CHARS]) for t in history[-MAX_HISTORY_READ:]]


@dataclass(frozen=True, slots=True)
class AskResult:
    question: str  # as retrieved and answered, after resolving a follow-up
    answer: Answer
    hits: list[Hit]
    timings_ms: dict[str, float] = field(default_factory=dict)


def make_embedder(settings: Settings) -> E5Embedder:
    return E5Embedder(
        settings.model_dir, dtype=settings.embed_dtype, threads=settings.torch_threads
    )


class QAService:
    """Answers questions from one loaded index."""

    def __init__(self, index: LoadedIndex, embedder: Embedder, settings: Settings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.retriever = passage_search(settings, index, embedder)  # FAISS or Milvus
        self.answer_settings = AnswerSettings(min_confidence=settings.min_confidence)
        self._read: Reader | None = None
        self.model: AnswerModel | None = None  # the answer model (None: the shipped one)

    def read(self) -> Reader | None:
        """The span reader, when it is on and the embedder is e5 (its encoder runs it; a test's
        fake embedder has none), paired with the siblings reader (service.reading.paired),
        built on the first question and kept."""
        if not self.settings.reader or not isinstance(self.embedder, E5Embedder):
            return None
        if self._read is None:
            encoder = self.embedder.questions
            int8 = int8_readers(self.settings.reader_int8)
            self._read = paired(
                reader_for(encoder, READER_WEIGHTS, int8),
                reader_for(encoder, SIBLINGS_WEIGHTS, int8),
            )
        return self._read

    @classmethod
    def load(cls, settings: Settings, embedder: Embedder | None = None) -> QAService:
        """Load the data dir's index; raises IndexNotFound or IndexMismatch with what to run."""
        embedder = embedder or make_embedder(settings)
        return cls(load_index(settings.data_dir, embedder.name, embedder.dim), embedder, settings)

    def sentence_similarity(self, query_vec: np.ndarray | None) -> SentenceSimilarity | None:
        """Cosine of the question and an answer unit, from the vectors stored with the index."""
        if query_vec is None:
            return None
        rows, vectors = self.index.sentence_rows, self.index.sentence_vectors
        mean = self.index.unit_mean  # the rows hold residuals about it (None: whole vectors)
        mean_cosine = 0.0 if mean is None else float(mean @ query_vec)

        def similarity(doc_id: str, start: int, end: int) -> float | None:
            row = rows.get((doc_id, start, end))
            return None if row is None else unit_cosine(vectors[row], query_vec, mean_cosine)

        return similarity

    def warm_up(self) -> None:
        """Load the model and jieba now rather than on the first question."""
        self.ask("谁在哪里预热?")  # a person/place question also loads jieba's POS tagger

    def ask(
        self,
        question: str,
        history: Sequence[Turn] = (),
        top_k: int | None = None,
        mode: Mode | None = None,
        filter: ArticleFilter | None = None,  # noqa: A002 (the contract's name)
    ) -> AskResult:
        """The cited answer to question (a follow-up of history), from the articles filter
        admits (all, when None)."""
        t0 = time.perf_counter()
        mode = mode or self.settings.mode
        turns = bounded_history(history)
        asked = bounded_question(question)
        resolved = resolve_question(asked, turns)
        # the answer picker reads the question's meaning whatever the retrieval mode
        query_vec = self.retriever.query_vector(resolved, "hybrid")
        t_embed = time.perf_counter()
        hits = self.retriever.search(
            resolved, top_k or self.settings.top_k, mode, query_vec, filter
        )
        t1 = time.perf_counter()
        answer = answer_question(
            resolved,
            hits,
            self.index.articles_by_id,
            self.index.keywords.idf,
            self.answer_settings,
            self.sentence_similarity(query_vec),
            previous_answer=previous_answer(turns),
            read=self.read(),
            rewritten=resolved != asked,
            model=self.model,
        )
        topic = new_topic(question, turns)
        if topic and not answer.abstained:
            best = answer.citations[0]
            cited = normalize(best.text).lower()  # not the title: 星尘 of the S9's sentence
            if not tells_topic(cited, topic):  # 那北园呢 answered of the 南园
                answer = Answer(ABSTAIN_MESSAGE, True, (), answer.confidence)
        t2 = time.perf_counter()
        timings = {
            "embed": round((t_embed - t0) * 1000, 2),
            "retrieve": round((t1 - t0) * 1000, 2),
            "answer": round((t2 - t1) * 1000, 2),
            "total": round((t2 - t0) * 1000, 2),
        }
        return AskResult(resolved, answer, hits, timings)
