"""Builds killed with SIGKILL at every stage, and builds racing (issue 15): the old index keeps
serving, the next build leaves nothing of the killed one behind, two writers take turns, and a
build never deletes a folder that a running server has pinned."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import index.publish
from corpus.loading import load_corpus
from index.layout import IndexDamaged, Manifest, current_generation
from index.pins import in_use, pin
from index.store import build_index, load_index, update_index
from service.live import LiveService
from service.settings import PROJECT_ROOT, Settings
from tests.conftest import SEED, FakeEmbedder

# A writer in a process of its own that kills itself (SIGKILL: no cleanup runs) at one stage
WRITER = textwrap.dedent(
    """
    import dataclasses, os, signal, sys, time
    from pathlib import Path

    import faiss

    from corpus.loading import load_corpus
    from index.store import build_index
    from tests.conftest import SEED, FakeEmbedder

    stage, data_dir, note = sys.argv[1], Path(sys.argv[2]), sys.argv[3]

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    embedder = FakeEmbedder()
    if stage == "embedding":
        embedder.embed_passages = die
    elif stage == "writing":  # the first file is written, the rest never
        write_index = faiss.write_index
        faiss.write_index = lambda *a: (write_index(*a), die())
    elif stage == "swapping":  # the new build is complete; the index link is not yet replaced
        os.replace = die
    elif stage == "holding":  # the write lock taken, then killed while holding it
        from index.store import write_lock
        with write_lock(data_dir):
            Path(note).write_text("locked")
            time.sleep(60)
    articles = load_corpus([SEED])
    articles[0] = dataclasses.replace(articles[0], text=articles[0].text + note)
    build_index(articles, embedder, data_dir)
    """
)


def run_writer(stage: str, data_dir: Path, note: str = "另有补充。") -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, stage, str(data_dir), note], cwd=PROJECT_ROOT, env=env
    )


def leftovers(data_dir: Path) -> list[str]:
    """What a killed writer may leave: partial build folders, temporary index links."""
    partial = [p.name for p in (data_dir / "builds").glob(".partial-*")]
    links = [p.name for p in data_dir.glob(".index-*")]
    return partial + links


@pytest.mark.parametrize("stage", ["embedding", "writing", "swapping"])
def test_a_build_killed_at_any_stage_leaves_the_old_index_and_nothing_after_the_next(
    tmp_path: Path, fake_embedder: FakeEmbedder, stage: str
) -> None:
    articles = load_corpus([SEED])
    before = build_index(articles, fake_embedder, tmp_path)
    writer = run_writer(stage, tmp_path)
    assert writer.wait(120) == -signal.SIGKILL

    served = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert served.manifest.generation == before.generation
    assert current_generation(tmp_path) == f"builds/{before.generation}"
    # what the killed writer left: nothing (embedding), its partial folder (writing), or its
    # complete build and the temporary link meant to replace the index link (swapping)
    expected = {"embedding": [], "writing": [".partial-"], "swapping": [".index-"]}[stage]
    assert [name.split("2")[0] for name in leftovers(tmp_path)] == expected

    after = update_index(tmp_path, fake_embedder, upsert=articles[:1], remove=[articles[-1].doc_id])
    assert leftovers(tmp_path) == []
    kept = sorted(p.name for p in (tmp_path / "builds").iterdir())
    assert kept == sorted([before.generation, after[0].generation])
    assert load_index(tmp_path, fake_embedder.name, fake_embedder.dim).manifest.articles == (
        len(articles) - 1
    )


def test_a_writer_killed_holding_the_lock_does_not_block_the_next(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    articles = load_corpus([SEED])
    build_index(articles, fake_embedder, tmp_path)
    locked = tmp_path / "locked"
    holder = run_writer("holding", tmp_path, str(locked))
    try:
        for _ in range(600):
            if locked.exists() or holder.poll() is not None:
                break
            time.sleep(0.1)
        assert locked.exists()
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(30)
    # the lock died with its holder: this build does not wait for it
    manifest, _ = update_index(tmp_path, fake_embedder, remove=[articles[-1].doc_id])
    assert manifest.articles == len(articles) - 1


def test_two_concurrent_builds_take_turns(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    build_index(load_corpus([SEED]), fake_embedder, tmp_path)
    writers = [run_writer("none", tmp_path, note) for note in ("第一次补充。", "第二次补充。")]
    assert [w.wait(300) for w in writers] == [0, 0]
    # each published a complete generation of its own, one after the other
    builds = sorted(p.name for p in (tmp_path / "builds").iterdir())
    assert len(builds) == 2 and leftovers(tmp_path) == []
    served = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert served.manifest.generation == builds[-1]
    assert served.articles[0].text.endswith(("第一次补充。", "第二次补充。"))


def test_a_build_keeps_an_old_folder_a_server_has_pinned(
    tmp_path: Path, fake_embedder: FakeEmbedder
) -> None:
    articles = load_corpus([SEED])
    first = build_index(articles, fake_embedder, tmp_path)
    served = tmp_path / "builds" / first.generation
    held = pin(served)  # as a server serving (or still loading) the first generation does
    assert held is not None and in_use(served)
    try:
        update_index(tmp_path, fake_embedder, remove=[articles[-1].doc_id])
        update_index(tmp_path, fake_embedder, remove=[articles[-2].doc_id])
        assert served.exists()  # two generations on: unpinned, it would be gone
    finally:
        held.release()
    assert not in_use(served)
    update_index(tmp_path, fake_embedder, remove=[articles[-3].doc_id])
    assert not served.exists()


def test_a_build_that_does_not_read_back_whole_is_not_published(
    tmp_path: Path, fake_embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = load_corpus([SEED])
    before = build_index(articles, fake_embedder, tmp_path)
    write_manifest = index.publish.write_manifest

    def then_lose_half(folder: Path, manifest: Manifest) -> None:  # as a failing disk might
        write_manifest(folder, manifest)
        vectors = folder / "vectors.faiss"
        vectors.write_bytes(vectors.read_bytes()[: vectors.stat().st_size // 2])

    monkeypatch.setattr(index.publish, "write_manifest", then_lose_half)
    with pytest.raises(IndexDamaged, match="vectors.faiss"):
        update_index(tmp_path, fake_embedder, remove=[articles[-1].doc_id])
    assert current_generation(tmp_path) == f"builds/{before.generation}"
    assert leftovers(tmp_path) == []
    served = load_index(tmp_path, fake_embedder.name, fake_embedder.dim)
    assert served.manifest.articles == len(articles)


def test_a_running_service_keeps_the_build_it_serves_until_it_moves_on(
    seed_settings: Settings, fake_embedder: FakeEmbedder, seed_articles: list
) -> None:
    settings = seed_settings.model_copy(update={"reload_seconds": 3600.0})
    live = LiveService(settings, fake_embedder)
    live.refresh()
    assert live.service is not None
    served = live.service.index.folder
    try:
        for article in seed_articles[-2:]:  # two generations on, nothing else would keep it
            update_index(settings.data_dir, fake_embedder, remove=[article.doc_id])
        assert served.exists()
        assert live.refresh() and live.service.index.folder != served
        update_index(settings.data_dir, fake_embedder, upsert=seed_articles[-1:])
        assert not served.exists()  # released when the service moved on
    finally:
        live.stop()
