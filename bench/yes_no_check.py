"""How often a yes/no answer's 是/否 is right, on the gold sentences of the realistic set.

bench/realistic/yes_no_labels.jsonl holds a helper's verdict (是, 否 or 不定) for every yes/no
question of the parts that are not held out; each is judged here on the sentence of its article
that holds its gold answer, as the service judges the sentence it cites (service.yes_no):

    python -m bench.yes_no_check
"""

from __future__ import annotations

import json
from collections import Counter

from bench.realistic.parts import HERE, PARTS
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


def main() -> int:
    verdicts = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        verdicts[row["id"]] = row["verdict"]
    counts: Counter[str] = Counter()
    for part in (p for p in PARTS if p.trained):  # the held-out parts are never read
        articles = {}
        for line in part.articles.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            articles[row["id"]] = row["text"]
        for q in read_questions(part.questions):
            if q.id not in verdicts or not q.doc_id:
                continue
            sentence = gold_sentence(articles[q.doc_id], q.answers[0])
            span = deciding_span(q.question, sentence)
            said = (
                None
                if span is None
                else yes_or_no(normalize(q.question), sentence[span.start : span.end])
            )
            counts["none" if said is None else "right" if said == verdicts[q.id] else "wrong"] += 1
    print(
        f"yes/no verdicts on {sum(counts.values())} gold sentences: right {counts['right']}, "
        f"wrong {counts['wrong']}, none given {counts['none']}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
