"""Where a question's time goes: a pyinstrument call tree summed by stage."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

from bench.perf.common import log
from service.evaluate import Question
from service.qa import QAService

# the stage of each profiled function, by the file it is defined in; a frame belongs to the
# innermost matching ancestor
STAGES_BY_FILE: dict[str, dict[str, str]] = {
    "service/qa.py": {
        "ask": "other (QAService.ask itself)",
        "similarity": "answer: question-sentence cosine (stored vectors)",
    },
    "service/followup.py": {"resolve_question": "follow-up resolution"},
    "index/backend.py": {"search": "retrieve: fusion, hits (rest of search)"},
    "index/retriever.py": {"rankings": "retrieve: dense and keyword rankings"},
    "index/bm25.py": {
        "tokenize": "retrieve: jieba tokens of the question",
        "scores": "retrieve: BM25 scores of every passage (index.bm25)",
    },
    "index/embedder.py": {"embed_query": "question embedding (E5)"},
    "service/answer.py": {"answer_question": "answer: sentence scoring (rest)"},
    "service/evidence.py": {
        "naming_terms": "answer: naming terms (jieba POS tagging)",
        "has_type": "answer: fact-type check (jieba POS tagging)",
        "question_terms": "answer: question terms (jieba, IDF)",
    },
    "corpus/chunking.py": {"answer_spans": "answer: sentence spans"},
}
STAGES: dict[tuple[str, str], str] = {
    (function, suffix): stage
    for suffix, stages in STAGES_BY_FILE.items()
    for function, stage in stages.items()
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
