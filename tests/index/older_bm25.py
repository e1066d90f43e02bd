"""Keyword index folders as wenda wrote them before the stored term frequencies: bm25s's score
matrix, doc_freq.json and, when kept, the token table."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import bm25s
import numpy as np

from index.integrity import file_record
from index.layout import read_manifest, write_manifest


def write_bm25s_folder(folder: Path, tokens: list[list[str]], keep_tokens: bool) -> None:
    """The keyword index of these passages' tokens (an empty passage holds bm25s's "") in the
    layout before term frequencies: bm25s.BM25.save's files and doc_freq.json, the token table
    (token_ids.npy, token_offsets.npy, token_vocab.json) when keep_tokens."""
    stored = [t or [""] for t in tokens]
    model = bm25s.BM25()
    model.index(stored, show_progress=False)
    model.save(str(folder), show_progress=False)
    df: dict[str, int] = {}
    for t in stored:
        for w in set(t) - {""}:
            df[w] = df.get(w, 0) + 1
    meta = {"n_docs": len(stored), "doc_freq": df}
    (folder / "doc_freq.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
    if keep_tokens:
        vocab = list(dict.fromkeys(w for t in stored for w in t))
        ids = {w: i for i, w in enumerate(vocab)}
        np.save(folder / "token_ids.npy", np.array([ids[w] for t in stored for w in t], np.int32))
        lengths = np.cumsum([len(t) for t in stored], dtype=np.int64)
        np.save(folder / "token_offsets.npy", np.concatenate([[0], lengths]).astype(np.int64))
        (folder / "token_vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")


def as_bm25s_keywords(data_dir: Path, tokens: list[list[str]], keep_tokens: bool) -> None:
    """The published build's keyword index rewritten in the layout before term frequencies
    (write_bm25s_folder) from its passages' tokens, in passage order; the manifest's records of
    its files with it."""
    folder = (data_dir / "index").resolve()
    bm25 = folder / "bm25"
    for path in bm25.iterdir():
        path.unlink()
    write_bm25s_folder(bm25, tokens, keep_tokens)
    m = read_manifest(folder)
    files = {k: v for k, v in m.files.items() if not k.startswith("bm25/")}
    files |= {f"bm25/{p.name}": file_record(p) for p in sorted(bm25.iterdir())}
    write_manifest(folder, replace(m, files=files))
