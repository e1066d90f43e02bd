"""Which of a sentence's parallel facts the question names (service.parallel_facts)."""

from __future__ import annotations

import pytest

from service.own_fact import own_fact
from service.parallel_facts import asked_change, asked_side, named_parallel
from tests.conftest import span_of

PARALLEL_CASES = [
    # the side the question names: 北 is in 172米's words only
    ("大桥北边那座塔有多高？", "大桥为双塔斜拉桥，南塔高186米，北塔高172米。", "186米", "172米"),
    # a list parted by 、: 儿童 names the second price
    ("景区儿童票多少钱？", "景区门票：成人票每张80元、儿童票每张40元。", "80元", "40元"),
    # a changed value keeps the words of what changed (甲厂产能由…提高到): 甲厂's new figure
    (
        "甲厂产能提高到多少？",
        "甲厂产能由3万吨提高到5万吨，乙厂由2万吨提高到4万吨。",
        "4万吨",
        "5万吨",
    ),
    # a date of the phase the question names
    (
        "厂区二期哪年开工？",
        "厂区分两期建设，一期于2019年开工，二期于2022年开工。",
        "2019年",
        "2022年",
    ),
    # the question names the fact's own side: it stays
    ("南区绿地面积多大？", "南区绿地面积12公顷，北区绿地面积9公顷。", "12公顷", "12公顷"),
    # not parallel: 全长 and 设计时速 share no word, so 隧道 in the first names no side
    ("隧道里车速最高多少？", "隧道全长6.2公里，为双向四车道，设计时速60公里。", "60公里", "60公里"),
    # another unit is no parallel fact (厘米 and 米)
    ("那幅画卷有多长？", "该卷纵31厘米、横11.6米，是其存世最长的手卷。", "11.6米", "11.6米"),
    # the from and to of one change stand in one clause: no side by side
    ("渔港避风等级原来是几级？", "改造后，渔港避风等级由8级提高到12级。", "12级", "12级"),
    # the sentence's subject (大桥) opening the first fact's words is both facts'
    ("大桥北边那座塔有多高？", "大桥南塔高186米，北塔高172米。", "186米", "172米"),
    ("索道下行票价多少钱？", "索道票价上行每人120元、下行每人90元。", "120元", "90元"),
    ("索道上行票价多少钱？", "索道票价上行每人120元、下行每人90元。", "120元", "120元"),
    # from a fact the question does not name, on to the one it names over each other
    (
        "索道下行票价多少钱？",
        "索道票价上行每人120元、下行每人90元，往返购票为180元。",
        "180元",
        "90元",
    ),
    # a place opening the first fact's words, the second naming none, is both facts' subject
    (
        "截至11月底,武陵区农村劳动力转移就业多少人?",
        "截至11月底,武陵区城镇新增就业8210人,新增农村劳动力转移就业574人;",
        "8210人",
        "574人",
    ),
    (
        "武陵区城镇新增就业多少人?",
        "截至11月底,武陵区城镇新增就业8210人,新增农村劳动力转移就业574人;",
        "574人",
        "8210人",
    ),
    # ... but where the second names a place of its own, the first's is its side (杭州市)
    ("杭州市增长了多少？", "杭州市生产总值增长5.2%，宁波市增长4.8%。", "4.8%", "5.2%"),
    # ... or a name of any kind jieba has (阿里巴巴 is its nrt, a transliterated name)
    ("杭州市增长了多少？", "杭州市生产总值增长5.2%，阿里巴巴增长4.8%。", "4.8%", "5.2%"),
    # 电 opens both sides (电视机, 电脑): no subject, the side named is 电视机
    ("旧电视机补多少钱？", "洗衣机每台50元，电视机每台60元，电脑每台40元。", "40元", "60元"),
    # 市 of 该市 is a place's name, no side (市区)
    ("该市人口有多少？", "常住人口950万人，其中市区人口420万人。", "950万人", "950万人"),
    # dates are told in one unit by their shape (N月N日), whatever their digits
    (
        "厂区二期什么时候开工？",
        "厂区分两期，一期于3月1日开工，二期于5月20日开工。",
        "3月1日",
        "5月20日",
    ),
    # the second fact says once what the first's words say (查验时间): its side names it
    (
        "出口集装箱查验要多久？",
        "目前进口集装箱平均查验时间为5.1小时，出口集装箱为1.3小时。",
        "5.1小时",
        "1.3小时",
    ),
    (
        "进口集装箱查验时间？",
        "目前进口集装箱平均查验时间为5.1小时，出口集装箱为1.3小时。",
        "1.3小时",
        "5.1小时",
    ),
    # a part told after its whole has the whole's words too: the part the question names
    ("园区西区有几个充电桩？", "园区共建成充电桩60个，其中东区35个、西区25个。", "60个", "25个"),
    ("园区有几个充电桩？", "园区共建成充电桩60个，其中东区35个、西区25个。", "60个", "60个"),
    # a total asked (一共) is the whole's, not that of a part it does not name
    ("这个区果园一共有多少亩？", "全区果园面积12万亩，其中挂果果园9万亩。", "9万亩", "12万亩"),
    ("全区挂果的果园有多少亩？", "全区果园面积12万亩，其中挂果果园9万亩。", "9万亩", "9万亩"),
    ("全县一共有多少所初中？", "全县共有学校120所，其中小学80所，初中40所。", "40所", "40所"),
    # a figure told after the clause of 其中 is no part
    (
        "全县林地一共有多少亩？",
        "耕地面积50万亩，其中水田30万亩，林地面积80万亩，其中公益林20万亩。",
        "80万亩",
        "80万亩",
    ),
    # in a larger unit of the same (亿元 over 万元)
    (
        "体育馆一共花了多少钱？",
        "体育馆建筑面积3万平方米，总投资3.6亿元，其中智能化系统投资约5200万元。",
        "约5200万元",
        "3.6亿元",
    ),
    # the second says once what the first's words say, after a link (而同类): its side names it
    (
        "燃油公交每公里成本？",
        "测算显示，电动公交每公里能耗成本约0.9元，而同类燃油公交约为2.1元。",
        "约0.9元",
        "2.1元",
    ),
    (
        "电动公交每公里成本？",
        "测算显示，电动公交每公里能耗成本约0.9元，而同类燃油公交约为2.1元。",
        "2.1元",
        "约0.9元",
    ),
    # a part is named by a word of its own, not a character (外 of 国内外, 医 of 医务人员)
    (
        "去年接待国内外游客多少人次？",
        "去年接待游客5000万人次，其中国外游客50万人次。",
        "5000万人次",
        "5000万人次",
    ),
    (
        "全市共有多少名医务人员？",
        "全市有卫生技术人员3万人，其中执业医师1.2万人。",
        "3万人",
        "3万人",
    ),
    # a list's items (、): the question's 冰 of 冰雪节 names neither, 用了多少冰 the first
    (
        "冰雪节用了多少冰？",
        "今年冰雪节园区占地20万平方米，共使用冰块9万立方米、雪6万立方米。",
        "6万立方米",
        "9万立方米",
    ),
    # each figure's words follow it: 平台已接入全市 is the list's
    (
        "平台接入了多少家专科医院？",
        "平台已接入全市35家专科医院和210家社区卫生服务中心。",
        "210家",
        "35家",
    ),
    (
        "平台接入了多少家社区卫生服务中心？",
        "平台已接入全市35家专科医院和210家社区卫生服务中心。",
        "210家",
        "210家",
    ),
    # each fact's words hold a question word the other's do not: nothing to tell them apart by
    ("南区绿地和北区花坛一共多少公顷？", "南区绿地12公顷，北区花坛9公顷。", "12公顷", "12公顷"),
]


@pytest.mark.parametrize(("asked", "text", "given", "named"), PARALLEL_CASES)
def test_the_parallel_fact_the_question_names_is_given(
    asked: str, text: str, given: str, named: str
) -> None:
    assert named_parallel(asked, text, span_of(text, given)) == span_of(text, named)


def test_only_figures_and_dates_are_told_apart() -> None:
    text = "南区由张明负责，北区由李华负责。"
    assert named_parallel("北区谁负责？", text, span_of(text, "张明")) == span_of(text, "张明")


def test_the_answer_gives_the_parallel_fact_the_question_names() -> None:
    text = "先出生的哥哥初生体重186克，后出生的妹妹初生体重142克。"
    assert own_fact("妹妹生下来多重？", text, span_of(text, "186克")) == span_of(text, "142克")


NARROWED_CASES = [
    # a span over two parallel facts: the one the question names (二期)
    (
        "二期什么时候开工？",
        "一期于3月1日开工，二期于5月20日开工。",
        "3月1日开工，二期于5月20日",
        "5月20日",
    ),
    # the whole asked (专任 is the first fact's only)
    (
        "学校一共有多少专任老师？",
        "全校有专任教师146人，其中蒙汉双语教师58人。",
        "146人，其中蒙汉双语教师58人",
        "146人",
    ),
    # a unit word the rules do not know stays with its figure
    (
        "新港区完成了多少标箱？",
        "全港完成96.3万标箱，其中新港区完成61.5万标箱。",
        "96.3万标箱，其中新港区完成61.5万标箱",
        "61.5万标箱",
    ),
    # the question names neither: the span stays
    (
        "有多少老师？",
        "全校有专任教师146人，其中蒙汉双语教师58人。",
        "146人，其中蒙汉双语教师58人",
        "146人，其中蒙汉双语教师58人",
    ),
    # the span ends in a figure the rules do not read (毫克): it stays
    (
        "血液里酒精含量多少？",
        "经检测，其血液中酒精含量为100毫升186毫克，远超醉驾标准每100毫升80毫克。",
        "100毫升186毫克，远超醉驾标准每100毫升80毫克",
        "100毫升186毫克，远超醉驾标准每100毫升80毫克",
    ),
]


@pytest.mark.parametrize(("asked", "text", "given", "named"), NARROWED_CASES)
def test_a_span_over_parallel_facts_is_narrowed_to_the_one_named(
    asked: str, text: str, given: str, named: str
) -> None:
    assert named_parallel(asked, text, span_of(text, given)) == span_of(text, named)


def test_yi_of_yigong_names_no_first_phase() -> None:
    # 一 of 一共 is no side of 一期 against the total
    text = "该基地由集团投资建设，总投资约14.5亿元，其中一期投资8.3亿元。"
    given = span_of(text, "约14.5亿元")
    assert named_parallel("基地一共投了多少钱？", text, given) == given


CHANGE_CASES = [
    # a change asked, a level chosen: the change told beside it
    ("门票比去年涨了多少？", "今年门票每人98元，比去年上调10元。", "98元", "10元"),
    ("水位跟去年比高了多少？", "湖区水位21.3米，比去年同期偏高约0.4米。", "21.3米", "约0.4米"),
    # a level asked: the level stays
    ("门票多少钱？", "今年门票每人98元，比去年上调10元。", "98元", "98元"),
    # 比赛 asks no change
    ("这次比赛报名费多少？", "比赛报名费每人200元，比去年降低50元。", "200元", "200元"),
    # 比 or 较 without a word of change right before the question word asks no change
    ("比亚迪上半年销量是多少？", "比亚迪上半年销量160万辆，同比增长61%。", "160万辆", "160万辆"),
    ("评比中获奖作品有多少件？", "本次评比共收到作品860件，比上届增加120件。", "860件", "860件"),
    ("规模较大的企业有多少家？", "规模较大的企业有120家，比去年增加15家。", "120家", "120家"),
    # a rate of growth asked (涨幅是多少): the growth told, not how the rate changed
    ("猪肉价格涨幅是多少？", "猪肉价格上涨5%，涨幅比上月提高2个百分点。", "5%", "5%"),
    # a word between the change and the question word (多种了多少亩)
    ("小麦比去年多种了多少亩？", "小麦播种面积86万亩，比去年增加2.3万亩。", "86万亩", "2.3万亩"),
    # no thing compared: a word of change right before the question word asks the change told
    # right after one (增长18.9%), not the level (进口额为162.7亿元)
    ("集成电路进口增长多少？", "集成电路进口额为162.7亿元，增长18.9%。", "162.7亿元", "18.9%"),
    ("今年多了多少名教练？", "全市有持证教练386名，今年新增了74名。", "386名", "74名"),
    # 最多, 至少 and 顶多 ask a bound, 缺少 a lack, 新增 a count of new things
    ("每人最多多少天？", "每人年休假15天，比去年增加3天。", "15天", "15天"),
    ("每人至少几天？", "每人年休假15天，比去年增加3天。", "15天", "15天"),
    ("每人顶多多少天？", "每人年休假15天，比去年增加3天。", "15天", "15天"),
    ("缺少多少资金？", "资金缺口3亿元，比年初减少1亿元。", "3亿元", "3亿元"),
    ("今年新增多少名教练？", "今年新增持证教练74名，比去年增加20名。", "74名", "74名"),
    # a value changed to (增加到) is a level, not a change told
    ("多了多少名教练？", "全市有持证教练386名，今年增加到412名。", "386名", "386名"),
    # two changes told respectively: which is whose is not read
    (
        "收入同比涨了多少？",
        "游客和收入分别同比增长9.2%和11.5%，达486.7亿元。",
        "486.7亿元",
        "486.7亿元",
    ),
]


@pytest.mark.parametrize(("asked", "text", "given", "told"), CHANGE_CASES)
def test_a_change_asked_is_answered_with_the_change_told(
    asked: str, text: str, given: str, told: str
) -> None:
    assert asked_change(asked, text, span_of(text, given)) == span_of(text, told)


SIDE_CASES = [
    # the old value for 原来, 原, 试点前 or the words told of it (去年的); the new one for 现在
    ("卫生院原来有多少张床位？", "新大楼投用后，床位由原来的60张增加到150张。", "150张", "60张"),
    ("卫生院原床位数？", "新大楼投用后，床位由原来的60张增加到150张。", "150张", "60张"),
    ("养老金以前每月多少钱？", "基础养老金从每人每月150元提高到175元。", "175元", "150元"),
    ("试点前户均停电多久？", "户均年停电时间由试点前的2.5小时降至15分钟。", "15分钟", "2.5小时"),
    ("去年的隔离带多宽？", "隔离带宽度由去年的30米增加到50米。", "50米", "30米"),
    ("码头现在一天能卸多少鱼？", "日卸鱼能力由原来的200吨提高到600吨。", "200吨", "600吨"),
    # asked what it was raised or cut to
    ("应急响应升到了几级？", "省防指将防汛应急响应由Ⅳ级提升至Ⅲ级。", "Ⅳ级", "Ⅲ级"),
    ("日卸鱼能力提高到多少？", "日卸鱼能力由原来的200吨提高到600吨。", "200吨", "600吨"),
    ("门票原价多少钱？", "门票价格由60元下调至40元。", "60元", "60元"),
    # the reader's fact with words of its own around the figure (8小时以内): the same side
    ("以前多久才响应？", "响应时间由原来的约36小时缩短到8小时以内。", "8小时以内", "约36小时"),
    ("现在多久响应？", "响应时间由原来的约36小时缩短到8小时以内。", "8小时以内", "8小时以内"),
    ("以前多久响应？", "响应时间由原来的36小时以上缩短到8小时。", "36小时以上", "36小时以上"),
    # a rate said of both values (每人每月), a range (从A至B), a span of time (过去一年) or a
    # deadline (年底之前) asks no side
    ("养老金每月多少钱？", "基础养老金从每人每月150元提高到175元。", "175元", "175元"),
    ("目前禁渔期从几号开始？", "禁渔期从3月1日至6月30日。", "3月1日", "3月1日"),
    (
        "过去一年接待游客多少人次？",
        "游客由前年的80万人次增加到120万人次。",
        "120万人次",
        "120万人次",
    ),
    ("年底之前能交付多少套？", "交付量由300套增加到500套。", "500套", "500套"),
    # no side asked, or 原 inside a name (平原县): the reader's fact stays
    ("卫生院有多少张床位？", "新大楼投用后，床位由原来的60张增加到150张。", "150张", "150张"),
    ("平原县卫生院有多少张床位？", "新大楼投用后，床位由原来的60张增加到150张。", "150张", "150张"),
    # two values told side by side, not one changed into the other
    ("原来的票价多少？", "成人票80元，学生票40元。", "80元", "80元"),
]


@pytest.mark.parametrize(("asked", "text", "given", "side"), SIDE_CASES)
def test_the_side_of_a_change_asked_is_given(asked: str, text: str, given: str, side: str) -> None:
    assert asked_side(asked, text, span_of(text, given)) == span_of(text, side)
