import pytest

from corpus.model import Article
from corpus.text import normalize
from service.answer import AnswerSettings, candidates
from service.evidence import as_told_in, holds_term, standard_question
from service.short_answer import asked_kind
from tests.service.test_answer import hits_for, idf


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("目前全市共有城市公园42座", "现在"),
        ("此次共抽检26家农贸市场", "这次"),
        ("两期累计投入资金46.5亿元", "一共"),
        ("新线日均加工鲜果150吨", "一天"),
        ("该项目总投资12亿元", "花"),
        ("搜救历时28小时", "多长时间"),
        ("项目总工程师杜国平介绍，吊装误差控制在2毫米以内", "说"),
        ("全市城镇新增就业8210人", "城里"),
        ("目前共有患者32名", "病人"),
        ("市民可在线上平台预约", "网上"),
        ("张宁以2小时08分夺冠", "第一名"),
        ("女子单打冠军被阮清怡夺得", "女单冠军"),  # shortened by the reader
        ("第十七届省运动会闭幕", "省运会"),
        ("食堂设餐位160个", "坐下"),  # how many a place holds
        ("隧道于2021年9月开工", "动工"),
        ("台风于9日晚在凤埕县沿海登陆", "上岸"),
        ("每列6节编组，最大载客量1860人", "装"),
        ("综合治理工程总投资27.5亿元", "砸"),
        ("今年荔枝出口量已达1.23万吨", "国外"),
        ("首日接诊患儿2360人次", "第一天"),
        ("每家藏书不少于3000册", "起码"),
        ("新增海域面积1.1万亩", "多出"),
        ("下河村以石头房闻名", "出名"),
        ("沣川队以91比79取胜", "赢"),
    ],
)
def test_a_readers_word_is_held_as_news_says_it(text: str, term: str) -> None:
    assert holds_term(normalize(text), term)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("去年全市有城市公园40座", "现在"),  # another time, no word for now
        ("上届共抽检19家农贸市场", "这次"),
        ("新线年加工鲜果5万吨", "一天"),
        ("展馆门口售票处排起长队", "门票"),  # 门 and 票 too far apart to be 门票 in full
        ("省级运动员大会", "省运会"),  # more than one character left out between
        ("河南北部遭遇暴雨", "河北"),  # two characters: too many words hold them apart
    ],
)
def test_no_word_for_it_is_no_hold(text: str, term: str) -> None:
    assert not holds_term(normalize(text), term)


@pytest.mark.parametrize(
    ("question", "sentence", "told"),
    [
        (
            "“白鹭”是在哪里上岸的？",
            "台风“白鹭”于8月14日在南屿市滨湾区沿海登陆。",
            "“白鹭”是在哪里登陆的？",
        ),
        ("这次全省一共撤离了多少人", "全省共转移群众21.6万人。", "这次全省共转移了多少人"),
        ("省运会在哪里办？", "第十七届省运会在江城举行。", "省运会在哪里举行？"),
        # a measure asked by its adjective, told by its noun
        ("这座桥汽车能跑多快？", "大桥设计时速100公里。", "这座桥汽车能跑时速多少？"),
        ("充一次电能跑多远？", "该船续航里程可达80海里。", "充一次电能跑续航多少？"),
    ],
)
def test_the_reader_reads_the_question_as_the_sentence_says_its_words(
    question: str, sentence: str, told: str
) -> None:
    assert as_told_in(question, sentence) == told


@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("教育局一把手叫什么名字？", "市教育局副局长丁海带队检查。"),  # 局长 only inside 副局长
        ("稻田一共养了多大面积？", "其中稻蟹共养面积最大，为7.2万亩。"),  # 共 only inside 共养
        ("全省一共撤离了多少人？", "全省一共撤离群众3万人。"),  # said as the reader says it
        ("新馆有多少座位？", "新馆藏书300万册。"),  # no word for it
        ("研发前后用了多长时间？", "研发历时14个月。"),  # what is asked stays
        ("她今年多大？", "园区占地面积6万亩。"),  # 多大 of an age is no area
        ("新能源车占了多大的比例？", "展出面积22万平方米，新能源车型占比62%。"),
        ("工期有多长？", "大桥全长12公里，工期3年。"),  # a time asked
        ("南京站什么时候建成的？", "南京南站于2011年建成。"),  # not in full: another station
        ("岩画是多少年前画的？", "最早的岩画距今约7000年。"),  # 年 asked stays
        ("红树林面积有多大？", "红树林面积达1180公顷。"),  # the noun asked already
    ],
)
def test_a_word_the_sentence_does_not_say_as_a_word_of_its_own_stays(
    question: str, sentence: str
) -> None:
    assert as_told_in(question, sentence) == question


def test_the_sentence_saying_it_as_news_does_covers_more_of_the_question() -> None:
    article = Article(
        "p1",
        "江城公园建设",
        "去年江城建成城市公园6座。目前全市共有城市公园42座。",
    )
    units = candidates(
        "江城现在一共有多少座城市公园?", hits_for(article), {"p1": article}, idf, AnswerSettings()
    )
    coverage = {c.text: c.coverage for c in units}
    assert coverage["目前全市共有城市公园42座。"] > coverage["去年江城建成城市公园6座。"]


def test_a_word_said_as_news_says_it_counts_for_the_character_features_too() -> None:
    article = Article("p1", "江城公园建设", "江城建公园投资2亿元。江城建公园累计投资2亿元。")
    units = candidates(
        "江城建公园一共投了多少钱?", hits_for(article), {"p1": article}, idf, AnswerSettings()
    )
    by_text = {c.text: c for c in units}
    plain, said = by_text["江城建公园投资2亿元。"], by_text["江城建公园累计投资2亿元。"]
    assert said.char1 > plain.char1
    assert said.chars > plain.chars


def test_a_naming_word_said_as_news_says_it_is_not_missing() -> None:
    article = Article("p1", "暑期游泳培训", "江城儿童可免费参加游泳培训。")
    (unit,) = candidates(
        "哪里的孩子能免费参加游泳培训?", hits_for(article), {"p1": article}, idf, AnswerSettings()
    )
    assert "孩子" in unit.found
    assert unit.missing == 0.0


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("从老站坐高铁为啥慢?", "从老站坐高铁为什么慢?"),
        ("市民可以通过啥渠道举报?", "市民可以通过什么渠道举报?"),
        ("驾照咋处理的?", "驾照怎么处理的?"),
    ],
)
def test_spoken_question_words_are_read_as_written_ones(spoken: str, written: str) -> None:
    assert standard_question(spoken) == written
    assert asked_kind(standard_question("从老站坐高铁为啥慢?")) == "reason"


def test_a_headline_about_another_phase_makes_a_bare_sentence_that_phases() -> None:
    # the clause names no phase: its headline says whose it is
    def conflict(question: str, title: str, text: str) -> float:
        article = Article("w1", title, text)
        (unit,) = candidates(question, hits_for(article), {"w1": article}, idf, AnswerSettings())
        return unit.conflict

    told = "风电场离岸距离约32公里。"
    assert conflict("青礁风电场二期离岸多远?", "青礁风电场一期全容量并网", told) == 1.0
    assert conflict("青礁风电场一期离岸多远?", "青礁风电场一期全容量并网", told) == 0.0
    assert conflict("青礁风电场二期离岸多远?", "青礁风电场二期获核准", told) == 0.0
    # a headline telling stages as many, relative or held up beside names no other one
    assert conflict("青礁风电场二期离岸多远?", "青礁风电场分三期建设", told) == 0.0
    assert conflict("第三届艺术节有多少观众?", "规模比上一届扩大一倍", told) == 0.0
    # a headline counting (两年, 5万部) names no other phase
    assert conflict("一部电梯一年保费多少?", "加装电梯两年补贴5万部", "每部每年保费2400元。") == 0.0
