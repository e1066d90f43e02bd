"""The punctuation and script vocabulary every corpus rule reads: one definition of each set.

Where two rules need different sets, both are named here with the reason, so that they cannot
drift apart unnoticed.
"""

from __future__ import annotations

# CJK Unified Ideographs with Extension A, for regex classes (`[{CJK}]`)
CJK = "\u3400-\u4dbf\u4e00-\u9fff"


def is_cjk(char: str) -> bool:
    """Whether char is a Chinese character (the ranges of CJK)."""
    return "\u3400" <= char <= "\u4dbf" or "\u4e00" <= char <= "\u9fff"


# marks a sentence ends on
SENTENCE_MARKS = "。！？!?；;…"
# where a paragraph may end: a sentence, or a colon introducing the list that follows
FINAL_MARKS = "。！？!?；;：:…"
# marks no headline contains (a headline may ask or exclaim, never state and go on)
HEADLINE_STOPS = "。；;…"
# marks inside a sentence
CLAUSE_MARKS = "，,、：:；;"
COMMAS = "，,、"
# closing quotes and brackets that may follow a sentence's final mark
CLOSERS = "”’」』）)》〉】\"'"
# the closers the answer units are cut after (corpus/text.py): without 〉 and 】, as they always
# were; widening this changes every index's answer units (bump chunking.ANSWER_UNIT_RULES then)
SENTENCE_SPAN_CLOSERS = "”’」』）)》\"'"
# bracket and quote pairs a line may leave open (and so go on in the next line)
BRACKET_PAIRS = ("()", "（）", "《》", "“”", "「」", "【】", "〈〉")
