"""Checks of an index folder's bytes: the size and SHA-256 of every file, recorded in the manifest
when a build is written and compared before it is published and before it is served, and a
checksum of the manifest itself, so that an edited manifest is told from a damaged file."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

BLOCK = 1 << 20
MANIFEST = "manifest.json"  # index.layout.MANIFEST (which imports this module)


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            h.update(block)
    return h.hexdigest()


def folder_files(folder: Path) -> dict[str, dict[str, Any]]:
    """{relative path: {"bytes", "sha256"}} of every file of a build folder but its manifest."""
    return {
        path.relative_to(folder).as_posix(): {
            "bytes": path.stat().st_size,
            "sha256": file_digest(path),
        }
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def damaged_file(folder: Path, files: dict[str, dict[str, Any]]) -> tuple[str, str] | None:
    """(file, what is wrong) for the first file of folder that is missing or differs from the
    record `files` (sizes first, as they cost nothing; then checksums); None when all agree."""
    for name, record in files.items():
        path = folder / name
        if not path.is_file():
            return name, "missing"
        size = path.stat().st_size
        if size != record.get("bytes"):
            return name, f"{size} bytes, the manifest says {record.get('bytes')}"
    for name, record in files.items():
        if file_digest(folder / name) != record.get("sha256"):
            return name, "its checksum differs from the manifest's"
    return None


def manifest_checksum(raw: dict[str, Any]) -> str:
    """The SHA-256 of a manifest's fields but `checksum` itself, in a canonical JSON form."""
    fields = {k: v for k, v in raw.items() if k != "checksum"}
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
