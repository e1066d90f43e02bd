"""Checks of an index folder's bytes: the size and SHA-256 of every file, recorded in the manifest
when a build is written and compared before it is published and before it is served, and a
checksum of the manifest itself, so that an edited manifest is told from a damaged file."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Collection
from pathlib import Path
from typing import Any

BLOCK = 1 << 20
MANIFEST = "manifest.json"  # index.layout.MANIFEST (which imports this module)


def link_or_copy(source: Path, target: Path) -> None:
    """target as a hard link to source (no bytes written), a copy where links are refused."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            h.update(block)
    return h.hexdigest()


class ChangedLinkedFile(Exception):
    """A file linked from the previous build whose bytes changed since its manifest recorded them
    (same inode, another size or modification time): damage, never to be published as good."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)


def file_record(path: Path, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """{"bytes", "sha256", "inode", "mtime_ns"} of a file. A file linked unchanged from the build
    previous records (the same inode, size and modification time) keeps its digest unread: its
    bytes were checked when that build was written and are the same bytes."""
    st = path.stat()
    stamp = {"bytes": st.st_size, "inode": st.st_ino, "mtime_ns": st.st_mtime_ns}
    if previous is not None and previous.get("inode") == st.st_ino and "sha256" in previous:
        if any(previous.get(k) != v for k, v in stamp.items()):
            raise ChangedLinkedFile(path.name)
        return {**stamp, "sha256": previous["sha256"]}
    return {**stamp, "sha256": file_digest(path)}


def folder_files(
    folder: Path, previous: dict[str, dict[str, Any]] | None = None
) -> dict[str, dict[str, Any]]:
    """The record (file_record) of every file of a build folder but its manifest, by relative
    path; `previous`: the records of the build the unchanged files are linked from."""
    previous = previous or {}
    records = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            name = path.relative_to(folder).as_posix()
            records[name] = file_record(path, previous.get(name))
    return records


def reused_digests(
    files: dict[str, dict[str, Any]], previous: dict[str, dict[str, Any]]
) -> set[str]:
    """The files of a build whose records were carried over from the previous build's."""
    return {
        name
        for name, record in files.items()
        if (old := previous.get(name)) is not None and old.get("inode") == record.get("inode")
    }


def damaged_file(
    folder: Path, files: dict[str, dict[str, Any]], trusted: Collection[str] = ()
) -> tuple[str, str] | None:
    """(file, what is wrong) for the first file of folder that is missing or differs from the
    record `files` (sizes first, as they cost nothing; then checksums, but not of the files
    `trusted`, read already); None when all agree."""
    for name, record in files.items():
        path = folder / name
        if not path.is_file():
            return name, "missing"
        size = path.stat().st_size
        if size != record.get("bytes"):
            return name, f"{size} bytes, the manifest says {record.get('bytes')}"
    for name, record in files.items():
        if name not in trusted and file_digest(folder / name) != record.get("sha256"):
            return name, "its checksum differs from the manifest's"
    return None


def manifest_checksum(raw: dict[str, Any]) -> str:
    """The SHA-256 of a manifest's fields but `checksum` itself, in a canonical JSON form."""
    fields = {k: v for k, v in raw.items() if k != "checksum"}
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
