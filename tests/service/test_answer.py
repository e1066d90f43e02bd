import re

import pytest

from corpus.model import Article, Chunk
from index.backend import Hit
from index.store import sentence_input
from service.answer import (
    ABSTAIN_MESSAGE,
    MAX_ANSWER_CHARS,
    Answer,
    AnswerSettings,
    Candidate,
    answer_clauses,
    answer_question,
)
from service.evidence import asks_for_money, naming_terms, states_sum
from service.neighbours import names_other_role, names_sibling
from service.own_fact import tells_the_whole
from tests.conftest import FakeEmbedder

TEXT = (
    "12月1日,常德市武陵区人社局的工作日历提前进入2023年。"
    "截至11月底,武陵区城镇新增就业8210人,新增农村劳动力转移就业574人;"
    "开展职业培训1481人,创业培训229人。"
    "各项工作均已超越年度目标。"
)
ARTICLE = Article("a1", "为担道义敢息肩", TEXT)
ARTICLES = {"a1": ARTICLE}
METRO = Article(
    "m1",
    "青溪地铁3号线今日开通",
    "青溪地铁3号线今天上午正式开通运营。3号线全长32.5公里,共设车站23座。"
    "市民乘坐3号线从城东到城西只需40分钟。",
)


def hits_for(article: Article) -> list[Hit]:
    chunk = Chunk(
        f"{article.doc_id}:0-{len(article.text)}",
        article.doc_id,
        article.title,
        article.text,
        0,
        len(article.text),
    )
    return [Hit(chunk, 1.0, 5.0, 0.9)]


def idf(token: str) -> float:
    return 2.0 if len(token) > 1 else 0.5


def ask(question: str, article: Article, settings: AnswerSettings | None = None) -> Answer:
    """answer_question over one article, with sentence cosines from the fake embedder."""
    embedder = FakeEmbedder()
    q = embedder.embed_query(question)

    def similarity(doc_id: str, start: int, end: int) -> float:
        return float(embedder.embed_passages([sentence_input(article, start, end)])[0] @ q)

    return answer_question(
        question, hits_for(article), {article.doc_id: article}, idf, settings, similarity
    )


def test_answer_cites_the_sentence_with_the_number_asked_for() -> None:
    answer = ask("武陵区城镇新增就业多少人?", ARTICLE)
    assert not answer.abstained
    assert "8210" in answer.text
    first = answer.citations[0]
    assert first.marker == 1 and "[1]" in answer.text
    assert TEXT[first.start : first.end] == first.text
    assert "8210" in first.text


def test_the_short_answer_is_the_exact_span_of_the_fact_in_the_article() -> None:
    answer = ask("武陵区城镇新增就业多少人?", ARTICLE)
    short = answer.short
    assert short is not None
    assert short.text == "8210人" and TEXT[short.start : short.end] == short.text
    cited = answer.citations[short.marker - 1]
    assert cited.doc_id == short.doc_id and cited.start <= short.start < short.end <= cited.end


def test_every_marker_has_one_citation_in_order_and_offsets_match() -> None:
    answer = ask("开展职业培训和创业培训多少人?", ARTICLE)
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", answer.text)]
    assert markers == [c.marker for c in answer.citations] == list(range(1, len(markers) + 1))
    for c in answer.citations:
        assert ARTICLE.text[c.start : c.end] == c.text
    assert len(re.sub(r"\[\d+\]", "", answer.text)) <= MAX_ANSWER_CHARS


def test_question_about_something_absent_abstains_without_citations() -> None:
    answer = ask("安化县的县长是谁?", ARTICLE)
    assert answer.abstained and answer.citations == () and answer.text == ABSTAIN_MESSAGE
    assert answer.short is None


def test_a_question_about_a_neighbouring_subject_abstains() -> None:
    # the article knows line 3 only: its facts must not answer a question about line 4
    answered = ask("青溪地铁3号线全长多少公里?", METRO)
    assert not answered.abstained and answered.short and answered.short.text == "32.5公里"
    neighbour = ask("青溪地铁4号线全长多少公里?", METRO)
    assert neighbour.abstained and neighbour.citations == ()


def test_a_sibling_is_a_numbered_or_contrasting_neighbour_of_the_named_thing() -> None:
    assert names_sibling("4号线全长多少", naming_terms("4号线全长多少"), "3号线全长32公里")
    assert not names_sibling("3号线全长多少", naming_terms("3号线全长多少"), "3号线全长32公里")
    q = "女子冠军是谁"
    assert names_sibling(q, naming_terms(q), "男子冠军由李明获得")
    assert not names_sibling(q, naming_terms(q), "女子冠军由王芳获得,男子冠军由李明获得")
    # a stage or grade named by one character, with more words after it (一期总投资)
    q = "风电场一期总投资是多少"
    assert names_sibling(q, naming_terms(q), "二期工程总投资约6亿元")
    assert not names_sibling(q, naming_terms(q), "一期总投资约9亿元,二期约6亿元")
    q = "到南站一等座多少钱"
    assert names_sibling(q, naming_terms(q), "二等座票价73元")
    # the neighbour named short: 老图书馆 asked, only 新馆 told; 旧馆 is the old one too
    q = "澜州老图书馆藏书有多少册"
    assert names_sibling(q, naming_terms(q), "新馆目前藏书量达300万册")
    assert not names_sibling(q, naming_terms(q), "旧馆藏书80万册")
    # another time: a year held up for comparison (比去年) is not told, a named year may be the
    # one asked, and a thing the question names itself (第二只) is no neighbour
    q = "去年青川省本科录取率是多少"
    assert names_sibling(q, naming_terms(q), "今年全省本科录取率预计达到44.4%")
    q = "今年物理类本科线多少分"
    assert not names_sibling(q, naming_terms(q), "物理类本科线为438分，比去年下降6分")
    q = "凤鸣机场去年客流多少"
    assert not names_sibling(q, naming_terms(q), "凤鸣机场2024年旅客吞吐量为2860万人次")
    q = "第一只幼崽隔了多久生的第二只"
    assert not names_sibling(q, naming_terms(q), "约40分钟后，第二只幼崽也平安降生")
    # a count is no stage: 两个院区 is not contradicted by 32个科室
    q = "两个院区之间的接驳车收费吗"
    assert not names_sibling(q, naming_terms(q), "东院区设有32个临床科室")


def test_another_place_is_no_neighbour_when_it_is_the_place_asked_for() -> None:
    q = "武陵区人社局应诉的案子在哪个法院开庭"
    assert not names_sibling(q, naming_terms(q), "鼎城区人民法院内，一场行政诉讼案开庭")
    q = "武陵区人社局应诉的案子有多少件"
    assert names_sibling(q, naming_terms(q), "鼎城区人社局应诉的案子共12件")
    q = "西岭区的新图书馆建在哪里"
    assert names_sibling(q, naming_terms(q), "东湖区新图书馆建在滨江路")


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("第一次全国污染源普查是哪一年", "第二次全国污染源普查于2017年开展"),
        ("第十届艺术节在哪办", "第九届艺术节在澜州举办"),
        ("一年级有多少学生", "二年级有300名学生"),
        ("沙渠3号是哪一年选育成功的", "“沙渠1号”从2016年开始选育"),
        # the head for a deputy, the deputy for the head
        ("保护中心的副主任是谁", "保护中心主任龚建民表示"),
        ("充电公司的总经理是谁", "充电公司副总经理宁海涛说"),
        ("林业局副局长叫什么", "林业局局长晏国强介绍"),
        # another placing, the time after
        ("耐力赛第二名是谁", "骑手巴特尔以38分12秒的成绩夺冠"),
        ("谁获得了金牌", "张三获得银牌"),
        ("服务区改造前有多少个停车位", "改造后，北区设小客车停车位420个"),
        # last year asked, this year told and last year only compared with
        ("石门县去年的油茶种植面积是多少亩", "今年油茶种植面积达20.6万亩，比去年增长15%"),
        ("去年的近视率是多少", "近视率为47%，比去年的水平下降2个百分点"),
        # a route's other end
        ("淇州至漠河航线由哪家航空公司执飞", "淇州至河内航线由越捷航空执飞，每周三班"),
        ("从淇州到漠河的航班多久一班", "淇州至河内航线每周三班"),
        # a numbered thing followed by a word of its own (Y6线 | 一共), another season
        ("Y6线一共设了多少座车站", "其中Y5线由火车站开往高铁北站，设站32座"),
        ("去年冬天限时供水了多少天", "去年夏季曾连续47天限时供水"),
        ("湖区今冬第二次调查记录到多少只候鸟", "去年冬季第二次调查记录到候鸟5.3万只"),
        ("这届大赛哪个代表团金牌最多", "上届大赛中，沣川代表团以9枚金牌夺得第一"),
        ("Y8线首晚运送了多少乘客", "其中Y6线客流最多，达到820人次"),  # a code: Y6 for Y8
        ("进口货现在通关要多久", "出口货物整体通关时间压缩至0.9小时"),  # 进 and 出
        # a contrasting character jieba leaves alone before a word it cuts small (新 | 冷 | 库容)
        ("港区新冷库容量多大", "港区原有的老冷库容量只有8000吨"),
    ],
)
def test_a_neighbour_of_what_is_asked(question: str, text: str) -> None:
    assert names_sibling(question, naming_terms(question), text)


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("5月3号开幕的展会在哪里举办", "展会于5月3日在2号馆开幕"),  # a day, not a number 3
        ("城市长远发展规划提出了哪些目标", "副市长张三介绍，规划提出"),  # no 市长 in 城市长远
        ("副校长是谁", "学校长期坚持书法教育"),
        ("今年和明年分别计划建设多少公里", "明年计划建设50公里"),  # both asked
        ("工厂前身是什么", "工厂后来更名为新华厂"),  # 前身 and 后来 are words
        ("亚军能拿到什么奖励", "主办方将给予资金奖励"),  # no 金奖 in 资金奖励
        ("前三季度进口了多少牛肉", "前三季度进口冷冻牛肉1.8万吨"),
        ("现在卖一只羊能赚多少", "一只出栏羊的成本约1050元，养了800只羊"),  # counts
        ("国家一级保护的鸟有几种", "一级重点保护鸟类9种，二级保护鸟类41种"),
        ("保护中心的副主任是谁", "主任龚建民、副主任李青表示"),  # the one asked told too
        ("充电公司的总经理是谁", "总经理宁海涛说，副总经理张三"),
        ("耐力赛第二名是谁", "巴特尔夺冠，那仁获得第二名"),
        ("沙渠3号是哪一年选育成功的", "“沙渠3号”于2019年选育成功"),
        ("服务区改造前有多少个停车位", "改造后停车位420个，改造前仅有100个"),
        # a comparison that gives last year's figure tells it; one asked of this year
        ("那去年的近视率呢", "总体近视率为47.6%，比去年的49.3%下降1.7个百分点"),
        ("今年白鹭湖东方白鹳有多少只", "东方白鹳386只，比去年的185只翻了一番"),
        ("石门县今年的产量比去年增长了多少", "今年该县产量比去年增长15%"),
        # 今年 asked beside 明年: a sentence naming no year tells of this one
        ("今年冬天到明年春天签了多少方气", "签订了今冬明春供气合同，合同气量为5.4亿立方米"),
        ("淇州至漠河航线由哪家航空公司执飞", "淇州至漠河航线截至目前已运营3年，至今安全"),
        ("沣川到宁堰的城际铁路有多长", "宁堰至沣川城际铁路全长86公里"),  # both ends told
        # counts, not numbered things: 两桥, 4台 (首台 is the first)
        ("汀江一桥的拥堵指数有多高", "汀江一桥和二桥，两桥拥堵指数分别达2.1和1.9"),
        ("第一台机组哪年发电", "安装4台机组，计划2030年首台机组投产发电"),
        ("去年冬天供水多少天", "去年冬季连续供水47天"),  # 冬天 is 冬季
        ("今年冬天第二次调查记录到多少只候鸟", "今冬第二次调查记录到候鸟5.3万只"),  # 今冬
        ("今年春运火车站发送旅客多少人次", "火车站倡导文明春运，发送旅客120万人次"),  # 文明 | 春运
        ("机场T3设了多少条安检通道", "安检通道由T2的28条增加到56条"),  # T2 held up beside
        ("港区新冷库容量多大", "港区新建了一座3.5万吨级冷库"),
        ("美食节进行了多少天", "本届美食节为期7天，推出了200多道特色菜"),  # 进行了: no 出行了
        ("房价上涨了多少", "今年房价累计涨了5%，创下了近十年新高"),
    ],
)
def test_no_neighbour_in_words_that_only_look_like_one(question: str, text: str) -> None:
    assert not names_sibling(question, naming_terms(question), text)


def test_no_passages_abstains() -> None:
    assert answer_question("随便问问?", [], ARTICLES, idf).abstained


def test_a_lower_confidence_bar_answers_what_the_default_abstains_on() -> None:
    question = "南极洲的企鹅有多少只?"
    strict = ask(question, ARTICLE)
    lenient = ask(question, ARTICLE, AnswerSettings(min_confidence=0.0))
    assert strict.abstained and not lenient.abstained
    assert lenient.confidence == strict.confidence


def test_a_who_question_about_a_role_needs_a_sentence_naming_that_role() -> None:
    article = Article(
        "w1",
        "安化县水利局优化营商环境",
        "安化县城南船山小区业主蒋成志通过热线咨询供水问题。水利局工作人员当天上门维修。",
    )
    answer = ask("安化县水利局局长叫什么?", article, AnswerSettings(min_confidence=0.0))
    assert answer.abstained and answer.citations == ()
    named = Article("w2", "安化县水利局", "安化县水利局局长刘建国介绍,今年全县新建供水工程12处。")
    assert not ask("安化县水利局局长叫什么?", named, AnswerSettings(min_confidence=0.0)).abstained


def test_a_unit_about_a_neighbour_ranks_last_and_never_answers() -> None:
    lenient = AnswerSettings(min_confidence=0.0)
    head = "澜州图书馆馆长吴静介绍，新馆藏书300万册。"
    alone = ask("澜州图书馆副馆长是谁?", Article("l1", "澜州图书馆", head), lenient)
    assert alone.abstained and alone.citations == ()
    both = Article("l2", "澜州图书馆", head + "澜州图书馆副馆长李青负责古籍部。")
    answer = ask("澜州图书馆副馆长是谁?", both, lenient)
    assert not answer.abstained and answer.citations[0].text.startswith("澜州图书馆副馆长李青")
    # the same sentence answers the head's own question
    assert not ask("澜州图书馆馆长是谁?", Article("l1", "澜州图书馆", head), lenient).abstained


def test_a_question_about_a_sum_needs_a_sentence_stating_one() -> None:
    lenient = AnswerSettings(min_confidence=0.0)
    power = Article("s1", "青杠坪光伏电站", "青杠坪塌陷区光伏电站装机容量20万千瓦，明年并网。")
    assert ask("青杠坪光伏电站要投资多少钱?", power, lenient).abstained
    assert not ask("青杠坪光伏电站装机多少千瓦?", power, lenient).abstained
    priced = Article(
        "s2", "青杠坪光伏电站", "青杠坪塌陷区光伏电站总投资9.6亿元，装机容量20万千瓦。"
    )
    assert not ask("青杠坪光伏电站要投资多少钱?", priced, lenient).abstained
    # a sum without 元, or free, states one too; a change of a sum is a share, not a sum
    assert states_sum("总投资约12亿，") and states_sum("一碗米粉卖8块") and states_sum("免费开放")
    assert not states_sum("装机容量20万千瓦") and not states_sum("接待游客41.2万人次")
    assert asks_for_money("门票多少钱?") and not asks_for_money("门票收入增长了多少?")


def test_a_deputy_or_former_holder_does_not_answer_who_holds_the_role() -> None:
    def best(text: str) -> Candidate:
        chunk = Chunk("c", "d", "", text, 0, len(text))
        hit = Hit(chunk, 1.0, 1.0, 0.9)
        return Candidate(0, hit, 0, len(text), text, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9)

    assert names_other_role("市住建局局长是谁?", best("市住建局副局长彭立群介绍，销售面积下降。"))
    assert names_other_role("供电公司总经理是谁?", best("供电公司副总经理邵建明介绍。"))
    assert names_other_role("县长是谁?", best("原县长张三说。"))
    assert not names_other_role("市住建局局长是谁?", best("市住建局局长彭立群介绍。"))
    # a role of several words is read whole: 原 before it, not 代 inside it (法定代表人)
    q = "振华公司的法定代表人是谁?"
    assert names_other_role(q, best("振华公司原法定代表人刘强被判承担连带责任。"))
    assert not names_other_role(q, best("振华公司法定代表人刘强表示将上诉。"))


def test_a_question_about_last_year_is_not_answered_by_a_sentence_of_this_one() -> None:
    q = "云溪县去年稻谷总产量是多少?"
    named = naming_terms(q)
    assert names_sibling(q, named, "预计全县稻谷总产量可达66万吨。")
    assert not names_sibling(q, named, "去年全县稻谷总产量为61万吨。")
    place = "西岭区试点学校学生体质健康优良率提高了多少?"
    told = "东湖区试点学校学生体质健康优良率提高了6.4个百分点。"
    assert names_sibling(place, naming_terms(place), told)


def test_a_follow_up_marks_the_sentences_its_previous_answer_was_cut_from() -> None:
    told = answer_clauses("新馆总建筑面积6.8万平方米。[1]")
    assert len(told) == 1
    sentence = "新馆总建筑面积6.8万平方米，地上7层、地下2层。"
    assert all(pair in sentence for pair in told[0])
    assert answer_clauses(ABSTAIN_MESSAGE) == []
    assert answer_clauses("") == []


def test_a_total_does_not_answer_a_question_about_one_phase() -> None:
    lenient = AnswerSettings(min_confidence=0.0)
    whole = Article(
        "w1", "滨湖物流园", "滨湖物流园规划总占地600亩，分两期建设，其中一期投资9亿元。"
    )
    assert ask("滨湖物流园一期占地多少亩?", whole, lenient).abstained
    own = Article("w2", "滨湖物流园", "滨湖物流园一期规划总占地260亩，投资9亿元。")
    assert not ask("滨湖物流园一期占地多少亩?", own, lenient).abstained
    assert tells_the_whole("一期占地多少?", "总占地600亩，其中一期投资9亿元。", 3, 7)
    assert not tells_the_whole("一期占地多少?", "一期总占地260亩。", 5, 9)
    # the phase asked not named at all, the figure the whole of phases counted
    assert tells_the_whole("二期投资多少钱?", "扩建工程分两期实施，总投资38.6亿元。", 13, 19)
    assert not tells_the_whole("一期投资多少钱?", "该项目可分期付款，总价1.2亿元。", 11, 16)
    # the phase's own total, in the same clause; a question about the whole; not a figure asked
    assert not tells_the_whole("一期投资多少?", "总投资12亿元的一期工程开工。", 3, 8)
    assert not tells_the_whole("第二批入选多少家?", "全省共有15家企业入选第二批名单。", 4, 7)
    assert not tells_the_whole("分两期建，总投资多少?", "总投资50亿元，分两期建设。", 3, 8)
    assert not tells_the_whole("一期哪年建成?", "总占地600亩，2025年建成一期。", 7, 12)


def test_a_sentence_telling_only_a_neighbours_fact_abstains() -> None:
    lenient = AnswerSettings(min_confidence=0.0)
    other = Article("w1", "白龙光伏", "白龙光伏项目一期已并网，二期装机容量150万千瓦，明年建成。")
    assert ask("白龙光伏一期装机容量多大?", other, lenient).abstained
