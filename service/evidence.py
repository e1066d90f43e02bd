"""What a question names and asks: its weighted terms, characters and naming words, whether a
sentence holds a fact of the kind asked, and sums of money (service.neighbours: whether a
sentence speaks of a neighbour of what is named instead); the reader's words as news says them
(SAID_AS), and the question put in a sentence's own words for the span reader (as_told_in)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection

from corpus.text import normalize, pos_tags, words
from index.bm25 import tokenize
from service.measures import MONEY
from service.short_answer import (
    WH,
    asked_kind,
    asked_measure,
    holds_measure,
    typed_spans,
)

# question words and particles: they say what is asked, not what to match
QUESTION_WORDS = frozenset(
    [
        "多少",
        "几",
        "几个",
        "几位",
        "几家",
        "几年",
        "几次",
        "什么",
        "甚么",
        "哪",
        "哪个",
        "哪些",
        "哪里",
        "哪儿",
        "哪一",
        "哪家",
        "哪位",
        "哪年",
        "哪种",
        "哪国",
        "谁",
        "何",
        "何时",
        "何地",
        "何人",
        "如何",
        "怎么",
        "怎样",
        "为何",
        "为什么",
        "是否",
        "吗",
        "呢",
        "吧",
        "啊",
        "的",
        "了",
        "是",
        "在",
        "有",
        "和",
        "与",
        "及",
        "或",
        "被",
        "把",
        "对",
        "于",
        "也",
        "都",
        "就",
        "还",
        "又",
        "请问",
        "请",
        "那",
        "那么",
        "这",
        "这个",
        "那个",
        "其",
        "之",
        "中",
        "上",
        "下",
        "等",
        "个",
        "位",
        "名",
        "年",
        "月",
        "日",
        "由",
        "以",
        "从",
        "到",
        "为",
        "所",
        "是不是",
        "有没有",
        "能不能",
        "会不会",
        "什么样",
        "多大",
        "多久",
        "多长",
        "多高",
        "多远",
        "她",
        "他",
        "它",
        "他们",
        "她们",
        "它们",
        "该",
        "这些",
        "那些",
        "呀",
        "么",
        "吗",
        "嘛",
    ]
)
_QUESTION_MARKS = re.compile(r"[\s?？!！。.,，、]+")

# a reader's words and the words a news sentence says them with (一共 | 共计, 现在 | 目前, 这次 |
# 此次): a sentence holding one holds the term
_SAID_AS_GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("一共", "总共"), ("共", "累计", "合计", "总")),
    (("现在", "如今"), ("目前", "现有", "至今", "截至")),
    (("这次", "这回", "这轮"), ("此次", "本次", "本届", "本轮", "此轮")),
    (("每天",), ("每日", "日均", "单日")),
    (("一天",), ("每天", "每日", "日均", "单日")),
    (("一年",), ("每年", "全年", "年均")),
    (("开始",), ("启动", "开工", "开建", "起步")),
    (("卖",), ("售", "销")),
    (("国外",), ("出口", "海外", "境外")),
    (("拿",), ("获", "夺")),
    (("拿到",), ("获得", "夺得", "获")),
    (("花",), ("投资", "投入", "耗资", "花费")),
    (("年纪",), ("岁",)),
    (("一把手",), ("局长", "书记", "主任", "院长", "校长", "董事长", "负责人")),
    (("开门",), ("开放", "营业", "开馆", "开园")),
    (("关门",), ("闭馆", "关闭", "停止")),
    (("涨",), ("上涨", "增长", "提高", "上调", "增加")),
    (("降",), ("下降", "减少", "降低", "下调", "降至")),
    (("剩下",), ("剩余", "其余", "余下")),
    (("打算",), ("计划", "拟", "准备")),
    (("大概",), ("约", "左右", "大约")),
    (("已经",), ("已",)),
    (("最后",), ("最终",)),
    (("叫", "名字"), ("名为", "称为", "命名")),
    (("去",), ("赴", "前往")),
    (("用",), ("使用", "采用", "利用")),
    (("第一", "头一"), ("首",)),
    (("第一天",), ("首日",)),
    (("第一批",), ("首批",)),
    (("打",), ("接种",)),
    (("赚", "挣"), ("收入", "营收", "利润", "盈利")),
    (("看病",), ("就诊", "就医", "门诊")),
    (("孩子", "小孩"), ("儿童", "学生", "少年", "幼儿")),
    (("房子",), ("房屋", "住房", "住宅")),
    (("毛病",), ("问题", "隐患", "病害")),
    (("岁数",), ("年龄", "岁")),
    (("工资",), ("薪酬", "收入")),
    (("工人",), ("职工", "员工")),
    (("说",), ("介绍", "表示", "称", "指出", "透露", "强调", "坦言")),
    (("多长时间", "长时间"), ("历时", "用时", "耗时", "时长", "小时", "分钟", "个月")),
    (("几天",), ("天", "日")),
    (("盖", "修"), ("修建", "建设", "建成", "新建", "兴建", "建于", "始建", "改造")),
    (("病人",), ("患者", "病患", "病例")),
    (("老人",), ("老年", "长者", "高龄")),
    (("村里",), ("村",)),
    (("城里",), ("城区", "城镇", "市区", "城市")),
    (("厂里",), ("厂",)),
    (("县里",), ("全县", "县城", "县政府")),
    (("市里",), ("全市", "市区", "市政府")),
    (("镇上", "镇里"), ("镇",)),
    (("死",), ("遇难", "身亡", "罹难")),
    (("抓",), ("查获", "逮捕", "刑拘", "拘留", "落网")),
    (("工作",), ("就业", "岗位")),
    (("老师",), ("教师",)),
    (("网上",), ("线上", "网络", "网站", "平台", "小程序", "app")),
    (("东西",), ("物品", "商品", "物资")),
    (("公司",), ("企业",)),
    (("以后",), ("此后", "今后", "之后", "未来")),
    (("以前", "原来", "之前"), ("此前", "过去", "以往", "原先")),
    (("便宜",), ("优惠", "降价", "减免", "下调")),
    (("最多",), ("最高", "峰值", "最大")),
    (("最少", "起码"), ("最低", "最小", "不少于", "至少")),
    (("受伤",), ("伤者", "伤员", "轻伤", "重伤")),
    (("丢",), ("丢失", "遗失", "被盗")),
    (("比赛",), ("赛事", "大赛", "竞赛", "锦标赛", "联赛")),
    (("第一名",), ("冠军", "夺冠", "金牌", "排名第一", "位列第一", "首位")),
    (("参加",), ("参与", "参赛", "参演", "报名")),
    (("上学",), ("入学", "就读", "就学")),
    (("医生",), ("医师", "医护", "医务")),
    (("老百姓", "百姓"), ("群众", "居民", "市民", "村民")),
    (("农民",), ("农户", "村民")),
    (("着火", "失火"), ("火灾", "起火")),
    (("下雨", "雨水"), ("降雨", "降水")),
    (("春天",), ("春季",)),
    (("夏天",), ("夏季",)),
    (("秋天",), ("秋季",)),
    (("冬天",), ("冬季",)),
    (("开通",), ("通车", "试运营", "正式运营", "开行")),
    (("通车",), ("开通",)),
    (("搬",), ("迁",)),
    (("管",), ("负责",)),
    (("电话",), ("热线",)),
    (("手机",), ("移动端", "客户端", "app", "小程序")),
    (("开卖",), ("开售", "发售", "上市")),
    (("动工",), ("开工", "开建", "启动")),
    (("搞", "办"), ("举办", "举行", "开展", "组织")),
    (("出事",), ("事故",)),
    (("撤离", "疏散"), ("转移", "撤离", "疏散", "避险")),
    (("上岸",), ("登陆",)),
    (("头目", "老大"), ("主犯", "首要分子")),
    (("装",), ("载客", "载重", "运载")),
    (("砸",), ("投资", "投入")),
    (("开张",), ("开业", "开诊", "启用", "开馆")),
    (("建完", "建好"), ("建成", "竣工", "完工", "投用", "落成")),
    (("发车",), ("开行", "首班", "末班")),
    # how many a place holds: 能坐多少人 is told as 可容纳, 座位, 餐位
    (("坐", "坐下", "摆", "放", "能住", "住下"), ("容纳", "座位", "座席", "席位", "餐位", "床位")),
    (("停",), ("停靠", "停放", "泊位", "车位")),
    (("存",), ("库容",)),
    (("一亩",), ("亩产", "每亩", "亩均")),
    (("一片",), ("面积",)),
    (("多出",), ("新增", "增加")),
    (("净赚",), ("纯收入", "净收入", "净利润")),
    (("赢",), ("取胜", "战胜", "获胜")),
    (("造",), ("生产",)),
    (("换掉",), ("更换", "替换")),
    (("赶到",), ("到达", "抵达")),
    (("吃饭",), ("就餐", "用餐")),
    (("司机",), ("驾驶员", "驾驶人")),
    (("有证",), ("持证",)),
    (("出名",), ("闻名", "著名", "知名")),
    (("合伙",), ("共同", "联合", "合作")),
    (("做生意", "生意"), ("贸易", "进出口")),
    (("蛀牙",), ("龋齿", "患龋")),
    (("封",), ("管制",)),
    (("治理",), ("整治", "治沙", "修复")),
    (("查出",), ("发现", "检出", "查处")),
    (("培育",), ("选育", "育成")),
    (("理由",), ("为由", "原因")),
    (("掏",), ("承担", "支付", "出资")),
    (("营业",), ("运营", "开业")),
)
SAID_AS: dict[str, tuple[str, ...]] = {
    word: said for spoken, said in _SAID_AS_GROUPS for word in spoken
}


# a reader's question words and the ones the rules read (为啥 asks a reason as 为什么 does)
_SPOKEN_ASKING = (("为啥", "为什么"), ("干嘛", "做什么"), ("啥", "什么"), ("咋", "怎么"))


def standard_question(question: str) -> str:
    """question with its spoken question words as written ones (为啥 → 为什么, 啥 → 什么)."""
    for spoken, written in _SPOKEN_ASKING:
        question = question.replace(spoken, written)
    return question


def share_held(text: str, parts: Collection[str]) -> float:
    """The share of parts (characters, pairs, clauses' pairs) that text holds; 0 of none."""
    return sum(p in text for p in parts) / len(parts) if parts else 0.0


def holds_term(text: str, term: str) -> bool:
    """Whether normalised text says a question term, itself, as news says it (SAID_AS) or in
    full where the reader shortens it (女单 for 女子单打, 省运会 for 省运动会)."""
    return (
        term in text
        or any(w in text for w in SAID_AS.get(term, ()))
        or (full := _in_full(term)) is not None
        and full.search(text) is not None
    )


def as_told_in(question: str, text: str) -> str:
    """question with each of its words that text does not say but says as news does (SAID_AS,
    as a word of text's own: not 局长 inside 副局长) put the way text says it, its asking words
    kept: the span reader then reads 在哪里登陆 for 在哪里上岸 in a sentence saying 登陆. (Not a
    word said in full, as holds_term takes it: 南京站 would be read as 南京南站.)"""
    told = normalize(text).lower()
    told_words = frozenset(words(told))
    out = []
    for word in words(question):
        term = normalize(word).lower()
        said = SAID_AS.get(term, ())  # most words have none: asked_kind only for those that do
        if said and term not in told and asked_kind(term) is None:  # what is asked stays (多长时间)
            word = next((w for w in said if w in told_words), word)
        out.append(word)
    return _measure_as_told("".join(out), told_words)


# how great a measure is, asked by its adjective (多快) and told by its noun (时速100公里); not
# 多高 or 多大, as often asked of a price, a rain or an age as of a height or an area
_MEASURE_NOUNS = {
    "快": ("时速", "速度", "航速", "车速"),
    "远": ("续航", "里程", "距离", "航程"),
    "长": ("全长", "长度", "总长"),
    "深": ("深度", "水深"),
    "宽": ("宽度",),
}
# the adjective ending the question or its clause (多长时间, 多远的路 ask another thing)
_MEASURE_ASKED = re.compile(r"多([快远长深宽])(?=$|[了呢啊吗？?，,。！!\s])")
_TIME_SPAN = re.compile(r"期|时间|时长|假|年|月|天")  # 工期有多长 asks a time


def _measure_as_told(question: str, told_words: frozenset[str]) -> str:
    """question asking 多快 as 时速多少 where the sentence tells the measure by its noun."""
    m = _MEASURE_ASKED.search(question)
    if m is None or m.group(1) == "长" and _TIME_SPAN.search(question, 0, m.start()):
        return question
    noun = next((n for n in _MEASURE_NOUNS[m.group(1)] if n in told_words), None)
    if noun is None or noun in question:  # 长度有多长 says it already
        return question
    return f"{question[: m.start()]}{noun}多少{question[m.end() :]}"


_ABRIDGED_GAP = 1  # a shortened word keeps one character of each two-character part


@functools.lru_cache(maxsize=4096)
def _in_full(term: str) -> re.Pattern[str] | None:
    """The pattern of term's characters in order with a few Chinese characters between each."""
    if not 3 <= len(term) <= 4 or not all("\u4e00" <= ch <= "\u9fff" for ch in term):
        return None
    gap = f"[\u4e00-\u9fff]{{0,{_ABRIDGED_GAP}}}"
    return re.compile(gap.join(map(re.escape, term)))


def naming_terms(question: str) -> frozenset[str]:
    """Words of the question that name things (nouns, names, numbers, foreign words): an answer
    must mention them, while verbs and modifiers are often paraphrased."""
    return frozenset(
        normalize(word).lower()
        for word, flag in pos_tags(question)
        if flag[:1] in ("n", "m", "e") or flag == "eng"
    )


def question_terms(question: str, idf: Callable[[str], float]) -> dict[str, float]:
    """Content terms of the question with their IDF weights."""
    terms: dict[str, float] = {}
    for tok in tokenize(question):
        if (
            tok in QUESTION_WORDS
            or len(tok) == 1
            and not ("\u4e00" <= tok <= "\u9fff" or tok.isalnum())
        ):
            continue
        terms[tok] = idf(tok)
    return terms


# replaced longest first, so 为什么 goes whole before 什么 could leave 为 behind
_QUESTION_WORDS_LONGEST_FIRST = sorted(QUESTION_WORDS, key=len, reverse=True)


def content_chars(question: str) -> frozenset[str]:
    """The question's characters that carry meaning (Chinese, not question words or particles)."""
    q = normalize(question).lower()
    for w in _QUESTION_WORDS_LONGEST_FIRST:
        q = q.replace(w, " ")
    return frozenset(ch for ch in q if "\u4e00" <= ch <= "\u9fff")


def char_pairs(question: str) -> frozenset[str]:
    """The question's adjacent character pairs, question words and punctuation left out."""
    q = normalize(question).lower()
    for w in _QUESTION_WORDS_LONGEST_FIRST:
        if len(w) > 1:
            q = q.replace(w, " ")
    pieces = _QUESTION_MARKS.split(q)
    return frozenset(p[i : i + 2] for p in pieces for i in range(len(p) - 1))


def has_type(text: str, kind: str | None, question: str) -> bool:
    """Whether text holds a fact of the kind asked for that the question itself does not."""
    if kind is None or kind == "yesno":
        return False
    return bool(typed_spans(kind, text, question))


# a sum named without 元 (12亿, 30万, 8块) and a question about how an amount changed
_SUM = re.compile(r"[0-9０-９][0-9０-９.]*(?:多)?(?:块|(?:万|亿)(?:多)?(?![\u4e00-\u9fff]))")
_CHANGE_ASKED = re.compile(r"增|降|减|涨|跌|提高|折|倍|比例|百分")


def asks_for_money(question: str) -> bool:
    """Whether a quantity question asks for a sum of money (门票多少钱, 投资多少), not for how it
    changed (收入增长了多少: a share) or a discount (几折)."""
    q = normalize(question)
    return asked_measure(q) == MONEY and not _CHANGE_ASKED.search(q)


def states_sum(text: str) -> bool:
    """Whether text states a sum of money: in 元 or 块, in 万 or 亿 standing alone (总投资约12亿),
    or that something is free."""
    t = normalize(text)
    return bool(holds_measure(t, MONEY) or _SUM.search(t) or "免费" in t)


# what asks without a question word of WH's: a yes/no, an A-not-A, 何/啥, 多快, a request
_ASKS_OTHERWISE = re.compile(
    r"吗|呢|何|甚么|啥|干嘛|么|多快|[是能可]否|有没有|是不是|会不会|能不能|可不可以|要不要|简述|介绍|请问"
    r"|是男是女"
)
_END_MARKS = re.compile(r"[\s?？!！。.]+$")


def names_only(question: str) -> bool:
    """Whether a question only names what it asks for, with no question word (新馆座位数?,
    东院区地址?, 电诈案审判长?): a thing and a noun last, not a name alone (沣川队?)."""
    q = normalize(question).strip()
    if WH.search(q) or _ASKS_OTHERWISE.search(q):
        return False
    tags = pos_tags(_END_MARKS.sub("", q))
    return len(tags) >= 2 and tags[-1][1].startswith("n")
