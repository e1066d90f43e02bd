"""The operations behind `wenda`, the bench and the tests: settings from paths, the embedder
made ready, an index built or brought up to date, a service opened for evaluation.

The CLI parses arguments, calls one of these and prints; nothing here prints.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.model import Article
from index.changes import Changes
from index.layout import EVAL_FOLDER, Manifest, published_manifest
from service.settings import Settings

if TYPE_CHECKING:
    from index.embedder import Embedder
    from service.qa import QAService

Progress = Callable[[int, int], None]


def make_settings(
    data_dir: Path | None = None, corpus: Sequence[Path] = (), **extra: Any
) -> Settings:
    """Settings from the environment, with what the caller gave overriding (None: not given)."""
    values: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    if corpus:
        values["corpus"] = list(corpus)
    return Settings(**values)


def ready_embedder(settings: Settings) -> Embedder:
    """The configured embedder, its model converted first if it is not yet (loaded lazily)."""
    from index.convert import ensure_model
    from service.qa import make_embedder

    ensure_model(settings.model_dir)
    return make_embedder(settings)


def build(
    settings: Settings,
    embedder: Embedder,
    articles: Sequence[Article],
    index_type: str = "flat",
    progress: Progress | None = None,
) -> Manifest:
    """A fresh build of articles into the data dir (through its embedding cache)."""
    from index.store import IndexStore
    from service.articles import open_cache
    from service.backends import publish

    cache = open_cache(settings, embedder)
    try:
        paths = [str(p) for p in settings.corpus]
        return publish(
            settings,
            embedder,
            cache,
            lambda: IndexStore(settings.data_dir).build(
                articles, embedder, cache, progress, index_type, paths
            ),
            articles=articles,
            only=None,
            progress=progress,
        )
    finally:
        cache.close()


def bring_up_to_date(
    settings: Settings,
    embedder: Embedder,
    *,
    upsert: Sequence[Article] = (),
    remove: Collection[str] = (),
    corpus: Sequence[Article] | None = None,
    corpus_paths: Sequence[str] | None = None,
    index_type: str | None = None,
    progress: Progress | None = None,
) -> tuple[Manifest, Changes]:
    """The data dir's index with these changes, published as a new generation (see
    IndexStore.update; the backend kept in step); only new text is embedded."""
    from index.store import update_index
    from service.articles import open_cache
    from service.backends import publish

    cache = open_cache(settings, embedder)
    try:
        return publish(
            settings,
            embedder,
            cache,
            lambda: update_index(
                settings.data_dir,
                embedder,
                upsert=upsert,
                remove=remove,
                corpus=corpus,
                cache=cache,
                progress=progress,
                index_type=index_type,
                corpus_paths=corpus_paths,
            ),
            articles=corpus if corpus is not None else upsert,
            only=None if corpus is not None else {a.doc_id for a in upsert} | set(remove),
            progress=progress,
        )
    finally:
        cache.close()


def is_built_as_configured(settings: Settings, embedder: Embedder) -> bool:
    """The data dir's index was built with this wenda's build configuration and embedder."""
    from index.store import IndexStore

    return IndexStore(settings.data_dir).is_configured_as(embedder.name, embedder.dim)


def rebuild_as_configured(
    settings: Settings,
    embedder: Embedder,
    index_type: str | None = None,
    progress: Progress | None = None,
) -> tuple[Manifest, Changes]:
    """The data dir's index rebuilt from its own articles with this wenda's build configuration
    (the cache spares the texts embedded before)."""
    from index.store import IndexStore

    articles = IndexStore(settings.data_dir).articles()
    return bring_up_to_date(
        settings, embedder, corpus=articles, index_type=index_type, progress=progress
    )


def index_is_current(settings: Settings, articles: Sequence[Article], embedder: Embedder) -> bool:
    """The data dir's index holds exactly these articles, built as this wenda builds."""
    from index.store import IndexStore

    return IndexStore(settings.data_dir).is_current(articles, embedder.name, embedder.dim)


def eval_data_dir(data_dir: Path, corpus: Sequence[Path]) -> Path:
    """Where the index of another corpus is kept for evaluation: the data dir's eval/<key>, the
    key naming the corpus paths."""
    key = hashlib.sha256("\0".join(str(Path(p).resolve()) for p in corpus).encode())
    return data_dir / EVAL_FOLDER / key.hexdigest()[:12]


def ensure_eval_index(
    settings: Settings,
    embedder: Embedder,
    corpus: Sequence[Path],
    progress: Progress | None = None,
) -> Settings:
    """The settings of an index of corpus in the data dir's eval/ folder, built or brought up to
    date first through the data dir's embedding cache; the data dir's own index is untouched."""
    from corpus.loading import load_corpus

    paths = [Path(p) for p in corpus]
    data_dir = eval_data_dir(settings.data_dir, paths)
    # the caller's settings (its answer settings, its backend) over an index of its own, with a
    # collection of its own: the data dir's index is never changed by an evaluation
    eval_settings = settings.model_copy(
        update={
            "data_dir": data_dir,
            "corpus": paths,
            "cache_dir": settings.embedding_cache_dir,
            "milvus_collection": f"{settings.milvus_collection}_eval_{data_dir.name}",
        }
    )
    articles = load_corpus(eval_settings.corpus)
    if not index_is_current(eval_settings, articles, embedder):
        bring_up_to_date(
            eval_settings,
            embedder,
            corpus=articles,
            corpus_paths=[str(p.resolve()) for p in paths],
            progress=progress,
        )
    else:
        sync_backend(eval_settings, embedder, progress)
    return eval_settings


def sync_backend(settings: Settings, embedder: Embedder, progress: Progress | None = None) -> None:
    """The backend brought to the data dir's published index as it is (for Milvus: a collection
    that lacks its passages or holds others repaired; nothing for FAISS)."""
    from service.articles import open_cache
    from service.backends import publish

    cache = open_cache(settings, embedder)
    try:
        publish(settings, embedder, cache, lambda: None, (), only=(), progress=progress)
    finally:
        cache.close()


def eval_service(
    settings: Settings,
    embedder: Embedder,
    corpus: Sequence[Path] = (),
    progress: Progress | None = None,
) -> tuple[QAService, Settings]:
    """A QA service for evaluation. Without a corpus: the data dir's index as it is (never
    rebuilt). With one: the index ensure_eval_index keeps of it."""
    from service.qa import QAService

    if corpus:
        settings = ensure_eval_index(settings, embedder, corpus, progress)
    return QAService.load(settings, embedder), settings


class PortInUse(RuntimeError):
    """The address `wenda serve` was asked to listen on is taken."""


def check_port_free(host: str, port: int) -> None:
    """Fail before the model loads when another process already listens on host:port."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise PortInUse(
                f"{host}:{port} is already in use ({exc.strerror}; another `wenda serve`?): "
                "stop it or pick another port with --port"
            ) from exc


def ask_running_service(
    url: str, request: Any, settings: Settings, must_serve_data_dir: bool
) -> dict[str, Any] | None:
    """The /ask body from the service at url; None when none answers there (or, when
    must_serve_data_dir, it serves another index state than the data dir's)."""
    import urllib.error
    import urllib.request

    base = url.rstrip("/")
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=1.0) as resp:
            health = json.load(resp)
    except (OSError, ValueError) as exc:
        if must_serve_data_dir:
            return None
        raise ServiceUnreachable(f"no wenda service answers at {base} ({exc})") from exc
    if must_serve_data_dir:
        local = published_manifest(settings.data_dir)
        if local is None or not local.generation:
            return None
        if health.get("index", {}).get("generation") != local.generation:
            return None
    post = urllib.request.Request(
        f"{base}/ask",
        data=json.dumps(request.model_dump(exclude_none=True), ensure_ascii=False).encode(),
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(post, timeout=120) as resp:
            body: dict[str, Any] = json.load(resp)
    except urllib.error.HTTPError as exc:
        raise ServiceUnreachable(f"{base}/ask answered {exc.code}: {exc.read().decode()}") from exc
    return body


class ServiceUnreachable(RuntimeError):
    """The service named by --url did not answer."""
