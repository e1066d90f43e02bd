"""Generated against extractive answers on evaluation files, through the code path /ask uses
(service.generate.generate_answer): answer hit, citation support, abstention, how often the
verifier cut a draft or replaced it with the extractive answer, latency and first-sentence time.

    python -m bench.eval_generated ../shared/eval/seed_dev.jsonl --llm-url http://127.0.0.1:8080/v1
    python -m bench.eval_generated ../shared/eval/cmrc2018/questions_public.jsonl \
        --corpus ../shared/eval/cmrc2018/docs.jsonl --sample 40 --llm-url …
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

from service.cli import eval_service
from service.evaluate import Report, judge, percentile, read_questions
from service.generate import Generated, OpenAICompatibleGenerator, generate_answer


def run(
    path: Path, corpus: list[Path], sample: int | None, llm_url: str, model: str, timeout: float
) -> list[dict[str, Any]]:
    service, _ = eval_service(corpus, None)
    questions = read_questions(path)
    if sample and sample < len(questions):
        questions = random.Random(0).sample(questions, sample)
    generator = OpenAICompatibleGenerator(llm_url, model, timeout=timeout)
    rows = []
    for label, gen in (("extractive", None), ("generated", generator)):
        report = Report(path.name, label)
        outcomes: list[Generated] = []
        for q in questions:
            t0 = time.perf_counter()
            outcome = generate_answer(service, q.question, q.history, 5, None, gen)
            report.outcomes.append(judge(q, outcome.result, (time.perf_counter() - t0) * 1000))
            outcomes.append(outcome)
        figures = report.figures()
        drafted = [o for o in outcomes if o.draft]
        firsts = sorted(o.first_sentence_ms for o in outcomes if o.first_sentence_ms is not None)
        figures |= {
            "answered_by_model": sum(o.answered_by == "generated" for o in outcomes),
            "drafts": len(drafted),
            "drafts_cut": sum(o.cut for o in drafted),
            "drafts_replaced": sum(o.replaced for o in drafted),
            "drafts_declined": sum(o.fallback == "the model declined" for o in drafted),
            "model_failed": sum((o.fallback or "").startswith("model failed") for o in outcomes),
            "first_sentence_p50_ms": round(percentile(firsts, 50), 1) if firsts else None,
            "first_sentence_p95_ms": round(percentile(firsts, 95), 1) if firsts else None,
        }
        rows.append(figures)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--corpus", type=Path, action="append", default=[])
    parser.add_argument("--sample", type=int, default=None)
    parser.add_argument("--llm-url", required=True)
    parser.add_argument("--llm-model", default="local")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    for path in args.files:
        for row in run(path, args.corpus, args.sample, args.llm_url, args.llm_model, args.timeout):
            print(json.dumps(row, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
