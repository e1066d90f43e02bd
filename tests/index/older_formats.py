"""Index folders as an older wenda wrote them, made from a build of this one."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

from index.integrity import file_record
from index.layout import read_manifest, write_manifest


def as_format_5(data_dir: Path) -> None:
    """The published build rewritten as format 5 stored it: each passage's record with its
    article's title and its text, in the fields and order of that record; the manifest of
    format 5, without build_params["passages"]."""
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
