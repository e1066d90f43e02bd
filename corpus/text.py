"""Chinese text helpers shared by every stage: normalisation, sentence spans, word tags."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import accumulate

from corpus.punctuation import SENTENCE_SPAN_CLOSERS

SENTENCE_END = "。！？；!?;"
_SENTENCE_RE = re.compile(
    rf"[^{SENTENCE_END}\n]*(?:[{SENTENCE_END}]+[{SENTENCE_SPAN_CLOSERS}]*|\n|$)"
)


def normalize(text: str) -> str:
    """NFKC for matching and tokenising; never for display or citation."""
    return unicodedata.normalize("NFKC", text)


def compact(text: str) -> str:
    """NFKC, lower case, no whitespace: the form in which answers are compared."""
    return re.sub(r"\s+", "", normalize(text)).lower()


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as (start, end) offsets, split on 。！？； and line ends.

    Closing quotes and brackets stay with the sentence they end; surrounding whitespace is
    left out of each span, and empty spans are dropped.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for m in _SENTENCE_RE.finditer(text, start, end):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            spans.append((s, e))
    return spans


# common surnames (百家姓's most common, less those that are mostly other words: 于, 和, 向, 时…),
# what opens a person's name (贺某明; 据某媒体, 对某企业 name no one). corpus.page_lines keeps a
# wider list of its own for telling a byline's name from other words on a page.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵钱严覃武戴莫孔汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳甘祝宁符"
    "舒阮柯纪梅童凌毕季裴霍涂苗盛曲翁冉骆蓝游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤穆农卓缪"
    "简项芦麦褚娄窦戚岑景党宫费卜冷晏卫米柏宗瞿桂佟臧闵苟邬卞姬栾隋商刁荣巫寇桑郎甄仲虞敖巩"
    "佘池查麻苑迟邝"
)
# jieba's tags of names: of people, places, bodies and others
NAME_FLAGS = ("nr", "ns", "nt", "nz")
NAME_OR_SHORT_FLAGS = (*NAME_FLAGS, "j")  # and a short form's (欧盟, 省运会)


@lru_cache(maxsize=16384)
def pos_tags(text: str) -> tuple[tuple[str, str], ...]:
    """jieba's (word, part of speech) pairs of text; the same texts come back, so cached."""
    import jieba.posseg as pseg

    return tuple((p.word, p.flag) for p in pseg.cut(text))


def tagged(text: str) -> tuple[tuple[int, str, str], ...]:
    """(start, word, part of speech) of each of pos_tags(text): where each tagged word begins."""
    tags = pos_tags(text)
    starts = accumulate((len(w) for w, _ in tags), initial=0)
    return tuple((at, w, f) for at, (w, f) in zip(starts, tags, strict=False))


@lru_cache(maxsize=16384)
def words(text: str) -> tuple[str, ...]:
    """jieba's words of text (its default, precise cut); cached like pos_tags."""
    import jieba

    return tuple(jieba.lcut(text))


def last_clause_cut(text: str, max_chars: int) -> int:
    """Where the last clause mark within text's first max_chars + 1 characters stands; -1 if none."""
    cuts = [k for k, c in enumerate(text[: max_chars + 1]) if c in "，,、；;：:"]
    return cuts[-1] if cuts else -1


def words_within(text: str, max_chars: int, last: bool = False) -> str:
    """The longest run of text's first jieba words (last: its last ones) that fits in max_chars
    (never a cut word)."""
    fitted: list[str] = []
    held = 0
    for word in reversed(words(text)) if last else words(text):
        if held + len(word) > max_chars:
            break
        fitted.append(word)
        held += len(word)
    return "".join(reversed(fitted) if last else fitted)


def word_bounds(text: str) -> list[int]:
    """Where jieba's words of text begin, and its end: the places a span may start or stop."""
    import jieba

    bounds = [0]
    for word in jieba.cut(text):
        bounds.append(bounds[-1] + len(word))
    return bounds


def longest_common_substring(a: str, b: str) -> tuple[int, int, int]:
    """(start in a, start in b, length) of the longest common substring."""
    best = (0, 0, 0)
    prev = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        cur = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best[2]:
                    best = (i - cur[j], j - cur[j], cur[j])
        prev = cur
    return best
