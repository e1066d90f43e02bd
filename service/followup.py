"""Follow-up questions: rewrite a turn that leans on earlier ones into a full question.

Four forms are read: "那创业培训呢?" (a new topic in the previous question's frame), a pronoun
("她的成绩是多少?", "该馆藏书多少?": the previous subject, or the person the previous answer
named), ellipsis ("共设几座车站?": no subject of its own) and a changed attribute of the same
subject ("投资多少?"). Earlier turns are resolved first, so a chain of follow-ups keeps its subject.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.text import normalize, pos_tags, tagged, words
from service.counted import counted_thing, without_plan
from service.evidence import QUESTION_WORDS
from service.fact_scope import TOTAL_ASKED
from service.referents import (
    ASKS_WHICH,
    WHEN,
    answered_thing,
    person_of,
    replace_pronouns,
)
from service.substitution import (
    ADMIN,
    ASKING,
    COUNTING,
    NOT_NAMING,
    TIME,
    WHOLE_AREA,
    name_kind,
    substitute,
    time_apart,
)

_LEAD_WORDS = re.compile(r"^(?:那么|那|还有|另外|以及|至于|而|那如果)\s*")
_THERE = frozenset(("那儿", "那里", "那边", "那些", "那时"))  # 那儿查了多少: no 那X呢 frame
_THEN = ("那时候", "那会儿", "那里面")  # jieba reads these 那 | 时候, 那 | 里面
_TAIL = re.compile(r"\s*(?:呢|怎么样|怎样|如何|又如何|又是多少|的情况)?\s*[?？。.!！]*\s*$")
_ASKS = re.compile(r"多少|几|什么|谁|哪|何|怎么|如何|为什么|是否|吗")
# parts of speech that name a subject: nouns, names, places, organisations, numbers and measures
# what a subject is made of: nouns, numbers and measures, abbreviations, adjectives, and the
# tagger's "morpheme" and "distinguishing" words (松岭|县 tags 县 zg; 风电场|二期 tags 二期 b)
_SUBJECT_FLAGS = ("n", "m", "q", "j", "eng", "a", "zg", "b")
# a quoted name opening a question is its subject whole (“澜优8号”推广了多少亩)
_QUOTED_SUBJECT = re.compile(r"^\s*([“\"「《][^”\"」》]{1,20}[”\"」》])")
_NAME_FLAGS = ("nr", "ns", "nt", "eng")  # and nz where a subject stands (names_own_subject)
# words of a 那X呢 turn that name no new thing: question words and pronouns (QUESTION_WORDS),
# particles, times without a date and placings (other rules judge those)
_NOT_A_TOPIC = QUESTION_WORDS | frozenset(
    ("的", "了", "还", "又", "也", "钱", "现在", "当时", "以后", "之后", "后来", "这个", "那个")
    + ("冠军", "亚军", "季军", "第一名", "第二名", "第三名", "第一", "第二", "第三")
)
# words that open a question but name nothing: pronouns, and a chat's 我想/请/帮我查
_NOT_OPENING = frozenset("那这该其它他她此每各全我你您咱想请帮问查找看说去离从让要")
# a span of time or of ages a question asks within (前9个月, 近三年, 60岁以上): no subject
_SPAN_OF_TIME = re.compile(
    rf"(?:前|近|头|过去)[{COUNTING}]+(?:个月|天|年|周|季度)"
    r"|[0-9０-９]+(?:岁|周岁)(?:以上|以下|及以上)?"
)
_OPENS = {"”": "“", "’": "‘", "》": "《", "」": "「", "』": "『", "）": "（", ")": "("}
_ENDS_IN_NE = re.compile(r"呢\s*[?？]?\s*$")
# the words between a question's topic and where it asks: verbs, adverbs, prepositions,
# particles, pronouns, numbers, measures, adjectives, directions, times
_PREDICATE_FLAGS = frozenset(
    ("v", "vd", "vg", "vi", "d", "dg", "p", "c", "f", "y", "t", "tg", "m", "mq", "q", "a", "ad")
    + ("ag", "r", "rr", "rz", "u", "uj", "ul", "ug", "uz", "uv", "ud", "x")
)
_CHATTY_FLAGS = frozenset(("r", "p", "d", "c", "u", "y", "uj", "ul"))
_CHATTY_WORDS = frozenset(
    ("想", "知道", "想知道", "请问", "问", "问下", "查", "查下", "查查", "帮", "帮我", "告诉")
    + ("说说", "看看", "了解", "打听")
)
# verbs a follow-up asks the same attribute with (增长了多少?, 以前是多少?)
_SAME_ATTRIBUTE = frozenset(
    ("是", "有", "为", "增长", "增加", "提高", "下降", "减少", "降低", "上涨")
    + ("涨", "降", "占", "变")
)
# words the tagger counts among a subject's (b, j, m) that name nothing of it: a time (同期),
# a degree or share (主要, 其中, 全部, 大约), a total (一共, 总共)
_NAMES_NOTHING = frozenset(("同期", "主要", "其中", "全部", "大约", "一共", "总共"))
# a stage (岚钢 | 一期, tagged d, b or m): part of the subject
_STAGE = re.compile(r"第?[一二三四五六七八九十0-9]+期")
# nouns that make up a question word (什么时候, 多长时间, 多少钱, 什么地方)
_ASKED_WITH = frozenset(("时候", "时间", "钱", "地方", "样子", "人"))
_THAT_ONE = re.compile(r"[那这](?:个|家|座|棵|台|所|条|艘|栋|间|处|只|头|部|辆|块|位|名)")
_TOTAL = frozenset(("总", "共", "总共", "一共", "累计", "合计", "是", "有", "在"))
MAX_TURNS = 6  # earlier user turns resolved for a follow-up: a subject older than this is gone


@dataclass(frozen=True, slots=True)
class Turn:
    role: str  # "user" | "assistant"
    content: str


def _lead(q: str) -> re.Match[str] | None:
    """The 那/还有… that opens a turn leaning on the previous one, not a 那儿 or 那时候 of its own
    (那儿童票呢 is 那 | 儿童票)."""
    lead = _LEAD_WORDS.match(q)
    if lead is None or q.startswith(_THEN) or pos_tags(q)[0][0] in _THERE:
        return None
    return lead


def is_elliptical(question: str) -> bool:
    """A turn that leans on the previous one: it opens with 那/还有…, ends in 呢, or asks nothing."""
    q = normalize(question).strip()
    if _lead(q) or _ENDS_IN_NE.search(q):
        return True
    return not _ASKS.search(q) and len(q) <= 12


def core_of(question: str) -> str:
    """The new topic of an elliptical turn, without its 那…呢 frame."""
    q = normalize(question).strip()
    lead = _lead(q)
    return _TAIL.sub("", q[lead.end() :] if lead else q).strip()


def new_topic(question: str, history: Sequence[Turn]) -> frozenset[str]:
    """For a 那X呢 turn naming a new thing X, the character pairs of X's words the previous
    question does not hold (那北园的面积呢 after a question about the 南园's: 北园): a sentence
    naming none of them tells of the earlier subject, not of X. Empty for any other turn, and for
    a new time, placing or question word (那去年呢, 那第二名呢, 那为什么呢: other rules judge
    those)."""
    q = normalize(question).strip().lower()
    previous = next((t.content for t in reversed(history) if t.role == "user"), None)
    if previous is None or not (_lead(q) and _ENDS_IN_NE.search(q)):
        return frozenset()
    core = core_of(q).removesuffix("的")
    tags = pos_tags(core)
    # 那她跑了多久呢 asks something itself, 那打算开工呢 names an action: no new thing
    noun_last = bool(tags) and (tags[-1][1][:1] == "n" or tags[-1][1] == "vn")  # 创业培训: vn
    if TIME.fullmatch(core) or ASKING.search(core) or not noun_last:
        return frozenset()
    named = [w for w in words(core) if w not in _NOT_A_TOPIC and w.strip()]
    # a one-character word counts when it is all X says (那牛呢), not beside others (沙 | 渠县)
    pairs = {w[i : i + 2] for w in named if len(w) > 1 for i in range(len(w) - 1)}
    pairs = pairs or set(named)
    said = normalize(previous).lower()
    return frozenset(p for p in pairs if p not in said)


def tells_topic(text: str, topic: frozenset[str]) -> bool:
    """Whether text (normalised) names new_topic's thing: one of its pairs, or the pair as an
    abbreviation shortens two words, its first character opening a word of two or three (not
    a direction, 北侧) and its second the next word (男单 in 男子 | 单人滑)."""
    if any(p in text for p in topic):
        return True
    pairs = [p for p in topic if len(p) == 2]
    tags = tagged(text) if pairs else ()
    return any(
        word[0] == p[0]
        and 2 <= len(word) <= 3
        and not flag.startswith("f")
        and text.startswith(p[1], at + len(word))
        for p in pairs
        for at, word, flag in tags
    )


def _replace_subject(previous: str, subject: str, core: str) -> str:
    """previous with core for its subject; a subject that is only a name (朔原省, 南鹭) stays
    when core is one common noun (那牛呢, 那桂味呢; not a whole area, 那全国呢, nor a verb and its
    noun, 那发放金额呢), and core stands for the first common noun after it before the question
    word (朔原省9月底羊存栏 | 那牛呢, 南鹭的妃子笑 | 那桂味呢: another animal, another variety of
    the same place's)."""
    tags = tagged(previous)
    core_tags = pos_tags(core)
    one_noun = len(core_tags) == 1 and core_tags[0][1] == "n" and not WHOLE_AREA.match(core)
    # the subject a name and the administrative word after it (岭南 | 省)
    named = name_kind(tags[0][2]) == "name" and subject[len(tags[0][1]) :] in ("", *ADMIN)
    if one_noun and named and previous.startswith(subject):
        for at, word, flag in tags:
            if at < len(subject):
                continue
            if ASKING.search(word):
                break
            if flag == "n":
                return previous[:at] + core + previous[at + len(word) :]
    return previous.replace(subject, core, 1)


def _without_stage(subject: str, follow_up: str) -> str:
    """subject less the stage it ends in when the follow-up asks a total (冷链园一期 | 规划总共
    占多少地: the whole is asked, not the stage)."""
    stage = _STAGE.search(subject)
    if (
        stage
        and stage.start() > 0
        and stage.end() == len(subject)
        and TOTAL_ASKED.search(follow_up)
    ):
        return subject[: stage.start()]
    return subject


_EVENTS = frozenset("展节赛")  # one character naming an event after what it is of


_MEASURE_ASKED = re.compile(r"多[大高长重远久宽深厚]")


def subject_of(question: str, replaced_by: str = "") -> str:
    """The thing a question is about: its first run of naming words ("青溪地铁3号线"), less a
    last common noun that the follow-up replaces with an attribute of its own ("3号线全长" when
    the follow-up asks about 车站)."""
    quoted = _QUOTED_SUBJECT.match(question)
    if quoted:
        return quoted.group(1)
    tags = pos_tags(normalize(question))
    run: list[tuple[str, str]] = []
    for k, (word, flag) in enumerate(tags):
        # a name the tagger does not know comes as single characters of any tag (霁 | 原省,
        # 峤 | 东 | 去年): those opening the question open the subject
        opening = k == len(run) and all(len(w) == 1 for w, _ in run)
        unknown = opening and _unknown_name_part(word, flag)
        # 多长 | 的堤段: jieba tags a 多… question word a noun; it names nothing
        naming = (
            flag.startswith(_SUBJECT_FLAGS)
            and word not in _NAMES_NOTHING
            and not (flag.startswith("n") and _MEASURE_ASKED.fullmatch(word))
        )
        # a show, festival or race the tagger takes for a verb or a time (丝绸 | 展, 木偶 | 节)
        event = word in _EVENTS and bool(run) and run[-1][1].startswith("n")
        if (naming or unknown or event or _STAGE.fullmatch(word)) and not _ASKS.search(word):
            run.append((word, flag))
            if event:
                break  # the event names the thing whole (竹子节 | 多长: no more of it)
        elif run:
            break
    while (
        run
        and (run[-1][1] in ("m", "q", "a", "mq") or run[-1][0] in _TOTAL)
        and not _STAGE.fullmatch(run[-1][0])
    ):
        run.pop()  # 多少册, 总(投资), 一共, 那场: a trailing measure or modifier is the question's
    has_own_noun = any(f.startswith("n") for _, f in pos_tags(replaced_by))
    if (
        len(run) >= 2
        and has_own_noun
        and run[-1][1] in ("n", "nz", "vn")
        and run[-2][1].startswith(("n", "j"))
        and len("".join(w for w, _ in run[:-1])) > 1  # 省 | 肿瘤医院 keeps its hospital
    ):
        run.pop()
    subject = _without_stage("".join(w for w, _ in run), replaced_by)
    # one character names a thing only as a noun (猪), not as a name's first (临 of 临澄有)
    return subject if len(subject) > 1 or run and run[0][1].startswith("n") else ""


def topic_of(question: str, asks_anew: bool = False) -> str:
    """What a question asks about, whole: its words before the question word, less a chatty
    opening and the predicate that leads there (青龙湾水库加固工程 of 青龙湾水库加固工程是哪天
    通过验收的, 演练中无人机 of 演练中无人机巡查了多长的堤段); "" when it asks first (谁设计了…).
    asks_anew (the follow-up says a predicate of its own: 哪天启用的?): the attribute it asked
    (总投资 of 东院区总投资多少, 的起点 of 马拉松的起点在哪) is no part of the topic."""
    quoted = _QUOTED_SUBJECT.match(question)
    if quoted:
        return quoted.group(1)
    q = normalize(question).strip()
    asks = ASKING.search(q)
    if asks is None:
        return ""
    tags = list(pos_tags(q[: asks.start()]))
    while tags and (tags[0][1] in _CHATTY_FLAGS or tags[0][0] in _CHATTY_WORDS):
        tags.pop(0)  # 我想知道, 帮我查下, 从: no part of what is asked about
    asked = tags[:]  # words up to the question word
    _drop_predicate(tags)
    if asks_anew:
        # measured: asked right before a 多… (面积多大), or 多少 after 有/是 only (余额有多少;
        # not 水塔有多高, which asks of the 水塔)
        dropped = [w for w, _ in asked[len(tags) :]]
        plain = not dropped or asks.group(0) == "多少" and all(w in _TOTAL for w in dropped)
        # a noun after the question word is the attribute asked (海水淡化厂用的是什么 | 工艺), not
        # the Y of an X的Y before it (not 时候 of 什么时候, 钱 of 多少钱)
        asked_after = any(
            f[:1] == "n" and w not in _ASKED_WITH for w, f in pos_tags(q[asks.end() :])
        )
        _drop_attribute(tags, asks.group(0).startswith("多") and plain, not asked_after)
    topic = "".join(w for w, _ in tags)
    return topic if len(topic) >= 2 else ""


def _names_more(topic: str, subject: str) -> bool:
    """Whether the words topic adds to subject name more of it (远程医疗中心, 今年网上), not
    where it was asked of (清华大学 | 今年在浙江: 学费多少钱 asks of the 清华大学)."""
    return not any(f.startswith("p") for _, f in pos_tags(topic[len(subject) :]))


def _drop_attribute(tags: list[tuple[str, str]], measured: bool, possessed_asked: bool) -> None:
    """Take the attribute a question asked off the end of its topic's tags: X's Y (马拉松的起点,
    东院区的总 | 投资; not 新建的体育馆, whose 的 follows a verb) or, measured (asked right before
    a 多…: 面积多大), the noun last."""
    nounish = ("n", "vn", "b")
    of = max((i for i, (w, _) in enumerate(tags) if w == "的"), default=-1)
    # X a noun (东院区的), not a verb jieba may tag a place (新建的, 新开的)
    owner = tags[of - 1] if of > 0 else ("", "")
    possessed = owner[1].startswith(("n", "j")) and not owner[0].startswith("新")
    after = tags[of + 1 :]
    if (
        possessed_asked
        and possessed
        and after
        and all(f.startswith(nounish) or w in _TOTAL for w, f in after)
    ):
        del tags[of:]
        return
    if measured and len(tags) > 1 and tags[-1][1].startswith(("n", "vn")):
        tags.pop()
        while len(tags) > 1 and tags[-1][0] in _TOTAL:
            tags.pop()  # 总 | 投资
        _drop_predicate(tags)  # 淇州站发送 | 旅客多少人次


def _drop_predicate(tags: list[tuple[str, str]]) -> None:
    """Take the predicate (verbs, adverbs, particles, numbers… 是, 巡查了) off the end of tags."""
    done = False  # a verbal noun is the predicate when an aspect follows it (巡查了)
    verb = False  # a verb was taken: the verbs before it after a noun name a thing (预算 | 支出)
    while tags:
        word, flag = tags[-1]
        if verb and flag == "v":
            k = len(tags) - 1
            while k > 0 and tags[k - 1][1] == "v" and len(tags[k - 1][0]) > 1:
                k -= 1
            if k > 0 and len(word) > 1 and tags[k - 1][1][:1] in ("n", "b", "j"):
                return  # 一般公共 | 预算 | 支出 | 安排多少: jieba tags the nouns v
        verb = flag == "v"
        opened = _OPENS.get(word)
        if opened and opened in "".join(w for w, _ in tags[:-1]):
            return  # 台风“摩羯”: a closing mark whose opening mark stays
        if _STAGE.fullmatch(word):
            return  # 岚钢一期 | 产能多少: the stage is the topic's
        if not (
            flag in _PREDICATE_FLAGS
            or flag == "vn"
            and done
            or word in _TOTAL
            or not any("\u4e00" <= ch <= "\u9fff" or ch.isalnum() for ch in word)
        ):
            return
        tags.pop()
        done = flag in ("ul", "ug", "uz")


def _unknown_name_part(word: str, flag: str) -> bool:
    return (
        len(word) == 1
        and flag[:1] not in ("r", "p", "c", "u", "d")
        and "\u4e00" <= word <= "\u9fff"
        and word not in _NOT_OPENING
        and word not in NOT_NAMING
    )


def names_own_subject(question: str, previous: str = "") -> bool:
    """Whether a question names a thing of its own (a name, place, organisation or number: 618,
    318国道) that the previous question does not (几点到新加坡? after 梧阳飞新加坡的航班几点起飞?
    names none; a person named again is its own: 李娜多少岁? after 张伟和李娜谁的得分高?), not a
    span of time (前9个月) nor one character the tagger takes for a name (仓); some other proper
    noun (nz: 丰田) only before any verb, where a subject stands (not 拿金奖, 看星星: jieba tags
    those words nz too)."""
    tags = pos_tags(_SPAN_OF_TIME.sub("", normalize(question)))
    said = set(words(normalize(previous)))  # 3号线 is not said by 13号线
    return any(
        (
            (f.startswith(_NAME_FLAGS) or f == "nz" and not any(g[:1] == "v" for _, g in tags[:k]))
            and (len(w) > 1 or w.isascii())  # B of B区 names its own
            or (f == "m" and any(ch.isdigit() for ch in w))
        )
        and (w not in said or f.startswith("nr"))  # a person named again is asked of anew
        for k, (w, f) in enumerate(tags)
    )


def _in_frame(q: str, prev: str, previous_answer: str) -> str:
    """A 那X呢 turn q (normalised) read against prev: X swapped for what it replaces."""
    core = core_of(q)
    if not any(ch.isalnum() for ch in core):  # 那呢, 那，呢: nothing new named
        return prev
    apart = time_apart(core)
    if apart and (
        any(f[:1] in ("n", "s", "j") for _, f in pos_tags(apart[0])) or _STAGE.fullmatch(apart[0])
    ):
        # 那城西厂现在呢: 城西厂 for 城东污水厂, then 现在 for 改造前 (not 那到2035年呢); 那二期
        # 投产后呢: 二期 for 一期, then 投产后 for 现在
        new_thing, when = apart
        resolved = _in_frame(f"那{new_thing}呢", prev, previous_answer)
        return substitute(resolved, when) or resolved
    swapped = substitute(prev, core)
    if swapped:
        return swapped
    subject = subject_of(prev)
    tags = pos_tags(core)
    # 那本部呢, 那割草机器人呢: another thing of the same kind (a noun last, not an action)
    if subject and tags and (tags[-1][1].startswith("n") or not any(f[:1] == "v" for _, f in tags)):
        return _replace_subject(prev, subject, core)
    return f"{prev} {core}"


def _pointed_at(previous: str) -> str:
    """What 它 or 这家 stands for: the previous question's subject, or the thing it pointed at
    whole (泷西最老的那棵银杏长在哪儿: 泷西最老的那棵银杏, not 泷西)."""
    topic = topic_of(previous, asks_anew=True).removesuffix("有")  # 那个主塔有多高: 那个主塔
    return topic if _THAT_ONE.search(topic) else subject_of(previous)


def resolve_turn(question: str, previous: str, previous_answer: str) -> str:
    """question read against the previous (already resolved) question and its answer."""
    q = normalize(question).strip()
    prev = normalize(previous).strip()
    # 还有几座在建? asks of its own (还有 is its 'still'), not in a 那X呢 frame
    asks_still = q.startswith("还有") and ASKING.search(q) and not _ENDS_IN_NE.search(q)
    if _lead(q) and not asks_still or _ENDS_IN_NE.search(q):
        return _in_frame(q, prev, previous_answer)
    person = person_of(prev, previous_answer)
    # 它 after a 哪家 question: the thing answered (not after 谁: 由谁运营 | 它每周末…)
    asks_thing = ASKS_WHICH.search(prev) and previous_answer
    thing = answered_thing(previous_answer, prev) if asks_thing else None
    pronouned = replace_pronouns(q, _pointed_at(prev), person, thing, prev)
    if pronouned is not None:
        return pronouned
    subject = subject_of(prev, q)
    tagged = pos_tags(q)
    named = any(f.startswith("n") and w not in WHEN for w, f in tagged)
    # 有多高?, 以前是多少?: what was asked of, whole; 哪天启用的?, 几点收车? asks it anew
    anew = named or any(f in ("v", "vn") and w not in _SAME_ATTRIBUTE for w, f in tagged)
    topic = topic_of(prev, anew)
    head = next((w for w, f in tagged if f.startswith("n") and len(w) > 1 and w in topic), "")
    if head:  # 公司是什么时候成立的? names the topic's own 公司: the topic up to it
        subject = topic[: topic.index(head) + len(head)]
    elif not named or subject and topic.startswith(subject) and _names_more(topic, subject):
        subject = topic or subject
        if TIME.search(q):  # 去年全年是多少? asks of its own time, not the topic's 今年
            subject = TIME.sub("", subject) or subject
    subject = _without_stage(subject, q)
    counted = counted_thing(prev, q)
    if counted not in subject:
        subject += counted  # 现在总共有多少人? after 新增了多少快递从业人员?: of those
    subject = without_plan(subject, q)  # 现在已经修好多少了? asks what is done, not planned
    if not names_own_subject(q, prev) and len(q) <= 20 and subject and subject not in q:
        # ellipsis or a new attribute of the same subject, said once where the two meet
        # (汤某的房子补偿 | 补偿决定…)
        meet = next(
            (k for k in range(min(len(subject), len(q)) - 1, 1, -1) if subject.endswith(q[:k])), 0
        )
        return f"{subject[: len(subject) - meet]}{q}"
    if is_elliptical(q):
        return f"{prev} {core_of(q)}"
    return question


def resolve_question(question: str, history: Sequence[Turn]) -> str:
    """The question to retrieve and answer with: question itself, or a follow-up rewritten
    against the earlier user turns (each resolved in turn) and the answers given to them."""
    pairs: list[tuple[str, str]] = []  # (user question, the assistant's answer to it)
    for turn in history:
        if turn.role == "user" and turn.content.strip():
            pairs.append((turn.content.strip(), ""))
        elif turn.role == "assistant" and pairs:
            pairs[-1] = (pairs[-1][0], turn.content)
    pairs = pairs[-MAX_TURNS:]
    if not pairs:
        return question
    resolved = pairs[0][0]
    for (q, _), (_, answer) in zip(pairs[1:], pairs, strict=False):
        resolved = resolve_turn(q, resolved, answer)
    return resolve_turn(question, resolved, pairs[-1][1])


def previous_answer(history: Sequence[Turn]) -> str:
    """The assistant's last answer, when the conversation has one."""
    return next((t.content for t in reversed(history) if t.role == "assistant"), "")
