"""How often a yes/no answer's 是/否 is right, on the gold sentences of the realistic set.

bench/realistic/yes_no_labels.jsonl holds helpers' verdicts (是, 否 or 不定) for every yes/no
question of the realistic set; each is judged here on the sentence of its article that holds its
gold answer, as the service judges the sentence it cites (service.yes_no), the held-out parts
apart (their labels were written after the rules and only counted, never read):

    python -m bench.yes_no_check
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from bench.realistic.parts import HERE, PARTS, Part
from corpus.text import normalize
from service.evaluate import read_questions
from service.yes_no import deciding_span, yes_or_no

LABELS = HERE / "yes_no_labels.jsonl"
_ENDS = "。！？!?\n"


def gold_sentence(text: str, answer: str) -> str:
    """The sentence of text holding answer."""
    at = text.find(answer)
    lo = max((text.rfind(end, 0, at) for end in _ENDS), default=-1) + 1
    hi = min((i for i in (text.find(end, at) for end in _ENDS) if i >= 0), default=len(text))
    return text[lo : hi + 1].strip()


def judged(parts: Iterable[Part], verdicts: dict[str, str]) -> Counter[str]:
    """How often the service's 是/否 on each labelled question's gold sentence is right, wrong
    or not given."""
    counts: Counter[str] = Counter()
    for part in parts:
        articles = {}
        for line in part.articles.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            articles[row["id"]] = row["text"]
        for q in read_questions(part.questions):
            if q.id not in verdicts or not q.doc_id:
                continue
            sentence = gold_sentence(articles[q.doc_id], q.answers[0])
            span = deciding_span(q.question, sentence)
            asked = normalize(q.question)
            said = None if span is None else yes_or_no(asked, sentence[span.start : span.end])
            counts["none" if said is None else "right" if said == verdicts[q.id] else "wrong"] += 1
    return counts


def main() -> int:
    verdicts = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        verdicts[row["id"]] = row["verdict"]
    for label, trained in (("parts not held out", True), ("held-out parts", False)):
        counts = judged((p for p in PARTS if p.trained == trained), verdicts)
        print(
            f"{label}: {sum(counts.values())} yes/no gold sentences, 是/否 right "
            f"{counts['right']}, wrong {counts['wrong']}, not given {counts['none']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
