"""What an update does to an index's articles: added, replaced, removed, by id and content."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from corpus.model import Article


@dataclass(frozen=True, slots=True)
class Changes:
    """What an update did, by article id."""

    added: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0

    def any(self) -> bool:
        return bool(self.added or self.replaced or self.removed)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "replaced": len(self.replaced),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
        }


class EmptyIndex(ValueError):
    """A change that would leave the index without articles."""


class UnknownArticle(KeyError):
    """An article id the index does not hold."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown article"


def corpus_hash(articles: Sequence[Article]) -> str:
    h = hashlib.sha256()
    for a in articles:
        h.update(json.dumps([a.doc_id, a.title, a.byline, a.text], ensure_ascii=False).encode())
    return h.hexdigest()


def article_hash(article: Article) -> str:
    """The hash of what an article contributes to the index (not where it was read from)."""
    record = [article.doc_id, article.title, article.byline, article.text, article.metadata]
    return hashlib.sha256(
        json.dumps(record, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


def target_articles(
    current: Sequence[Article],
    upsert: Sequence[Article],
    remove: Collection[str],
    corpus: Sequence[Article] | None,
) -> tuple[list[Article], Changes]:
    """The articles after a change and what changed. `corpus`: exactly these articles;
    otherwise `upsert` adds or replaces by id and `remove` drops ids (unknown ones raise
    UnknownArticle). Only articles offered again are hashed: a removal reads no text."""
    old = {a.doc_id: a for a in current}
    if corpus is not None:
        target = list(corpus)
        offered = {a.doc_id for a in target}
        removed = tuple(d for d in old if d not in offered)
    else:
        unknown = [d for d in remove if d not in old]
        if unknown:
            raise UnknownArticle(
                f"no article with id {', '.join(map(repr, unknown))} in the index; "
                "GET /articles (or `wenda index --dry-run --show-articles`) lists them"
            )
        gone = set(remove)
        removed = tuple(d for d in old if d in gone)
        by_id = {a.doc_id: a for a in upsert}
        target = [by_id.pop(a.doc_id, a) for a in current if a.doc_id not in gone]
        target.extend(by_id.values())
        offered = {a.doc_id for a in upsert}
    return target, _changes(old, target, offered, removed)


def _changes(
    old: dict[str, Article],
    target: list[Article],
    offered: set[str],
    removed: tuple[str, ...],
) -> Changes:
    """What changed: target's articles not in old added, those offered again with another
    content hash replaced."""
    added = tuple(a.doc_id for a in target if a.doc_id not in old)
    replaced = tuple(
        a.doc_id
        for a in target
        if a.doc_id in offered
        and a.doc_id in old
        and (a is not old[a.doc_id] and article_hash(old[a.doc_id]) != article_hash(a))
    )
    return Changes(added, replaced, removed, len(target) - len(added) - len(replaced))
