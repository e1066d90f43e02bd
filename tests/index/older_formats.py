"""Index folders as an older wenda wrote them, made from a build of this one."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from index.folder import load_folder
from index.integrity import file_record
from index.kept import article_files
from index.layout import read_manifest, write_manifest
from index.texts import PACKED
from index.vectors import unpack_unit_row


def as_format_7(data_dir: Path) -> None:
    """The published build's texts rewritten as formats 7 and before stored them: one JSON
    line per article in articles.jsonl (the packed records' own JSON), one per passage in
    chunks.jsonl (chunk_id, doc_id, start, end), no packed file, offsets or passage spans; the
    manifest of format 7."""
    folder = (data_dir / "index").resolve()
    with (folder / "articles.jsonl").open("wb") as out:
        for record in stored_articles(folder):
            out.write(record + b"\n")
    passages = stored_passages(data_dir)  # read before chunks.jsonl exists
    with (folder / "chunks.jsonl").open("w", encoding="utf-8") as out:
        for record in passages:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    gone = ("articles.packed", "article_offsets.npy", "articles.zdict", "chunk_spans.npy")
    gone += ARTICLE_FIELDS
    for name in gone:
        (folder / name).unlink(missing_ok=True)
    m = read_manifest(folder)
    files = {k: v for k, v in m.files.items() if k not in gone}
    for name in ("articles.jsonl", "chunks.jsonl"):
        files[name] = file_record(folder / name)
    write_manifest(folder, replace(m, format_version=7, files=files))


ARTICLE_FIELDS = ("article_dates.npy", "article_sources.npy", "article_sources.json")


def without_article_fields(data_dir: Path) -> None:
    """The published build as format 8 first wrote it: no arrays of what filters read."""
    folder = (data_dir / "index").resolve()
    for name in ARTICLE_FIELDS:
        (folder / name).unlink()
    m = read_manifest(folder)
    files = {k: v for k, v in m.files.items() if k not in ARTICLE_FIELDS}
    write_manifest(folder, replace(m, files=files))


def stored_articles(folder: Path) -> list[bytes]:
    """The JSON bytes of a build folder's packed article records, in row order."""
    offsets = np.load(folder / "article_offsets.npy").tolist()
    packed = (folder / "articles.packed").read_bytes()
    unwrap = article_files(folder)[1].unwrap
    return [unwrap(packed[lo:hi]) for lo, hi in zip(offsets, offsets[1:], strict=False)]


def without_dictionary(data_dir: Path) -> None:
    """The published build's packed articles as format 8 first wrote them: each record
    compressed on its own without a shared dictionary, no articles.zdict."""
    folder = (data_dir / "index").resolve()
    stored = [PACKED.wrap(record) for record in stored_articles(folder)]
    (folder / "articles.packed").write_bytes(b"".join(stored))
    np.save(
        folder / "article_offsets.npy", np.cumsum([0] + [len(s) for s in stored], dtype=np.int64)
    )
    (folder / "articles.zdict").unlink()
    m = read_manifest(folder)
    files = {k: v for k, v in m.files.items() if k != "articles.zdict"}
    for name in ("articles.packed", "article_offsets.npy"):
        files[name] = file_record(folder / name)
    write_manifest(folder, replace(m, files=files))


def as_format_5(data_dir: Path) -> None:
    """The published build rewritten as format 5 stored it: its articles as lines
    (as_format_7), each passage's record with its article's title and its text, in the fields
    and order of that record; the manifest of format 5, without build_params["passages"]."""
    as_format_7(data_dir)
    folder = (data_dir / "index").resolve()
    with (folder / "articles.jsonl").open(encoding="utf-8") as fh:
        articles = {r["doc_id"]: r for r in map(json.loads, fh)}
    written = folder / "chunks.jsonl.format-5"
    with (folder / "chunks.jsonl").open(encoding="utf-8") as fh, written.open("w") as out:
        for c in map(json.loads, fh):
            a = articles[c["doc_id"]]
            text = a["text"][c["start"] : c["end"]]
            record = {"chunk_id": c["chunk_id"], "doc_id": c["doc_id"], "title": a["title"]}
            record |= {"text": text, "start": c["start"], "end": c["end"]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    os.replace(written, folder / "chunks.jsonl")
    m = read_manifest(folder)
    params = {k: v for k, v in m.build_params.items() if k != "passages"}
    files = {**m.files, "chunks.jsonl": file_record(folder / "chunks.jsonl")}
    write_manifest(folder, replace(m, format_version=5, build_params=params, files=files))


INT8_CODING = {"dtype": "int8", "scale": "per row, float32 in its last 4 bytes"}


def int8_rows(vectors: np.ndarray) -> np.ndarray:
    """Unit vectors as formats 5 and 6 coded them: int8 steps of each row's largest / 127, the
    step a float32 in the row's last 4 bytes."""
    step = np.abs(vectors).max(axis=1, keepdims=True) / 127
    step[step == 0] = 1.0
    codes = np.clip(np.rint(vectors / step), -127, 127).astype(np.int8)
    return np.concatenate([codes, step.astype("<f4").view(np.int8)], axis=1)


def as_format_6(data_dir: Path) -> None:
    """The published build's answer-unit vectors rewritten as format 6 stored them: whole
    vectors in int8 codes, no mean file, its articles as lines (as_format_7); the manifest of
    format 6 with its unit coding."""
    as_format_7(data_dir)
    folder = (data_dir / "index").resolve()
    index = load_folder(folder, read_manifest(folder))
    assert index.unit_mean is not None and not read_manifest(folder).stored_rows
    dim = len(index.unit_mean)
    rows = np.asarray(index.sentence_vectors[:])
    vectors = index.unit_mean + np.stack([unpack_unit_row(r, dim) for r in rows])
    np.save(folder / "sentence_vectors.npy", int8_rows(vectors.reshape(-1, dim)))
    (folder / "sentence_mean.npy").unlink()
    m = read_manifest(folder)
    params = {**m.build_params, "unit_vectors": INT8_CODING}
    files = {k: v for k, v in m.files.items() if k != "sentence_mean.npy"}
    files["sentence_vectors.npy"] = file_record(folder / "sentence_vectors.npy")
    write_manifest(folder, replace(m, format_version=6, build_params=params, files=files))


def stored_passages(data_dir: Path) -> list[dict]:
    """The passage records of the published build as stored: the lines of chunks.jsonl, or
    (format 8) made from each passage's article row and offsets."""
    folder = (data_dir / "index").resolve()
    if (folder / "chunks.jsonl").exists():
        with (folder / "chunks.jsonl").open(encoding="utf-8") as fh:
            return [json.loads(line) for line in fh]
    ids = json.loads((folder / "article_ids.json").read_text(encoding="utf-8"))
    rows = np.load(folder / "chunk_articles.npy").tolist()
    spans = np.load(folder / "chunk_spans.npy").tolist()
    return [
        {"chunk_id": f"{ids[r]}:{s}-{e}", "doc_id": ids[r], "start": s, "end": e}
        for r, (s, e) in zip(rows, spans, strict=True)
    ]
