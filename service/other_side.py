"""The other side of a pair a question names one of: another placing (冠军 for 亚军), the time
after (改造后 for 改造前), the other end of a range (最高 for 最便宜), the country for the town
(农村 for 城区), and sales online for those in shops, travellers leaving for arriving.
service.neighbours reads a sentence telling only the other one as telling another fact;
service.own_fact reads a clause so for the placing and the time after."""

from __future__ import annotations

import re

from corpus.text import words

# places in a contest: the 冠军 told does not answer who came second
_PLACINGS = (
    ("冠军", "夺冠", "第一名", "金奖", "金牌"),
    ("亚军", "第二名", "银奖", "银牌"),
    ("季军", "第三名", "铜奖", "铜牌"),
)
# a contrast told after the word (改造前, 改造后)
_TRAILING_CONTRAST = {"前": "后", "后": "前"}
_NOT_AFTER = frozenset(
    [
        "前身",
        "前往",
        "前来",
        "前进",
        "前景",
        "前者",
        "前后",
        "前夕",
        "后来",
        "后面",
        "后续",
        "后者",
        "后果",
        "后勤",
        "后方",
    ]
)


def other_placing(question: str, text: str) -> bool:
    """亚军 asked, only the 冠军 told (placings as whole words: 资金奖励 names no 金奖)."""
    said = set(words(question))
    asked = [p for p in _PLACINGS if said.intersection(p)]
    if len(asked) != 1:
        return False
    told = set(words(text))
    if told.intersection(asked[0]):
        return False
    return any(told.intersection(p) for p in _PLACINGS if p is not asked[0])


# the two ends of a range (最便宜 asked, only 最高票价 told): a sentence telling only the other
# end tells another figure (最快/最慢 are neither: 最快多久 is told as 最短, 最快几分钟一趟 as 最小间隔)
_LOW_END = re.compile(r"最(?:低|少|小|短|便宜|轻)|下限")
_HIGH_END = re.compile(
    r"最(?:高(?!人民|法院|院|检|级)|多|大(?!限度|程度)|长|贵|重(?!要|视))|上限|峰值"
)
_FIGURE_NEAR = re.compile(r"[^，。；;]{0,6}?\d")  # the other end told with its figure


def other_extreme(question: str, text: str) -> bool:
    """最便宜 asked, only 最高 told with its figure (最高票价880元); 最多 asked, only 最少."""
    for asked, other in ((_LOW_END, _HIGH_END), (_HIGH_END, _LOW_END)):
        if asked.search(question) and not other.search(question):
            ends = [m.end() for m in other.finditer(text)]
            figured = any(_FIGURE_NEAR.match(text, end) for end in ends)
            return figured and not asked.search(text)
    return False


def other_side_after(question: str, text: str) -> bool:
    """改造前 asked, only 改造后 told (前 and 后 as words of their own: 前身 and 后来 are not)."""
    asked = _after_words(question)
    if not asked:
        return False
    told = _after_words(text)
    return any((w, _TRAILING_CONTRAST[side]) in told and (w, side) not in told for w, side in asked)


def _after_words(text: str) -> set[tuple[str, str]]:
    """(word, 前 or 后) for each word text follows with 前 or 后 (改造前有: 改造, 前), not with a
    word of their own (前身, 后来)."""
    cut = words(text)
    return {
        (w, after[0])
        for w, after in zip(cut, cut[1:], strict=False)
        if len(w) >= 2 and after[0] in _TRAILING_CONTRAST and after[:2] not in _NOT_AFTER
    }


# the town and the country, two sides a figure is told of apart (城区 asked, only 农村 told; 城乡
# names both), as words of their own (江城区 is a name); not 城市 (江城市 is a name), 县城 or 村里
# (送到村里 is told as 从县城到村: places, not sides), nor words that only hold them (农业农村局)
_TOWN = frozenset(("城区", "城镇", "市区", "城里", "城乡"))
_COUNTRY = frozenset(("农村", "乡村", "城乡"))
_NO_SIDE = re.compile(r"农业农村|乡村振兴|市区两级")


# other sides a figure is told of apart, as words of their own: sales online and in shops,
# travellers leaving and arriving (only when travellers are asked: 到达现场 is no side)
_SIDES = (
    (_TOWN, _COUNTRY, None),
    (
        frozenset(("线上", "网上", "网络", "电商", "网店")),
        frozenset(("线下", "门店", "实体店")),
        None,
    ),
    (frozenset(("发送",)), frozenset(("到达",)), re.compile(r"旅客|乘客|客流|人次")),
)


def other_side_told(question: str, text: str) -> bool:
    """城区学校 asked, only 农村学校 told; 农村 asked, only 城镇 told; 线下销售额 asked, only 线上
    told; 到达旅客 asked, only 发送 told."""
    said = set(words(_NO_SIDE.sub("", question)))
    for one, two, of in _SIDES:
        if of is not None and not of.search(question):
            continue
        for asked, other in ((one, two), (two, one)):
            if said & asked and not said & other:
                told = set(words(_NO_SIDE.sub("", text)))  # cut only when a side is asked
                if told & other and not told & asked:
                    return True
    return False
