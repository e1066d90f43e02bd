"""`make eval`: every public evaluation set in all three retrieval modes, written to docs/evaluation.md."""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.realistic.parts import PARTS as REALISTIC_PARTS
from index.modes import MODES
from service.evaluate import evaluate, markdown_table
from service.operations import eval_service, make_settings, ready_embedder
from service.settings import BUNDLED_CORPUS, PROJECT_ROOT


def datasets(shared: Path) -> list[tuple[str, Path, list[Path]]]:
    """(name, questions file, corpus) for the seed page and the two public sets."""
    eval_dir = shared / "eval"
    return [
        ("seed page (bundled corpus)", eval_dir / "seed_dev.jsonl", [BUNDLED_CORPUS]),
        *((part.title, part.questions, [part.articles]) for part in REALISTIC_PARTS),
        (
            "CMRC 2018 public",
            eval_dir / "cmrc2018" / "questions_public.jsonl",
            [eval_dir / "cmrc2018" / "docs.jsonl"],
        ),
        (
            "DRCD public",
            eval_dir / "drcd" / "questions_public.jsonl",
            [eval_dir / "drcd" / "docs.jsonl"],
        ),
    ]


MAKE_EVAL_LIMIT = 300  # answerable questions a public set, as the Makefile's `eval` passes


def even_sample_lines(questions: Path, limit: int) -> list[str]:
    """The lines of every n-th answerable question (at most limit) and every unanswerable one."""
    lines = questions.read_text(encoding="utf-8").splitlines()
    answerable = [ln for ln in lines if '"answerable": true' in ln]
    step = max(1, len(answerable) // limit)
    kept = set(answerable[::step][:limit])
    return [ln for ln in lines if ln in kept or '"answerable": false' in ln]


def sampled_articles(questions: Path, limit: int = MAKE_EVAL_LIMIT) -> set[str]:
    """The articles of the answerable questions that `make eval` samples from questions (the
    span reader is trained on none of them)."""
    sampled = (json.loads(ln) for ln in even_sample_lines(questions, limit))
    return {q["doc_id"] for q in sampled if q["answerable"]}


def even_sample(questions: Path, limit: int) -> Path:
    """A file of even_sample_lines."""
    lines = even_sample_lines(questions, limit)
    sample = PROJECT_ROOT / "data" / "eval" / f"sample-{questions.parent.name}-{questions.name}"
    sample.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sample


def dataset_section(name: str, questions: Path, corpus: list[Path], limit: int) -> list[str]:
    """The report's section of one dataset: its figures in every mode, by kind in hybrid."""
    settings = make_settings()
    service, _ = eval_service(settings, ready_embedder(settings), corpus)
    if limit:
        questions = even_sample(questions, limit)
    rows = []
    kinds: dict[str, dict[str, object]] = {}
    for mode in MODES:
        print(f"{name}: {mode}", file=sys.stderr, flush=True)
        report = evaluate(service, questions, mode)  # type: ignore[arg-type]
        rows.append(report.figures())
        if mode == "hybrid":
            kinds = report.by_kind()
    corpus_names = ", ".join(p.name for p in corpus)
    parts = ["", f"## {name}", "", f"`{questions.name}`, corpus {corpus_names}.", ""]
    parts.append(markdown_table(rows))
    if kinds:
        parts += ["", "By kind of question (hybrid):", ""]
        parts.append(markdown_table([{**f, "kind": k} for k, f in kinds.items()], label="kind"))
    return parts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "evaluation.md")
    parser.add_argument(
        "--limit",
        type=int,
        default=0,
        help="At most this many questions per file, sampled evenly (0: all).",
    )
    args = parser.parse_args(argv)

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT_ROOT
    )
    started = time.perf_counter()
    parts = [
        "# Evaluation",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit `{commit.stdout.strip()}`, on {platform.machine()} "
        f"with Python {platform.python_version()}; command: `make eval` "
        f"(`python -m bench.evaluation{' --limit ' + str(args.limit) if args.limit else ''}`)"
        + (
            f"; every n-th answerable question, at most {args.limit} a file, and every unanswerable one."
            if args.limit
            else "."
        ),
        "",
        "Figures as defined in `../shared/CONTRACT.md`; every question goes through the same code path as "
        "`POST /ask` (top_k 5). Latency is in-process wall time per question, one at a time; "
        "`bm25` and `dense` are each retriever alone, `hybrid` is the default fused retrieval.",
    ]
    for name, questions, corpus in datasets(args.shared):
        parts += dataset_section(name, questions, corpus, args.limit)
    parts += ["", "The newspaper-page repair is measured separately: [newspaper.md](newspaper.md)."]
    parts += ["", f"Whole run: {time.perf_counter() - started:.0f} s."]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
