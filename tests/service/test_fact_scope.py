"""A fact told in another scope than asked (service.fact_scope) gives way: a claim for an
award, a plan for what is done, an earlier event for this one, another level of government
paying, the other trip, a list's total for one item, one day for a first month, two's total
for one; and each look-alike that is the question's
own keeps its fact."""

import pytest

from service.fact_scope import other_scope
from service.own_fact import own_fact
from service.short_answer import Span

SUIT = "张某的家属将该院诉至区人民法院，请求判令医院赔偿医疗费、死亡赔偿金等共计142万元。"

CASES = [
    # a party's claim (请求判令 is the claim's) for what the court awarded
    ("死亡赔偿金判了多少?", SUIT, "142万元", True),
    ("法院判医院赔多少?", "法院一审判决医院赔偿原告各项损失共计71.2万元。", "71.2万元", False),
    ("家属一开始要求赔多少?", SUIT, "142万元", False),  # the claim asked
    ("医院赔多少?", "家属诉至法院，请求判令医院赔偿142万元。", "142万元", False),  # no ruling asked
    (
        "业主欠了多少物业费?",
        "物业公司起诉，请求判令业主支付拖欠的物业费1.2万元。",
        "1.2万元",
        False,
    ),
    (
        "法院判业主付多少?",
        "法院支持了原告要求业主支付物业费1.2万元的诉讼请求。",
        "1.2万元",
        False,
    ),
    ("小林要的加班费是多少?", "小林主张加班费6.5万元。", "6.5万元", False),
    (
        "医院赔偿多少?",
        "医院要求患者家属在3日内办理手续，垫付费用2万元。",
        "2万元",
        False,
    ),  # no suit
    (
        "最后判赔多少?",
        "法院审理后支持了原告的部分诉讼请求，判令被告赔偿3.8万元。",
        "3.8万元",
        False,
    ),
    # a plan or estimate for what is done
    ("已经实际赔付了多少钱?", "已接到报案1246件，预计理赔金额约2100万元。", "约2100万元", True),
    ("已经改完了几家?", "今年计划完成12家的改造，目前已完工5家。", "5家", False),
    ("预计赔付多少?", "已接到报案1246件，预计理赔金额约2100万元。", "约2100万元", False),
    # an earlier event for this one; a comparison with it is this one's
    (
        "这次冰雹损失多少?",
        "去年6月，该市也曾遭遇冰雹，直接经济损失约4900万元。",
        "约4900万元",
        True,
    ),
    ("这次中签率多少?", "本届报名人数比去年增加约两成，中签率约为27.6%。", "27.6%", False),
    ("这次调查之前登记过多少幅?", "此前已登记岩画约400幅。", "约400幅", False),
    ("这次要在哪天前完工?", "工程将在10月底之前完工，总投资3亿元。", "3亿元", False),
    # another level of government than asked
    (
        "省财政出了多少钱?",
        "其中中央财政支持3800万元，其余由省财政和大学共同承担。",
        "3800万元",
        True,
    ),
    ("县里出了多少?", "省级补助资金2.1亿元，其余由县级财政筹集。", "2.1亿元", True),
    ("省财政出了多少钱?", "其中省财政支持3800万元。", "3800万元", False),
    ("市里投了多少?", "该项目总投资5亿元。", "5亿元", False),
    # the other trip
    ("回程那趟货值多少?", "首趟班列装载猕猴桃和脐橙，货值约1860万元。", "约1860万元", True),
    ("首趟货值多少?", "首趟班列装载猕猴桃和脐橙，货值约1860万元。", "约1860万元", False),
    ("回程运了什么?", "回程班列运回红酒，货值约900万元。", "约900万元", False),
    # a list's total for one item of it
    ("丧葬费是多少?", "请赔偿医疗费、丧葬费、抚慰金等共计142万元。", "142万元", True),
    ("赔偿总共多少?", "请赔偿医疗费、丧葬费、抚慰金等共计142万元。", "142万元", False),
    ("医疗费是多少?", "医疗费共计12万元，丧葬费3万元。", "12万元", False),  # no list
    # one day for a first week or month, or the other way round; the time asked told too
    ("2号线开通第一个月运了多少乘客?", "开通首日，2号线客运量达6.8万人次。", "6.8万人次", True),
    ("新馆头一周来了多少观众?", "开馆当天，新馆接待观众2.6万人次。", "2.6万人次", True),
    ("2号线通车那天运了多少乘客?", "开通首月，2号线累计客运量46万人次。", "46万人次", True),
    ("2号线开通当天运了多少乘客?", "开通首日，2号线客运量达6.8万人次。", "6.8万人次", False),
    ("2号线第一个月运了多少乘客?", "开通首月，2号线客运量达46万人次。", "46万人次", False),
    # a total told of two of a kind for one of them; the two asked, or one not named, keep it
    ("沚东区段投资了多少钱?", "工程涉及沚东区和芦渡区两个区，总投资14.2亿元。", "14.2亿元", True),
    (
        "女子组有多少名车手参赛?",
        "来自各地的车队、共168名车手参加了男子组和女子组的角逐。",
        "168名",
        True,
    ),
    ("两个区一共投资多少?", "工程涉及沚东区和芦渡区两个区，总投资14.2亿元。", "14.2亿元", False),
    ("沚东区和芦渡区共投资多少?", "工程涉及沚东区和芦渡区，总投资14.2亿元。", "14.2亿元", False),
    ("沚东区每户补贴多少?", "沚东区和芦渡区的居民每户补贴500元。", "500元", False),
    (
        "2号线开通以来运了多少乘客?",
        "开通首日客运量6.8万人次，开通以来累计运送120万人次。",
        "120万人次",
        False,
    ),
]


# look-alikes a review found refused (each a right answer): none is
REVIEWED = [
    ("这次马拉松有多少人参赛?", "继去年首次举办后，第二届马拉松吸引了2.3万名选手参赛。", "2.3万名"),
    ("这次展会成交额多少?", "成交额高于去年的60亿元，达到85亿元。", "85亿元"),
    ("这场比赛的冠军是谁?", "去年屈居亚军的泷西队卷土重来，击败沄东队夺冠。", "泷西队"),
    ("石门村村民人均收入多少?", "在全县率先通网后，该村村民人均收入达到2.1万元。", "2.1万元"),
    ("栖川区GDP增速是多少?", "该区地区生产总值增速居全市第一，达到8.2%。", "8.2%"),
    ("栖川区新增就业多少人?", "全市各区中，栖川新增就业最多，达1.2万人。", "1.2万人"),
    ("涉案金额是多少?", "经查，涉及金额共计120万元。", "120万元"),
    ("全县养老院和幸福院有多少家?", "目前，全县养老院和幸福院共86家。", "86家"),
    ("法院认定张某受贿多少钱?", "经法院审理查明，张某收受或索要他人财物共计86万元。", "86万元"),
    ("最终公司赔了多少钱?", "张某申请仲裁，要求补偿，仲裁委员会裁决公司支付3.2万元。", "3.2万元"),
    ("该县已经争取到多少上级资金?", "今年以来，该县共争取到上级资金3000万元。", "3000万元"),
    ("已经有多少人报名?", "截至目前，报名人数将近3000人。", "将近3000人"),
    ("营员们什么时候返回?", "营员们8月20日出发，27日返抵泷西。", "27日"),
    ("国家财政补了多少钱?", "其中中央财政补助3800万元。", "3800万元"),
    # the day a report was given, a record since, a running total of one day, 当天然气
    ("全市累计发放补贴多少?", "记者当天从市人社局获悉，全市已发放创业补贴3200万元。", "3200万元"),
    (
        "建馆以来单日最高客流是多少?",
        "国庆当天，该馆接待游客5.2万人次，创建馆以来最高纪录。",
        "5.2万人次",
    ),
    ("7月12日那天最高气温是多少?", "7月12日，泷西市出现入夏以来最高气温40.5℃。", "40.5℃"),
    ("国庆当天景区接待了多少游客?", "10月1日，全市A级景区累计接待游客120万人次。", "120万人次"),
    ("该片上映以来票房多少?", "该片上映当天票房即破亿，目前总票房已达12亿元。", "12亿元"),
    ("今年以来气价上调了多少?", "当天然气采购成本上涨时，居民气价每立方米上调0.3元。", "0.3元"),
    ("开馆前一天有多少人预约?", "开馆前一天，已有3万人在线预约。", "3万人"),
    # the part asked named before its own total, each told, 总 of another word, another 一村
    ("女子组有多少人参赛?", "本次比赛分男子组和女子组，女子组共有16人参赛。", "16人"),
    ("沚东区总投资多少?", "改造涉及沚东区和芦渡区，其中沚东区总投资8亿元。", "8亿元"),
    ("男子组有多少支队伍?", "男子组和女子组分别共有12支和8支队伍参赛。", "12支"),
    ("女子组冠军奖金多少?", "男子组和女子组冠军奖金总额均为5万元。", "5万元"),
    ("调派了多少辆消防车?", "沚东区和芦渡区交界处起火，省消防总队调派12辆消防车。", "12辆"),
    ("沚东区公共服务投入多少?", "沚东区和芦渡区加大投入，沚东区公共投入3亿元。", "3亿元"),
    (
        "体育馆面积多大?",
        "沚东区体育馆开馆，该馆总面积2万平方米，向沚东区和芦渡区居民开放。",
        "2万平方米",
    ),
    ("十一村共有多少户?", "一村和二村已完成改造，十一村共有300户。", "300户"),
    ("沚东区、芦渡两个区总投资多少?", "工程涉及沚东区和芦渡区两个区，总投资14.2亿元。", "14.2亿元"),
]


@pytest.mark.parametrize(
    ("question", "text", "fact", "other"), CASES + [(*case, False) for case in REVIEWED]
)
def test_a_fact_told_in_another_scope_is_told_apart_from_its_look_alikes(
    question: str, text: str, fact: str, other: bool
) -> None:
    at = text.index(fact)
    assert other_scope(question, text, at, at + len(fact)) is other


@pytest.mark.parametrize(
    ("question", "text", "given", "expected"),
    [
        # a short question with no question word is weighed too (its fact a figure)
        ("死亡赔偿金?", SUIT, "142万元", None),
        # a placing's holder asked in short: the name told, not a figure, else nothing
        ("女子组冠军?", "女子组冠军由女骑手其其格获得，成绩为4分21秒。", "4分21秒", "其其格"),
        ("少年组冠军?", "少年组共有168名棋手参赛。", "168名", None),
        ("男子组冠军?", "男子组冠军被邹子墨摘得，用时2小时。", "2小时", "邹子墨"),
        # a body's name asked: one ending in its kind, or quoted, is its name
        ("那家合作社叫什么名字?", "协会会长骆某经营着一家合作社。", "协会会长", None),
        (
            "那家合作社叫什么?",
            "骆某经营着绿源猕猴桃专业合作社。",
            "绿源猕猴桃专业合作社",
            "绿源猕猴桃专业合作社",
        ),
        ("这个品牌叫什么?", "产品统一使用“雾溪红心”品牌。", "雾溪红心", "雾溪红心"),
        ("那所学校叫什么名字?", "该校全称泷西市第一中学。", "泷西市第一中学", "泷西市第一中学"),
        ("那家银行叫什么?", "贷款由泷西农商行发放。", "泷西农商行", "泷西农商行"),
        # a placing's holder is the one it is told of, never a coach or a sponsor named beside
        ("团体冠军?", "泷西队夺得团体冠军，主教练王建国用时2小时。", "2小时", None),
        ("少年组冠军?", "少年组冠军的奖金为5000元，由赞助商李华颁发。", "5000元", None),
        # a figure told in another scope gives way to none of the sentence's (两名子女, 总投资)
        ("抚慰金判了多少?", "张某及两名子女诉至法院，请求判令赔偿共计142万元。", "142万元", None),
        ("省财政出了多少钱?", "总投资6400万元，其中中央财政支持3800万元。", "3800万元", None),
    ],
)
def test_a_short_question_s_figure_gives_way_when_it_is_not_its_own(
    question: str, text: str, given: str, expected: str | None
) -> None:
    at = text.index(given)
    found = own_fact(question, text, Span(at, at + len(given)))
    assert (None if found is None else text[found.start : found.end]) == expected
