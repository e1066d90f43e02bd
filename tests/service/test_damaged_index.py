"""A damaged index file or embedding cache is answered, not crashed on (issue 15): the service
stays up with a 503 naming the file and the command that repairs it; the CLI prints one line."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from index.embedder import E5_NAME, E5Embedder
from index.integrity import file_record
from index.layout import IndexDamaged, read_manifest, write_manifest
from index.store import build_index, update_index
from service.api import create_app
from service.cli import main
from service.settings import Settings
from tests.conftest import SEED, FakeEmbedder

QUESTION = "武陵区发放了多少笔创业担保贷款?"


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def remove(path: Path) -> None:
    path.unlink()


def flip_a_byte(path: Path) -> None:
    """The same size, one byte changed: only the checksum tells."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def edit_counts(path: Path) -> None:
    """A manifest edited by hand: still valid JSON, its counts changed."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["articles"] += 1
    path.write_text(json.dumps(raw, ensure_ascii=False, indent=2), encoding="utf-8")


DAMAGE: list[tuple[str, Callable[[Path], None]]] = [
    ("vectors.faiss", truncate),
    ("vectors.faiss", remove),
    ("vectors.faiss", flip_a_byte),
    ("articles.packed", truncate),
    ("articles.packed", flip_a_byte),
    ("articles.packed", remove),
    ("article_offsets.npy", truncate),
    ("article_offsets.npy", remove),
    ("chunk_spans.npy", remove),
    ("chunk_spans.npy", truncate),
    ("sentence_vectors.npy", truncate),
    ("sentence_vectors.npy", remove),
    ("sentence_units.npy", truncate),
    ("sentence_units.npy", remove),
    ("bm25/postings_tf.npy", remove),
    ("bm25/postings_tf.npy", truncate),
    ("bm25/postings_docs.npy", truncate),
    ("bm25/postings_runs.npy", truncate),
    ("bm25/postings_runs.npy", remove),
    ("bm25/postings_runs_ptr.npy", truncate),
    ("bm25/postings_runs_ptr.npy", remove),
    ("bm25/token_vocab.json", truncate),
    ("bm25/lengths.npy", truncate),
    ("bm25/lengths.npy", remove),
    ("manifest.json", truncate),
    ("manifest.json", remove),
    ("manifest.json", edit_counts),
]


def damaged_name(name: str) -> str:
    return "index/bm25" if name.startswith("bm25/") else f"index/{name}"


@pytest.mark.parametrize(("name", "damage"), DAMAGE, ids=[f"{n}-{d.__name__}" for n, d in DAMAGE])
def test_a_damaged_index_file_is_a_503_naming_it_and_the_repair(
    seed_settings: Settings,
    fake_embedder,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    damage: Callable[[Path], None],
) -> None:
    data_dir = seed_settings.data_dir
    damage(data_dir / "index" / name)
    settings = seed_settings.model_copy(update={"reload_seconds": 0.1})
    with TestClient(create_app(settings, fake_embedder)) as c:
        for response in (c.post("/ask", json={"question": QUESTION}), c.get("/healthz")):
            assert response.status_code == 503
            detail = response.json()["detail"]
            assert damaged_name(name) in detail and "wenda index --rebuild" in detail
            assert str(data_dir) not in detail
        assert c.get("/").status_code == 200  # the process is up: the chat page is served

        monkeypatch.setattr("service.cli.ready_embedder", lambda s: fake_embedder)
        cli = ["--data-dir", str(data_dir)]
        asked = CliRunner().invoke(main, ["ask", QUESTION, *cli])
        assert asked.exit_code == 2 and asked.output.count("\n") == 1
        assert damaged_name(name) in asked.output and "Traceback" not in asked.output

        rebuilt = CliRunner().invoke(main, ["index", "--rebuild", "--corpus", str(SEED), *cli])
        assert rebuilt.exit_code == 0, rebuilt.output
        c.app.state.live.refresh()  # type: ignore[attr-defined]
        answered = c.post("/ask", json={"question": QUESTION})
        assert answered.status_code == 200 and "122" in answered.json()["answer"]


def test_a_damaged_new_generation_leaves_the_previous_one_serving(
    seed_settings: Settings, fake_embedder, seed_articles
) -> None:
    settings = seed_settings.model_copy(update={"reload_seconds": 3600.0})
    with TestClient(create_app(settings, fake_embedder)) as c:
        live = c.app.state.live  # type: ignore[attr-defined]
        changed = dataclasses.replace(seed_articles[0], text=seed_articles[0].text + "另有补充。")
        update_index(seed_settings.data_dir, fake_embedder, upsert=[changed])
        truncate(seed_settings.data_dir / "index" / "vectors.faiss")
        assert live.refresh() is False
        assert "index/vectors.faiss" in (live.error or "")
        assert c.post("/ask", json={"question": QUESTION}).status_code == 200


def rewritten(folder: Path, name: str, edit: Callable[[np.ndarray], np.ndarray]) -> None:
    """folder/name saved again edited, and the manifest's record of it rewritten to match (as
    a wrong writer would leave it): only the keyword index's own checks can tell."""
    path = folder / name
    edited = edit(np.load(path))
    path.unlink()  # a new file: the build before may link the old one
    np.save(path, edited)
    m = read_manifest(folder)
    write_manifest(folder, dataclasses.replace(m, files={**m.files, name: file_record(path)}))


def falling_offsets(indptr: np.ndarray) -> np.ndarray:
    return np.concatenate([indptr[:1], indptr[2:3], indptr[1:2], indptr[3:]])


def a_run_too_long(runs: np.ndarray) -> np.ndarray:
    runs[0, 1] += 1
    return runs


def one_value_less(values: np.ndarray) -> np.ndarray:
    return values[:-1]


def past_the_last_passage(docs: np.ndarray) -> np.ndarray:
    docs[docs == docs.max()] += 1  # the seed page holds fewer than 65,536 passages
    return docs


CONSISTENT_DAMAGE = [
    ("postings_indptr.npy", falling_offsets, "not rising from 0"),
    ("postings_runs.npy", a_run_too_long, "do not cover"),
    ("postings_tf.npy", one_value_less, r"uint8 \(\d+,\), not uint8"),
    ("postings_docs.npy", past_the_last_passage, r"a posting of passage \d+ of \d+"),
]


@pytest.mark.parametrize(
    ("name", "edit", "reason"), CONSISTENT_DAMAGE, ids=[n for n, _, _ in CONSISTENT_DAMAGE]
)
def test_a_keyword_file_the_manifest_agrees_with_is_a_503_naming_it_and_why(
    seed_settings: Settings,
    fake_embedder,
    name: str,
    edit: Callable[[np.ndarray], np.ndarray],
    reason: str,
) -> None:
    folder = (seed_settings.data_dir / "index").resolve()
    if name == "postings_docs.npy":  # the postings' passages past the last, lengths kept
        lengths = np.load(folder / "bm25" / "lengths.npy")
        assert int(np.load(folder / "bm25" / name).max()) == len(lengths) - 1
    rewritten(folder, f"bm25/{name}", edit)
    with TestClient(create_app(seed_settings, fake_embedder)) as c:
        response = c.post("/ask", json={"question": QUESTION})
        assert response.status_code == 503
        detail = response.json()["detail"]
        assert f"index file index/bm25/{name} is damaged (" in detail
        assert re.search(reason, detail), detail


def test_an_update_over_a_damaged_keyword_file_names_it_and_why(
    seed_settings: Settings, fake_embedder, seed_articles
) -> None:
    truncate(seed_settings.data_dir / "index" / "bm25" / "postings_runs.npy")
    changed = dataclasses.replace(seed_articles[0], text=seed_articles[0].text + "另有补充。")
    for edit in ({"upsert": [changed]}, {"remove": [seed_articles[1].doc_id]}):
        with pytest.raises(IndexDamaged) as damaged:
            update_index(seed_settings.data_dir, fake_embedder, **edit)
        assert damaged.value.path == "index/bm25/postings_runs.npy"
        assert re.search(r"\(\d+ bytes, its header states \d+\)", str(damaged.value))


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_damaged_embedding_cache_is_moved_aside_and_rebuilt(
    seed_settings: Settings, fake_embedder, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    cache = seed_settings.embedding_cache_dir / f"embeddings-{fake_embedder.name}.sqlite"
    cache.parent.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr("service.cli.ready_embedder", lambda s: fake_embedder)
    monkeypatch.setenv("WENDA_CACHE_DIR", str(seed_settings.embedding_cache_dir))

    def index_into(name: str) -> None:
        data_dir = seed_settings.data_dir / name
        result = CliRunner().invoke(
            main, ["index", "--corpus", str(SEED), "--data-dir", str(data_dir)]
        )
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output

    if damage == "garbage":
        cache.write_bytes(b"this is not a database" * 100)
    else:  # a real cache cut off mid-file, as a full disk or a killed copy leaves it
        index_into("w")
        truncate(cache)
    damaged = cache.read_bytes()
    index_into("x")
    aside = list(cache.parent.glob(f"{cache.name}.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == damaged
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT count(*) FROM emb").fetchone()[0] > 0


class E5NamedFake(FakeEmbedder):
    """Builds an index the real embedder's name and dimension accept, without the model."""

    name, dim = E5_NAME, 384


def garbled_model(model: Path) -> None:
    (model / "config.json").write_text('{"model_type": "bert", "hidden_si', encoding="utf-8")
    (model / "model.safetensors").write_bytes(b"\x00" * 1000)


def truncated_model(model: Path) -> None:
    """The real converted model with its weights cut off after 4 MB (a copy that stopped)."""
    from index.convert import ensure_model

    real = Settings().model_dir
    ensure_model(real)
    for part in real.iterdir():
        if part.name != "model.safetensors":
            os.symlink(part, model / part.name)
    with (real / "model.safetensors").open("rb") as fh:
        (model / "model.safetensors").write_bytes(fh.read(4 << 20))


@pytest.mark.parametrize(
    "damage",
    [garbled_model, pytest.param(truncated_model, marks=pytest.mark.slow)],
    ids=["garbled", "truncated"],
)
def test_a_damaged_model_is_a_503_and_a_one_line_cli_error(
    tmp_path: Path,
    seed_articles,
    monkeypatch: pytest.MonkeyPatch,
    damage: Callable[[Path], None],
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    damage(model)
    settings = Settings(data_dir=tmp_path / "data", model_dir=model, cache_dir=tmp_path / "c")
    build_index(seed_articles, E5NamedFake(), settings.data_dir)
    with TestClient(create_app(settings)) as c:
        response = c.post("/ask", json={"question": QUESTION})
        assert response.status_code == 503
        assert "embedding model" in response.json()["detail"]
        assert "`wenda model`" in response.json()["detail"]
    monkeypatch.setenv("WENDA_MODEL_DIR", str(model))
    monkeypatch.setattr("service.cli.ready_embedder", lambda s: E5Embedder(model))
    asked = CliRunner().invoke(main, ["ask", QUESTION, "--data-dir", str(settings.data_dir)])
    assert asked.exit_code == 2 and asked.output.count("\n") == 1
    assert "`wenda model`" in asked.output and "Traceback" not in asked.output


TEXT_DAMAGE = [
    ("article_offsets.npy", falling_offsets),
    ("chunk_spans.npy", one_value_less),
    ("article_dates.npy", one_value_less),
]


@pytest.mark.parametrize(("name", "edit"), TEXT_DAMAGE, ids=[n for n, _ in TEXT_DAMAGE])
def test_a_texts_file_the_manifest_agrees_with_is_a_503_naming_it(
    seed_settings: Settings, fake_embedder, name: str, edit: Callable[[np.ndarray], np.ndarray]
) -> None:
    """Damage a wrong writer would leave: only the texts' own checks can tell."""
    rewritten((seed_settings.data_dir / "index").resolve(), name, edit)
    with TestClient(create_app(seed_settings, fake_embedder)) as c:
        response = c.post("/ask", json={"question": QUESTION})
        assert response.status_code == 503
        assert f"index file index/{name} is damaged (" in response.json()["detail"]
