from collections.abc import Callable

import pytest

from service.short_answer import (
    MAX_SHORT_CHARS,
    Span,
    asked_kind,
    asked_measure,
    asked_unit,
    extract,
    holds_measure,
    typed_spans,
    with_marks,
)
from service.statement import clause_around
from service.yes_no import yes_or_no
from tests.conftest import span_of

EXTRACTS = [
    # (question, sentence, the fact) — the fact is what a reader wants first
    (
        "武陵区城镇新增就业多少人?",
        "截至11月底,武陵区城镇新增就业8210人,新增农村劳动力转移就业574人;",
        "8210人",
    ),
    ("开展创业培训多少人?", "开展职业培训1481人，创业培训229人。", "229人"),
    ("新图书馆能放多少本书?", "新馆目前藏书量达300万册，是旧馆的三倍。", "300万册"),
    ("女子冠军的成绩是多少?", "女子冠军李娟以2小时31分15秒的成绩夺冠。", "2小时31分15秒"),
    ("总投资多少?", "新馆由建筑师王澍主持设计，总投资12.5亿元。", "12.5亿元"),
    ("增长了多少?", "同比增长12.3%，高于全省平均水平。", "12.3%"),
    ("谁设计了新图书馆?", "新馆由著名建筑师王澍主持设计，总投资12亿元。", "王澍"),
    ("3号线什么时候开通?", "青溪地铁3号线将于2024年12月28日正式开通运营。", "2024年12月28日"),
    ("为什么推迟开馆?", "由于暴雨导致工期延误，开馆时间推迟到明年。", "由于暴雨导致工期延误"),
    ("马拉松在哪里举行?", "比赛在南湖公园举行，共有3万人参赛。", "南湖公园"),
    ("中国的首都是哪座城市?", "中国的首都是北京，位于华北平原。", "北京"),
    # the sum asked (投了多少钱: 元), not the area beside it
    ("新馆总共投了多少钱?", "新馆总建筑面积6.8万平方米，总投资约9.5亿元。", "约9.5亿元"),
    # short forms that name the quantity they ask, without 多少
    ("新馆座位数?", "新馆藏书量达300万册，设置阅览座位4500个，座位数是老馆的3倍多。", "4500个"),
    ("农产品抽检合格率?", "全年共抽检农产品1.2万批次，合格率98.7%。", "98.7%"),
    ("三桥主塔高度?", "大桥主塔高236米，共有斜拉索168根。", "236米"),
    # a 几个 question counts what it names (站), in the clause naming it; 一期 is a stage, no count
    (
        "4号线几个站?",
        "4号线一期南起科学城站，北至北塘客运站，全长18.2公里，设车站14座，全部为地下站。",
        "14座",
    ),
    # a growth 同比 asks its rate, not the sum it grew to
    ("假期旅游收入同比涨了多少?", "假期全省实现旅游收入486.7亿元，同比增长11.5%。", "11.5%"),
    # a temperature keeps its unit
    ("2月平均气温多少度?", "2月全县平均气温9.6℃，比常年同期偏高1.8℃。", "9.6℃"),
    # below zero keeps its sign; a range's dash is no sign
    ("当天最低气温多少度?", "当天最低气温-3.5℃，最高气温6℃。", "-3.5℃"),
    ("当天最低气温多少度?", "当天最低气温零下3.5℃，最高气温6℃。", "零下3.5℃"),
    ("工期要几天?", "改造工期为2-3天。", "3天"),
    # a multiple answers only a 几倍 question
    ("座位数是老馆的几倍?", "座位数是老馆的3倍多。", "3倍"),
    # what a sentence quotes right after the question's words, its closing quote ending it
    ("青溪被称为全国的什么?", "这里是全国“竹乡”，盛产毛竹。", "竹乡"),
    ("青溪被称为全国的什么?", "青溪被称为全国的“竹乡”，盛产毛竹。", "竹乡"),
    # the question's 是 or 的 not in the sentence; a list the answer
    ("乐队的主要风格是什么?", "其主要风格为前卫金属、死亡金属。", "前卫金属、死亡金属"),
    # nothing after the question's words, which end it: the answer stands before them
    ("记载青溪最早的方志是哪一部?", "《青溪县志》是记载青溪最早的方志。", "青溪县志"),
]


def cut(question: str, sentence: str) -> str | None:
    """The text extract() cuts from the sentence, None where it cuts nothing."""
    span = extract(question, sentence)
    return None if span is None else sentence[span.start : span.end]


@pytest.mark.parametrize(("question", "sentence", "fact"), EXTRACTS)
def test_the_fact_asked_for_is_cut_from_the_sentence(
    question: str, sentence: str, fact: str
) -> None:
    text = cut(question, sentence)
    assert text == fact
    assert len(text) <= MAX_SHORT_CHARS


def test_what_stands_before_the_question_words_answers_only_when_said_to_be_them() -> None:
    # 是 before them: what they are said of; another verb: the words before are no answer
    assert cut("青溪最早的方志是哪一部?", "《青溪县志》是青溪最早的方志。") == "青溪县志"
    assert (
        cut("青溪最早的方志是哪一部?", "县志办整理出版了三部地方志，包括青溪最早的方志。") is None
    )


def test_a_number_question_over_a_sentence_without_a_new_number_has_no_fact() -> None:
    # the only number is the question's own: nothing answers 多少
    assert extract("3号线有多少座车站?", "3号线是青溪的第一条地铁线路。") is None


SENTENCE_CHANGED = "指挥部于6日18时将防汛应急响应由Ⅳ级提升至Ⅲ级，并派出5个工作组赶赴一线。"


def reading(text: str, sentence: str) -> Callable[[str, str], Span]:
    """A reader that finds text in the sentence whatever the question (the span it gives)."""
    start = sentence.index(text)
    return lambda question, unit: Span(start, start + len(text))


def test_a_grade_in_roman_numerals_is_a_figure() -> None:
    assert cut("湖心断面的水质是几类?", "今年湖心断面水质稳定达到Ⅲ类标准。") == "Ⅲ类"
    # Ⅴ and Ⅰ, which NFKC spells in one letter each (V, I)
    assert cut("湖心断面的水质是几类?", "今年湖心断面水质为劣Ⅴ类。") == "Ⅴ类"
    assert cut("启动了几级响应?", "省防指于6日启动防汛Ⅰ级应急响应。") == "Ⅰ级"
    # a grade is no amount unless the question names it, as 一期 or 二审
    assert cut("全市有几个监测断面?", "全市共设Ⅲ类水质监测断面。") is None
    # nor is a type (Ⅱ型), read or not
    diabetes = "该院去年收治Ⅱ型糖尿病患者3200多名。"
    assert cut("收治了多少患者?", diabetes) == "3200多名"
    span = extract("收治了多少名患者?", diabetes, reading("Ⅱ型糖尿病患者", diabetes))
    assert span is not None and diabetes[span.start : span.end] == "3200多名"


def test_a_measure_asked_is_answered_in_that_measure_before_the_readers_other_figure() -> None:
    # the reader's 6日 is a date: 升到几级 asks for a grade, which the sentence tells (which end
    # of the change: service.parallel_facts.asked_side)
    span = extract("响应升到几级?", SENTENCE_CHANGED, reading("6日", SENTENCE_CHANGED))
    assert span is not None and SENTENCE_CHANGED[span.start : span.end] in ("Ⅳ级", "Ⅲ级")
    evening = "省防指于6日晚将防汛应急响应由Ⅳ级提升至Ⅲ级。"
    span = extract("响应升到几级?", evening, reading("6日晚", evening))
    assert span is not None and evening[span.start : span.end] in ("Ⅳ级", "Ⅲ级")
    # a figure of the measure asked stays the reader's
    span = extract("派出了几个工作组?", SENTENCE_CHANGED, reading("5个", SENTENCE_CHANGED))
    assert span is not None and SENTENCE_CHANGED[span.start : span.end] == "5个"
    # and so does a count in another word than the question's (名 for 个): only a date gives way
    caught = "警方抓获犯罪嫌疑人42名，捣毁窝点21个。"
    span = extract("警方抓了多少个嫌疑人?", caught, reading("42名", caught))
    assert span is not None and caught[span.start : span.end] == "42名"


def test_question_kinds() -> None:
    assert asked_kind("新增就业多少人?") == "number"
    assert asked_kind("负责人叫什么名字?") == "person"
    assert asked_kind("在哪个县?") == "place"
    assert asked_kind("哪一年成立?") == "time"
    assert asked_kind("为什么推迟?") == "reason"
    assert asked_kind("新馆是不是免费开放?") == "yesno"
    assert asked_kind("新馆免费吗?") == "yesno"
    assert asked_kind("被称为湖南的什么?") is None
    assert asked_kind("新馆座位数?") == "number"  # a short form naming its quantity
    assert asked_kind("什么是指数?") is None  # a wh-word asks something else
    # 哪几个 asks which ones (names), not how many; 哪几天 asks days
    assert asked_kind("河流经哪几个社区?") is None
    assert asked_kind("有几个社区?") == "number"
    assert asked_kind("培训是哪几天?") == "time"


YES_NO_CASES = [
    # the deciding phrase negates what is asked, or not
    ("新馆是不是免费开放?", "新馆全年免费向市民开放", "是"),
    ("新馆是不是免费开放?", "新馆暂不对外开放", "否"),
    ("比赛没有取消吗?", "比赛照常举行", "否"),
    ("食堂能包给个人办吗?", "学校食堂严禁承包给个人经营", "否"),
    ("工地晚上还施工吗?", "工地夜间22时以后停止施工", "否"),
    # a negation inside a word both say (无患子) negates nothing
    ("湿地里种了无患子吗?", "保护区拒绝种植外来的无患子", "否"),
    ("湿地里种了无患子吗?", "保护区种植了无患子", "是"),
    ("新馆不收费吗?", "新馆不收费", "是"),
    # told only the plan of what is asked as done
    ("泊位改造已经动工了吗?", "改造工程计划明年开工", "否"),
    ("二期开工了吗?", "二期已于3月开工", "是"),
    ("二期明年开工吗?", "二期计划明年开工", "是"),
    ("有没有计划修地铁?", "该市计划2030年前建成地铁1号线", "是"),
    ("准备工作完成了吗?", "准备工作已全部完成", "是"),
    ("展馆开放了吗?", "展馆开放了虚拟展厅", "是"),
    # 是否 and 了没有 ask; they negate nothing
    ("新馆是否收费?", "新馆收费", "是"),
    ("新馆开放了没有?", "新馆已于5月开放", "是"),
    # asked of one side and told the other: 收费吗? … 免费
    ("接驳车收费吗?", "该院开通了免费接驳班车", "否"),
    ("看展要买门票吗?", "特展免费向公众开放", "否"),
    ("新馆免费吗?", "新馆全年免费开放", "是"),
    # a comparison told the other way, or level, is a no; the same way a yes
    ("今年春茶开采比去年晚吗?", "春茶开采比去年提前了约7天", "否"),
    ("白头鹤今年比去年多吗?", "白头鹤42只，与去年基本持平", "否"),
    ("今年游客比去年多吗?", "游客人数比去年增长了12%", "是"),
    ("今年粮价比去年涨了吗?", "今年粮价与去年基本持平", "否"),
    # a way asked without 比 is a comparison too
    ("该县人口是在增加吗?", "该县常住人口减少了1.8万人", "否"),
    ("该县人口是在增加吗?", "该县常住人口增加了1.8万人", "是"),
    # paying asked in other words, free told in other words
    ("网课要收钱吗?", "线上课程全部免费", "否"),
    ("摆摊要交摊位费吗?", "开业前3个月免收摊位费", "否"),
    ("隧道是免费走的吗?", "隧道将不收取通行费", "是"),
    ("住福利院是不是不用花钱?", "入住免费", "是"),
    # the first asked and a later one told; first now, so never before
    ("这是头一回放归大熊猫吗?", "这是第三次开展大熊猫野化放归", "否"),
    ("磁共振是全省头一台吗?", "磁共振在全省乡镇卫生院中尚属首台", "是"),
    ("以前拍到过东北虎繁殖吗?", "这是该林区首次记录到东北虎繁殖", "否"),
    # done asked, only under way or prepared told
    ("三期已经开工了吗?", "集团正在开展三期前期工作", "否"),
    ("钢厂也改造完了吗?", "钢厂的改造仍在推进中", "否"),
    # all asked, a part told
    ("村子是不是都有快递服务站了?", "218个行政村中已有203个建成服务站", "否"),
    # an A-not-A question negates nothing, nor does a condition before what is asked
    ("这次演练用没用无人机?", "本次演练首次使用了无人机集群", "是"),
    ("没摇中，下一批还能参加吗?", "可参加下一批配租", "是"),
    ("非法采砂案有被告判了缓刑吗?", "其中2人适用缓刑", "是"),  # 非法 negates nothing
    # another than the one asked told: no verdict, or no when only that one has it
    ("卢国梁也提出上诉了吗?", "卢国栋当庭表示上诉", None),
    ("老港区能办船边直提吗?", "船边直提业务仅在新港区开展", "否"),
    # a must asked, a choice told; what most is asked, another told most; 零排放 is a no
    ("居民必须执行峰谷电价吗?", "居民用户可自愿选择执行", "否"),
    ("出口的荔枝主要是桂味吗?", "出口以妃子笑为主", "否"),
    ("出口的荔枝主要是妃子笑吗?", "出口以妃子笑为主", "是"),
    ("回收厂有没有往外排废水?", "厂区实现废水零排放", "否"),
    # words that only look like a plan, a part, a first, a before or a negation
    ("大桥开工了吗?", "项目已完成前期工作，计划年底开工", "否"),
    ("新厂投产了吗?", "新厂投产将近一年", "是"),
    ("首都机场有直飞纽约的航线吗?", "首都机场只有一条直飞纽约的航线", "是"),
    ("村民都用上自来水了吗?", "村民不仅用上了自来水", "是"),
    ("这是头一回举办吗?", "这是第1次举办", "是"),
    ("新方案能通过吗?", "新方案首次提交即获通过", "是"),
    ("这次事故是人为造成的吗?", "事故并非人为造成", "否"),
    ("还免费吗?", "免费开放政策已于3月取消", "否"),
    ("卢国梁也上诉了吗?", "卢国栋只是旁听", None),
    ("阿里巴巴也参加了吗?", "京东参加了本次展会", None),  # 阿里巴巴: jieba's nrt, a name too
    ("阿里巴巴去年营收增长了吗?", "京东去年营收增长了12%", None),  # the way told of another
    # what is asked of (涨) not told: no verdict rather than a guessed yes
    ("牛羊肉会大涨吗?", "牛羊肉价格将企稳", None),
    ("索道刮大风还开吗?", "该索道每天运营前都要进行空载试运行", None),
    # the other side of what is asked (保留 for 拆, 经停 for 直飞, 改为 for 还, 仍以 for 也用)
    ("老宗祠改造时会拆掉吗?", "并保留村内始建于清代的梁氏宗祠", "否"),
    ("白崖飞哈尔滨是直飞吗?", "经停朔阳", "否"),
    ("一期现在也用机器人清扫了吗?", "一期目前仍以人工清扫为主", "否"),
    ("药检有没有查出问题马?", "结果均为阴性", "否"),
    # the question asks that side itself: no contrast
    ("宗祠是保留还是拆掉?", "并保留村内始建于清代的梁氏宗祠", None),
    ("芯片是公司自己研发的吗?", "该芯片由公司与清华大学联合研发", "否"),
    ("今年也在线上举办吗?", "今年依旧在线下举办", "否"),
    # a side that goes on with what is asked is the same side (依旧免费开放 for 也免费开放吗)
    ("今年春节期间景区也免费开放吗?", "景区依旧免费向游客开放", "是"),
    # 还 of 退还 asks nothing of going on
    ("押金会退还吗?", "押金改为在用户注销账户后原路退还", "是"),
    # another value of the measure the question says its subject is (12月, 第一座)
    ("老煤矿是12月关的吗?", "加上9月已关闭的老煤矿", "否"),
    ("新电站是全省第一座抽水蓄能电站吗?", "该项目是全省的第三座抽水蓄能电站", "否"),
    ("新电站是全省第一座抽水蓄能电站吗?", "该项目是全省第一座抽水蓄能电站", "是"),
    # a court's outcome told the other way (上诉 against 服判, a final judgment, 维持原判)
    ("被告认了这个判决吗?", "被告当庭表示上诉", "否"),
    ("被告人服一审判决吗?", "被告人当庭表示将提起上诉", "否"),
    ("这个案子还能再上诉吗?", "该判决为终审判决", "否"),
    ("二审改判了吗?", "驳回上诉，维持原判", "否"),
    ("被告人上诉了吗?", "被告人当庭表示上诉", "是"),
    # free asked, free told negated
    ("老人坐公交可以不花钱吗?", "但暂不享受免费乘车", "否"),
    # a value outside what the question says its subject is (3号线 of the subject) is no answer
    ("3号线12月开通吗?", "4号线于10月开通", None),
]


@pytest.mark.parametrize(("question", "phrase", "verdict"), YES_NO_CASES)
def test_yes_or_no(question: str, phrase: str, verdict: str | None) -> None:
    assert yes_or_no(question, phrase) == verdict


def test_the_deciding_clause_holds_the_predicate_and_says_yes_or_no() -> None:
    from service.short_answer import extract

    def deciding(question: str, sentence: str) -> str | None:
        span = extract(question, sentence)
        return None if span is None else sentence[span.start : span.end]

    # the clause naming the subject does not decide; the one telling what is asked of it does
    sentence = "庭审中，王某的律师提出王某有立功表现，法院审理后认为，其系被抓获归案，不构成立功。"
    assert deciding("法院认定王某立功了吗?", sentence) == "不构成立功"
    sentence = "客运码头10日起取消全部航班，12日8时恢复运行。"
    assert deciding("客运码头12号当天恢复开了吗?", sentence) == "12日8时恢复运行"
    # a clause about a neighbour of what is asked decides nothing, however plainly it says no
    assert deciding("一期工程完工了吗?", "一期工程已于去年完工，二期工程尚未完工。") == (
        "一期工程已于去年完工"
    )
    assert deciding("地铁1号线今年通车吗?", "地铁1号线今年通车，2号线暂不通车。") == (
        "地铁1号线今年通车"
    )
    # the other side of what is asked decides, sharing no word with the question
    assert (
        deciding("这个案子还能再上诉吗?", "法院审理后认为，该判决为终审判决。")
        == "该判决为终审判决"
    )
    # the clause telling the value asked decides, not a neighbour's other value; 三月 is 3月
    sentence = "一期工程于去年12月完工，二期工程预计明年6月完工。"
    assert deciding("一期工程是12月完工的吗?", sentence) == "一期工程于去年12月完工"
    assert yes_or_no("新馆是三月开放的吗?", "新馆于3月正式对外开放") == "是"
    # but another value of what the question says its subject is decides (第三座 for 第一座)
    sentence = "该项目总投资80亿元，是全省的第三座抽水蓄能电站。"
    assert deciding("新电站是全省第一座抽水蓄能电站吗?", sentence) == "全省的第三座抽水蓄能电站"


@pytest.mark.parametrize(
    ("question", "sentence", "deciding"),
    [
        # a negation decides before a way (超过) the question does not ask
        (
            "回收厂有没有往外排废水?",
            "生产废水经处理后循环利用率超过95%，厂区实现废水零排放。",
            "厂区实现废水零排放",
        ),
        # the predicate (出过安全事故) decides, not the clause sharing the subject's words
        (
            "三桥施工期间江上出过安全事故吗?",
            "为减少对江上航运的影响，施工期间海事部门在桥区水域设置了临时航标26座，未发生一起安全事故。",
            "未发生一起安全事故",
        ),
        (
            "两个院区之间的接驳车收费吗?",
            "为方便患者在两个院区之间往返，该院开通了免费接驳班车，每30分钟发一班。",
            "该院开通了免费接驳班车",
        ),
        # no clause holds the question's words (受伤 | 人员伤亡): the one clause that negates
        (
            "塌陷的坑有没有人受伤?",
            "一处路段因暴雨导致路面塌陷，形成长约8米的坑洞，所幸未造成人员伤亡。",
            "所幸未造成人员伤亡",
        ),
        (
            "服务区改造的时候关门停业了吗?",
            "改造期间，南北两区轮流封闭施工，未中断服务。",
            "未中断服务",
        ),
    ],
)
def test_the_deciding_clause_of_a_yes_no_question(
    question: str, sentence: str, deciding: str
) -> None:
    assert cut(question, sentence) == deciding


def test_a_clause_that_neither_says_yes_or_no_nor_holds_the_question_decides_nothing() -> None:
    # 4号线 is named, but nothing says whether one can ride it yet: no 是 to prefix
    sentence = "4号线一期南起南浦区的科学城站，北至北塘区的北塘客运站，全长18.2公里。"
    assert extract("地铁4号线现在能坐了吗?", sentence) is None
    # two clauses negate and none holds the question's words: neither is chosen
    sentence = "改造期间，北区未封闭，南区未停电，工人轮流施工。"
    assert extract("服务区关门停业了吗?", sentence) is None
    # another clause tells of what is asked (营业, 受伤): the negation is about something else
    assert extract("这家超市开业了吗?", "该商场于昨日正式营业，地下停车场暂未启用。") is None
    assert extract("事故有人员伤亡吗?", "事故造成3人受伤，所幸无人死亡。") is None


def test_the_statement_around_a_fact_keeps_the_clause_naming_the_subject() -> None:
    sentence = "据介绍，江城市新图书馆总建筑面积5.2万平方米，目前藏书量达300万册，是旧馆的三倍，每天可接待读者一万人次。"
    span = extract("江城市新图书馆藏书多少册?", sentence)
    assert span is not None and sentence[span.start : span.end] == "300万册"
    around = clause_around(sentence, span, "江城市新图书馆藏书多少册?", 60)
    text = sentence[around.start : around.end]
    assert "300万册" in text and "江城市新图书馆" in text
    assert "一万人次" not in text


MEASURES = [
    # (question, a sentence that states the measure asked, one about the same thing that does not)
    ("青螺山景区门票多少钱?", "景区门票每张80元。", "景区假期共接待游客41.2万人次。"),
    ("主教练加西亚今年多大?", "加西亚今年52岁。", "加西亚于2023年加盟江豚队，执教三个赛季。"),
    ("S9充满电能用多久?", "续航时间约为180分钟。", "S9首发价格为3999元。"),
    ("3号线一期全长多少公里?", "3号线一期全长24.6公里。", "3号线一期总建筑面积6.8万平方米。"),
    ("灵犀2号芯片是几纳米的?", "灵犀2号采用12纳米工艺。", "芯片团队有200人。"),
    # the measure named last is asked: a rate of 欠薪 cases, not a sum
    ("欠薪案件的结案率是多少?", "法定期限内结案率100%。", "为863名劳动者追回工资868万元。"),
    # a volume of water, in 吨 too (not a weight then)
    ("水厂一年总供水量有多少?", "该厂去年供水量1.2亿立方米。", "每立方米供水成本为4.12元。"),
    ("水厂日供水量有多少?", "日供水量20万吨。", "水厂占地面积3万平方米。"),  # 平方米 is no 方
    # people are counted in 人, 名 or 位, whichever the question names
    ("全省今年打算培训多少名村医?", "今年全省计划培训乡村医生8000人。", "共开设培训班38期。"),
    ("这场火灾死了几个人?", "事故造成3人死亡。", "过火面积约7800平方米。"),
    ("研究所有几位院士?", "所里现有院士4名。", "研究所成立于1958年。"),
    ("高新区现在常住人口是多少?", "高新区常住人口为31.2万人。", "高新区人口四年增长了31.7%。"),
]


@pytest.mark.parametrize(("question", "states", "other"), MEASURES)
def test_a_quantity_question_needs_a_number_in_the_measure_it_asks_for(
    question: str, states: str, other: str
) -> None:
    units = asked_measure(question)
    assert units is not None
    assert holds_measure(states, units)
    assert not holds_measure(other, units)


def test_questions_that_name_no_measure_have_none() -> None:
    assert asked_measure("新馆座位数?") is None
    assert asked_measure("谁设计了新馆?") is None
    assert asked_measure("高新区人口四年涨了多少?") is None  # a change: people or a rate
    assert asked_unit("灵犀2号芯片是几纳米的?") == "纳米"  # units past one character
    assert asked_unit("一共多少钱?") is None


def test_the_reporters_in_a_byline_are_not_the_people_of_the_story() -> None:
    lead = "本报讯（记者 许静 通讯员 王磊）4月8日，院长吴志刚在东院区启用仪式上致辞。"
    names = [lead[sp.start : sp.end] for sp in typed_spans("person", lead, "院长是谁?")]
    assert names == ["吴志刚"]


MARKS_CASES = [
    # a mark closed without its opening gets it from beside the fact
    ("邵伯温著有《邵氏闻见录》。", "邵氏闻见录》", "《邵氏闻见录》"),
    ("他说“十三太保”之名由此而来。", "“十三太保", "“十三太保”"),
    # a fact that is all a pair of marks holds takes both
    ("他被称为“十三太保”之一。", "十三太保", "“十三太保”"),
    ("两部作品「临界量」或「转捩点」都获奖。", "临界量」或「转捩点", "「临界量」或「转捩点」"),
    # a half mark with no other half beside it is left out
    ("书名号》误植。", "书名号》", "书名号"),
    # a fact with no marks, or only part of what the marks hold, is left as it is
    ("新馆藏书300万册。", "300万册", "300万册"),
    ("他说“我们明年开工”。", "明年开工", "明年开工"),
    # marks that cannot be paired leave the fact as it is; a figure takes no quotes
    ("他著有《红楼梦》和《西游记》。", "红楼梦》和《西游", "红楼梦》和《西游"),
    ("他说“12”是吉利数。", "12", "12"),
]


@pytest.mark.parametrize(("sentence", "fact", "said"), MARKS_CASES)
def test_a_name_keeps_the_marks_it_is_told_between(sentence: str, fact: str, said: str) -> None:
    assert with_marks(sentence, span_of(sentence, fact)) == span_of(sentence, said)
