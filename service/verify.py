"""The verifier of generated answers: each sentence a model writes is checked against the
numbered evidence sentences it cites (its numbers, dates and names, and most of its wording)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from corpus.text import SENTENCE_END, normalize, pos_tags
from service.answer import Citation

# a sentence whose words are mostly not the evidence's says something the evidence does not
MIN_WORDING_OVERLAP = 0.5

MARKER = re.compile(r"\[(\d+)\]")
_MARKERS_AT = re.compile(r"\s*(?:\[\d+\]\s*)+")
_DIGITS = re.compile(r"\d+(?:[.,，]\d+)*%?")
_CN_NUMBER = re.compile(r"[零一二三四五六七八九十百千万亿两]{2,}")
_DIGIT_GROUP = re.compile(r"(?<=\d)[,，](?=\d)")
# proper names jieba tags: people, places, organisations, other proper nouns, foreign words
NAME_TAGS = frozenset(["nr", "nrfg", "nrt", "ns", "nt", "nz", "eng"])
_ENDS = set(SENTENCE_END + "\n")


# one numbered sentence the model may answer from: a citation it may make
Evidence = Citation


@dataclass(frozen=True, slots=True)
class Checked:
    """A sentence of the draft as written, the evidence it cites, and why it was dropped."""

    sentence: str
    cites: tuple[int, ...]
    problem: str | None = None  # None: every number, name and date is in the cited evidence

    @property
    def supported(self) -> bool:
        return self.problem is None


def _number_form(text: str) -> str:
    return _DIGIT_GROUP.sub("", normalize(text))


def facts_of(sentence: str) -> list[str]:
    """The numbers, dates and names a sentence states: what its citations must hold."""
    plain = _number_form(MARKER.sub("", sentence))
    facts = [m.group().rstrip("%") for m in _DIGITS.finditer(plain)]
    facts += _CN_NUMBER.findall(plain)
    # a surname alone (李 of 李明说) is a name too; other one-character tags are too loose
    facts += [
        w
        for w, flag in pos_tags(plain)
        if flag in NAME_TAGS and (len(w.strip()) > 1 or flag == "nr") and w.strip()
    ]
    return list(dict.fromkeys(f.strip() for f in facts if f.strip()))


def check_sentence(sentence: str, evidence: Mapping[int, Evidence]) -> Checked:
    """Supported when it cites evidence that exists and every number, date and name it states
    is in the cited sentences (a name may also come from a cited article's headline)."""
    cites = tuple(dict.fromkeys(int(n) for n in MARKER.findall(sentence)))
    if not cites:
        return Checked(sentence, cites, "cites no evidence")
    unknown = [n for n in cites if n not in evidence]
    if unknown:
        return Checked(sentence, cites, f"cites evidence that does not exist: {unknown}")
    if not MARKER.sub("", sentence).strip(SENTENCE_END + "，,、 \n"):
        return Checked(sentence, cites, "says nothing")
    cited = _number_form(" ".join(evidence[n].text for n in cites)).lower()
    headlines = normalize(" ".join(evidence[n].title for n in cites)).lower()
    for fact in facts_of(sentence):
        form = fact.lower()
        if form in cited:
            continue
        is_number = bool(_DIGITS.fullmatch(fact) or _CN_NUMBER.fullmatch(fact))
        if not is_number and form in headlines:
            continue
        kind = "number or date" if is_number else "name"
        return Checked(sentence, cites, f"{kind} {fact!r} is not in the cited evidence")
    pairs = char_pairs(sentence)
    if pairs:
        share = sum(p in cited or p in headlines for p in pairs) / len(pairs)
        if share < MIN_WORDING_OVERLAP:
            return Checked(sentence, cites, f"only {share:.0%} of its wording is in the evidence")
    return Checked(sentence, cites)


def char_pairs(sentence: str) -> set[str]:
    """Adjacent word-character pairs of a sentence's text, markers and punctuation left out."""
    plain = _number_form(MARKER.sub("", sentence)).lower()
    runs = re.findall(r"\w+", plain)
    return {run[i : i + 2] for run in runs for i in range(len(run) - 1)}


def _says_something(piece: str) -> bool:
    """Not only punctuation and markers (a 。 left after a model's "…人;[1]。")."""
    return bool(re.search(r"\w", MARKER.sub("", piece)))


class SentenceReader:
    """Whole sentences out of a stream of pieces; citation markers after a sentence's final
    punctuation stay with that sentence."""

    def __init__(self) -> None:
        self.buffer = ""

    def feed(self, piece: str) -> list[str]:
        self.buffer += piece
        done: list[str] = []
        while True:
            cut = self._sentence_end()
            if cut is None:
                return done
            sentence, self.buffer = self.buffer[:cut], self.buffer[cut:]
            if _says_something(sentence):
                done.append(sentence.strip())

    def flush(self) -> list[str]:
        rest, self.buffer = self.buffer.strip(), ""
        return [rest] if _says_something(rest) else []

    def _sentence_end(self) -> int | None:
        text = self.buffer
        for i, ch in enumerate(text):
            if ch not in _ENDS:
                continue
            j = i + 1
            while j < len(text) and text[j] in _ENDS:
                j += 1
            m = _MARKERS_AT.match(text, j)
            j = m.end() if m else j
            # the sentence is whole once something other than a marker or its start follows
            rest = text[j:]
            if rest and not re.fullmatch(r"\s*\[?\d*", rest):
                return j
            return None
        return None


def verify(draft: str, evidence: Sequence[Evidence]) -> list[Checked]:
    """Every sentence of a whole draft, checked against the evidence it cites."""
    reader = SentenceReader()
    by_number = {e.marker: e for e in evidence}
    return [check_sentence(s, by_number) for s in reader.feed(draft) + reader.flush()]
