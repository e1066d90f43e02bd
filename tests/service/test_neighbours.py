"""Neighbours of what a question names (service/neighbours.py): a contrasting word told is one
only when the question does not name it too."""

import pytest

from service.evidence import naming_terms
from service.neighbours import claim_for_ruling, names_sibling

pytestmark = pytest.mark.unit


def test_a_contrasting_word_the_question_names_too_is_no_neighbour() -> None:
    # 新图书馆 asked beside 老馆: the 老馆 told is one asked, not a neighbour of the new one
    q = "新图书馆比老馆多几个座位?"
    assert not names_sibling(q, naming_terms(q), "老馆有座位800个。")
    q = "新图书馆有几个座位?"
    assert names_sibling(q, naming_terms(q), "老馆有座位800个。")
    q = "沙溪新桥哪年被定为危桥的?"
    assert names_sibling(q, naming_terms(q), "旧桥2019年被鉴定为四类危桥。")


def test_a_contrasting_word_contrasts_with_its_own_kind_only() -> None:
    # 大 contrasts with 小, not with 新 or 旧: a 新桥 told is no other than a 大桥 asked
    q = "沙溪大桥全长多少?"
    assert not names_sibling(q, naming_terms(q), "新桥全长312米")
    assert names_sibling(q, naming_terms(q), "小桥全长12米")
    # 主 with 副 and with 客
    q = "综合楼主楼有几层?"
    assert names_sibling(q, naming_terms(q), "副楼共6层")
    q = "主场观众有多少?"
    assert names_sibling(q, naming_terms(q), "客场观众有3000人")


def test_a_place_named_by_its_quarter_contrasts_with_the_other_quarters() -> None:
    q = "城西污水处理厂是哪一年建成的?"
    assert names_sibling(q, naming_terms(q), "沣川市城东污水处理厂始建于2006年。")
    assert not names_sibling(q, naming_terms(q), "城西污水处理厂始建于2006年,比城东厂晚两年。")
    q = "这东西多少钱?"  # 东西 is a thing, no quarter
    assert not names_sibling(q, naming_terms(q), "东南亚进口的榴莲每斤30元。")
    q = "城西和城东两座污水厂哪座建得早?"
    assert not names_sibling(q, naming_terms(q), "城东污水处理厂始建于2006年。")


def test_another_site_is_no_main_site() -> None:
    q = "市一医院本部有多少个临床科室?"
    assert names_sibling(q, naming_terms(q), "院长介绍，东院区设有32个临床科室。")
    assert not names_sibling(q, naming_terms(q), "本部设有40个临床科室，东院区32个。")
    q = "市一医院有多少个临床科室?"
    assert not names_sibling(q, naming_terms(q), "东院区设有32个临床科室。")
    q = "青溪大学本部有多少名学生?"
    assert not names_sibling(q, naming_terms(q), "部分院系实行书院制。")  # 部分 | 院系


def test_another_named_one_of_the_kind_asked_is_a_neighbour() -> None:
    q = "沣川队的主教练是谁?"
    assert names_sibling(q, naming_terms(q), "淇州队主教练戴鹏是前国家青年队队员。")
    assert not names_sibling(q, naming_terms(q), "沣川队主教练是刘强,淇州队主教练是戴鹏。")
    q = "白鹤水库正常库容有多大?"
    assert names_sibling(q, naming_terms(q), "为县城供水的双龙水库蓄水量仅为正常库容的26%。")
    # not when the question asks for one of that kind, nor for one told to compare with
    q = "沣川队在决赛中的对手是谁?"
    assert not names_sibling(q, naming_terms(q), "决赛中，他们对阵淇州队。")
    q = "沣川队本赛季进了多少球?"
    assert not names_sibling(q, naming_terms(q), "本赛季球队共打进42球，比淇州队多10球。")


def test_the_last_edition_is_not_told_by_one_compared_with_it() -> None:
    q = "上届文化节签约总额是多少?"
    assert names_sibling(q, naming_terms(q), "本次共签约项目27个，总额86亿元，比上届增长约三成。")
    assert not names_sibling(q, naming_terms(q), "上届共签约项目20个，总额66亿元。")
    assert not names_sibling(q, naming_terms(q), "第四届文化节共签约总额66亿元。")
    # 上一届 is 上届; a sentence telling of one before may tell the last one (卫冕冠军)
    assert not names_sibling(q, naming_terms(q), "上一届文化节共签约66亿元。")
    assert not names_sibling(
        "上届冠军是谁?", naming_terms("上届冠军是谁?"), "卫冕冠军张伟再次夺冠。"
    )


LAST_ASKED = "宁堰市代表团上一届拿了几枚金牌?"


@pytest.mark.parametrize(
    ("sentence", "another"),
    [
        # naming no edition and none before: this edition's, not the last one's
        ("宁堰市代表团以6枚金牌位列第三。", True),
        ("本届宁堰市代表团获得6枚金牌。", True),
        # an edition by number or year, or one before in words: may be the last one's
        ("第十四届运动会上，宁堰市代表团获得6枚金牌。", False),
        ("二〇二二年，宁堰市代表团获得6枚金牌。", False),
        ("在首届运动会上，宁堰市代表团获得6枚金牌。", False),
        ("前届宁堰市代表团获得6枚金牌。", False),
        ("宁堰市代表团曾以6枚金牌位列第三。", False),
        ("宁堰市代表团上次获得6枚金牌。", False),
        ("去年宁堰市代表团获得6枚金牌。", False),
        ("2022赛季宁堰市代表团获得6枚金牌。", False),
    ],
)
def test_the_last_edition_asked_and_the_edition_a_sentence_tells(
    sentence: str, another: bool
) -> None:
    assert names_sibling(LAST_ASKED, naming_terms(LAST_ASKED), sentence) is another


@pytest.mark.parametrize(
    ("question", "another"),
    [
        # 这次 asked of a contest is its edition now: the last one's told does not answer it
        ("宁堰市代表团这次还是金牌榜第一吗?", True),
        ("宁堰市代表团本次拿了几枚金牌?", True),
        ("宁堰市代表团上届拿了几枚金牌?", False),
    ],
)
def test_this_time_asked_is_this_edition(question: str, another: bool) -> None:
    told = "上届运动会上，宁堰市代表团以9枚金牌位列金牌榜第一。"
    assert names_sibling(question, naming_terms(question), told) is another


def test_the_last_champion_is_a_title_not_the_time_told() -> None:
    asked = "白沙村队这次划了多长时间?"
    told = "白沙村队以2分08秒的成绩夺冠，上届冠军渔湾村队以2分10秒获得亚军。"
    assert not names_sibling(asked, naming_terms(asked), told)


@pytest.mark.parametrize(
    ("question", "told", "another"),
    [
        # what a party claimed does not tell what the court ruled
        ("法院认定他犯的是诈骗罪吗?", "公诉机关指控他犯诈骗罪。", True),
        ("法院采纳了公司的说法吗?", "庭审中，公司辩称排放的尾水不属于污染物。", True),
        ("法院认定他犯的是诈骗罪吗?", "法院审理认为，他的行为构成诈骗罪。", False),
        ("公诉机关指控他犯什么罪?", "公诉机关指控他犯诈骗罪。", False),
    ],
)
def test_a_claim_does_not_tell_a_ruling(question: str, told: str, another: bool) -> None:
    assert claim_for_ruling(question, told) is another


@pytest.mark.parametrize(
    ("question", "text", "another"),
    [
        ("总决赛最便宜的门票多少钱", "比赛门票开售后即告售罄，最高票价880元", True),
        ("这台机组最少能发多少电", "机组最大出力60万千瓦", True),
        # the end asked told beside the other, or as its own kind of word
        ("最便宜的门票多少钱", "最低票价180元，最高票价880元", False),
        ("最多罚多少钱", "最高可罚款10万元", False),
        ("从获取到移植最快多长时间", "器官从获取到移植最短只用了4小时", False),  # 最快: no end
        ("最低工资是多少", "最高人民法院公布了典型案例", False),  # a court, not an end
        # the town and the country
        ("城区学校的营养餐每天补多少", "农村学生营养餐补助标准提高到6元", True),
        ("农村低保每月多少钱", "城镇低保标准每月900元", True),
        ("城里新找到工作的有多少人", "全市城镇新增就业8210人", False),
        ("农村公路修了多少公里", "城乡公路一体化建设完成120公里", False),
        ("江城市农村公路修了多少公里", "江城市新建公路120公里", False),  # 江城市 is a name
        ("快递送到村里成本要多少", "每件快递从县城到村的配送成本降到0.9元", False),
        # words that only hold a side or an end: a name, an office, an adverb
        ("农村低保标准每月多少", "江城区低保标准每月900元", False),
        ("城区菜价涨了多少", "据市农业农村局监测，菜价上涨5%", False),
        # sales online and in shops, travellers leaving and arriving
        ("去年线下销售额是多少", "该公司去年线上销售额达1.9亿元", True),
        ("网上卖了多少", "线下门店销售额达3000万元", True),
        ("线上卖了多少", "线上和线下销售额合计1.9亿元", False),
        ("线上销售额多少", "该公司网络销售额达1.9亿元，线下门店销售额3000万元", False),
        ("线下门店有多少家", "公司在网上开设旗舰店，全国门店达320家", False),
        ("假期到达旅客有多少", "假期雁溪站发送旅客33.6万人次", True),
        ("假期发送旅客有多少", "假期雁溪站发送旅客33.6万人次", False),
        ("消防员几分钟到达现场", "指挥中心立即发送出警指令，消防员5分钟赶到现场", False),
        ("最便宜的门票多少钱", "作为年内最重要的赛事，门票180元起售", False),
    ],
)
def test_the_other_end_of_a_range_or_the_other_side_tells_another_figure(
    question: str, text: str, another: bool
) -> None:
    assert names_sibling(question, naming_terms(question), text) is another
