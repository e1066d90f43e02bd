"""Plain typed data passed between the stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Edit:
    """One repair made to a page while turning it into articles, kept so a person can check it."""

    kind: str  # "join" | "move" | "drop"
    source_start: int  # offsets into the raw page text
    source_end: int
    detail: str = ""
    rule: str = ""  # the repair rule that made it (corpus/repair.py's REPAIR_STEPS, /variant)


@dataclass(frozen=True, slots=True)
class Article:
    doc_id: str
    title: str
    text: str  # cleaned text; citations are offsets into it
    byline: str = ""
    source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True, slots=True)
class Chunk:
    chunk_id: str  # stable: f"{doc_id}:{start}-{end}"; same text, same id, every build
    doc_id: str
    title: str
    text: str
    start: int  # offsets into Article.text, so a citation can be checked and highlighted
    end: int
