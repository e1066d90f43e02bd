"""What an update does to an index's articles: added, replaced, removed, by id and content."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Sequence
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


HASH_MODULUS = 1 << 256


def corpus_hash(articles: Iterable[Article]) -> str:
    """A hash of the articles' text (not their order): the sum of their digests modulo 2**256,
    so that an update finds the new one from the old with the digests of what it changed."""
    return changed_hash(None, (), articles)


def changed_hash(old: str | None, gone: Iterable[Article], new: Iterable[Article]) -> str:
    """corpus_hash of a corpus with hash old (None: empty) without gone and with new."""
    total = int(old, 16) if old is not None else 0
    total -= sum(map(_text_digest, gone))
    total += sum(map(_text_digest, new))
    return f"{total % HASH_MODULUS:064x}"


def is_corpus_hash(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _text_digest(a: Article) -> int:
    text = json.dumps([a.doc_id, a.title, a.byline, a.text], ensure_ascii=False)
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


def article_hash(article: Article) -> str:
    """The hash of what an article contributes to the index (not where it was read from)."""
    record = [article.doc_id, article.title, article.byline, article.text, article.metadata]
    return hashlib.sha256(
        json.dumps(record, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


@dataclass(frozen=True, slots=True)
class Plan:
    """An update worked out by article id: the ids after it, in order, the articles to encode
    (added or replaced), and what changed."""

    target_ids: list[str]
    new: list[Article]
    changes: Changes


def plan_changes(
    current_ids: Sequence[str],
    read_old: Callable[[list[str]], dict[str, Article]],
    upsert: Sequence[Article],
    remove: Collection[str],
    corpus: Sequence[Article] | None,
) -> Plan:
    """What a change does to an index of the articles current_ids. `corpus`: exactly these
    articles; otherwise `upsert` adds or replaces by id and `remove` drops ids (unknown ones
    raise UnknownArticle). Only the articles offered again are read (read_old) and hashed: a
    removal reads no text."""
    present = set(current_ids)
    if corpus is not None:
        offered = {a.doc_id: a for a in corpus}
        target_ids = list(offered)
        removed = tuple(d for d in current_ids if d not in offered)
    else:
        unknown = [d for d in remove if d not in present]
        if unknown:
            raise UnknownArticle(
                f"no article with id {', '.join(map(repr, unknown))} in the index; "
                "GET /articles (or `wenda index --dry-run --show-articles`) lists them"
            )
        gone = set(remove)
        removed = tuple(d for d in current_ids if d in gone)
        offered = {a.doc_id: a for a in upsert}
        target_ids = [d for d in current_ids if d not in gone]
        target_ids += [d for d in offered if d not in present or d in gone]
    again = [d for d in offered if d in present]
    old = read_old(again)
    added = tuple(d for d in target_ids if d not in present)
    replaced = tuple(d for d in again if article_hash(old[d]) != article_hash(offered[d]))
    fresh = set(added) | set(replaced)
    unchanged = len(target_ids) - len(added) - len(replaced)
    new = [a for d, a in offered.items() if d in fresh]
    return Plan(target_ids, new, Changes(added, replaced, removed, unchanged))


def target_articles(
    current: Sequence[Article],
    upsert: Sequence[Article],
    remove: Collection[str],
    corpus: Sequence[Article] | None,
) -> tuple[list[Article], Changes]:
    """The articles after a change (plan_changes) and what changed."""
    by_id = {a.doc_id: a for a in current}
    plan = plan_changes(list(by_id), lambda ids: {d: by_id[d] for d in ids}, upsert, remove, corpus)
    offered = {a.doc_id: a for a in (corpus if corpus is not None else upsert)}
    target = [offered.get(d) or by_id[d] for d in plan.target_ids]
    return target, plan.changes
