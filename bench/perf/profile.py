"""Where a question's time goes: a pyinstrument call tree summed by stage."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

from bench.perf.common import log
from service.evaluate import Question
from service.qa import QAService

STAGES: dict[tuple[str, str], str] = {
    # (function, file suffix) -> stage; a frame belongs to the innermost matching ancestor
    ("ask", "service/qa.py"): "other (QAService.ask itself)",
    ("resolve_question", "service/followup.py"): "follow-up resolution",
    ("search", "index/retriever.py"): "retrieve: ranking, fusion, hits (rest of search)",
    ("tokenize", "index/bm25.py"): "retrieve: jieba tokens of the question",
    ("scores", "index/bm25.py"): "retrieve: BM25 scores of every passage (bm25s)",
    ("embed_query", "index/embedder.py"): "question embedding (E5)",
    ("answer_question", "service/answer.py"): "answer: sentence scoring (rest)",
    ("naming_terms", "service/evidence.py"): "answer: naming terms (jieba POS tagging)",
    ("has_type", "service/evidence.py"): "answer: fact-type check (jieba POS tagging)",
    ("question_terms", "service/evidence.py"): "answer: question terms (jieba, IDF)",
    ("answer_spans", "corpus/chunking.py"): "answer: sentence spans",
    ("similarity", "service/qa.py"): "answer: question-sentence cosine (stored vectors)",
}


def stage_of(frame: Any, inherited: str | None) -> str | None:
    path = (frame.file_path or "").replace(os.sep, "/")
    for (function, suffix), stage in STAGES.items():
        if frame.function == function and path.endswith(suffix):
            # the answer stage tokenises too: keep that in the answer's question terms
            if function == "tokenize" and inherited and inherited.startswith("answer"):
                return inherited
            return stage
    if inherited and inherited.startswith("retrieve: ranking") and "faiss" in path:
        return "retrieve: FAISS search"
    return inherited


def profile_ask(service: QAService, questions: Sequence[Question], n: int) -> dict[str, Any]:
    """pyinstrument over QAService.ask; time summed by stage."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for q in questions:
        service.ask(q.question)
    profiler.stop()
    session = profiler.last_session
    assert session is not None
    shares: Counter[str] = Counter()

    def visit(frame: Any, stage: str | None) -> None:
        stage = stage_of(frame, stage)
        if stage:
            shares[stage] += frame.total_self_time
        for child in frame.children:
            visit(child, stage)

    visit(session.root_frame(), None)
    total = sum(shares.values())
    log(f"profile at {n:,}: " + ", ".join(f"{s} {t / total:.0%}" for s, t in shares.most_common(3)))
    return {
        "chunks": n,
        "asks": len(questions),
        "total_ms": total * 1000 / len(questions),
        "stages": [(s, t * 1000 / len(questions), t / total) for s, t in shares.most_common()],
        "text": profiler.output_text(unicode=True, color=False, short_mode=True),
    }
