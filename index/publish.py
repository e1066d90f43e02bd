"""Writing a build folder and publishing it, for IndexStore (the folder's one owner): the files
written into a `.partial-*` folder, the manifest recorded (every file's size and checksum, the
digests of files linked unchanged from the build before carried over), the folder read back,
renamed into place and swapped in with one atomic rename of the index link."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.changes import Changes, corpus_hash
from index.folder import IndexContents, load_folder, write_contents
from index.integrity import ChangedLinkedFile, damaged_file, folder_files, reused_digests
from index.kept import EditedTexts
from index.layout import (
    BUILDS,
    FORMAT_VERSION,
    INDEX_LINK,
    PARTIAL_PREFIX,
    IndexDamaged,
    Manifest,
    read_manifest,
    write_manifest,
)
from index.pins import in_use


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """What a build's manifest records beyond its contents."""

    model: str
    dim: int
    index_type: str
    build_params: dict[str, Any]
    corpus_paths: Sequence[str] = ()
    started: float = field(default_factory=time.perf_counter)
    embedded: int = 0
    changes: Changes = field(default_factory=Changes)
    hash_of_corpus: str | None = None


def clear_leftovers(data_dir: Path) -> None:
    """What a killed writer left: its partial build folder, its temporary index link. Only a
    holder of the write lock may call this (a partial build seen then is no live writer's)."""
    for leftover in (data_dir / BUILDS).glob(f"{PARTIAL_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for link in data_dir.glob(f".{INDEX_LINK}-*"):
        link.unlink(missing_ok=True)


def write_build(
    data_dir: Path, contents: IndexContents, info: BuildInfo, previous: dict[str, Any]
) -> tuple[Path, Manifest]:
    """contents written into a new build folder under data_dir/builds, its manifest recorded
    and the folder read back; `previous`: the published manifest's file records, whose digests
    files linked from that build keep. Returns the complete folder (not yet published)."""
    builds = data_dir / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    build_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
    folder = builds / f"{PARTIAL_PREFIX}{build_id}"
    try:
        folder.mkdir()
        units, stored_rows = write_contents(folder, contents)
        try:
            files = folder_files(folder, previous)
        except ChangedLinkedFile as exc:
            raise IndexDamaged(exc.name, "changed since the build it is linked from") from exc
        n_articles, n_chunks = contents.counts()
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model=info.model,
            dim=info.dim,
            articles=n_articles,
            chunks=n_chunks,
            corpus_hash=info.hash_of_corpus or _corpus_hash(contents),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            index_type=info.index_type,
            build_seconds=round(time.perf_counter() - info.started, 3),
            embedded=info.embedded,
            sentences=units,
            generation=build_id,
            corpus_paths=[str(p) for p in info.corpus_paths],
            build_params=info.build_params,
            changes=info.changes.counts(),
            files=files,
            stored_rows=stored_rows,
        )
        write_manifest(folder, manifest)
        # read back: what the disk did not keep whole is not published
        check_build(folder, trusted=reused_digests(files, previous))
        final = builds / build_id
        folder.rename(final)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return final, manifest


def _corpus_hash(contents: IndexContents) -> str:
    if isinstance(contents.articles, EditedTexts):  # its hash is the update's to work out
        raise ValueError("an update's texts come with the hash of their corpus")
    return corpus_hash(contents.articles)


def check_build(folder: Path, trusted: set[str] | None = None) -> None:
    """A written build folder read back whole: its files as the manifest records them (sizes,
    checksums but of the files `trusted`, linked unchanged) and their counts as it states
    them; IndexDamaged naming the file otherwise."""
    manifest = read_manifest(folder)
    if damage := damaged_file(folder, manifest.files, trusted or set()):
        raise IndexDamaged(*damage)
    load_folder(folder, manifest)


def swap_in(data_dir: Path, build: Path) -> None:
    """Point data_dir/index at build with one atomic rename, then drop the builds older than
    the one it replaces (kept so a service still loading it is not cut off)."""
    link = data_dir / INDEX_LINK
    previous = link.resolve().name if link.is_symlink() else None
    tmp_link = data_dir / f".{INDEX_LINK}-{build.name}"
    tmp_link.symlink_to(build.relative_to(data_dir))
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)
    os.replace(tmp_link, link)
    for old in (data_dir / BUILDS).iterdir():
        if old.name in (build.name, previous) or old.name.startswith(PARTIAL_PREFIX):
            continue
        if not in_use(old):  # a running server's pinned generation stays until it moves on
            shutil.rmtree(old, ignore_errors=True)
