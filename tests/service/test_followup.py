import pytest

from service.followup import (
    Turn,
    is_elliptical,
    new_topic,
    previous_answer,
    resolve_question,
    subject_of,
    tells_topic,
)
from service.referents import replace_pronouns

HISTORY = [
    Turn("user", "武陵区开展职业培训多少人?"),
    Turn("assistant", "武陵区开展职业培训1481人。[1]"),
]


def turns(question: str, answer: str = "") -> list[Turn]:
    return [Turn("user", question), Turn("assistant", answer)]


def test_elliptical_follow_up_takes_the_frame_of_the_previous_question() -> None:
    assert resolve_question("那创业培训呢?", HISTORY) == "武陵区开展创业培训多少人?"
    assert resolve_question("创业培训呢？", HISTORY) == "武陵区开展创业培训多少人?"


def test_a_new_place_replaces_the_place_of_the_previous_question() -> None:
    history = [Turn("user", "永兴县园区现有规工企业多少家?")]
    assert resolve_question("那安化县呢?", history).startswith("安化县")


def test_a_place_narrows_a_whole_area_and_keeps_what_was_asked_of_it() -> None:
    resolved = resolve_question(
        "那黄竹镇呢？", turns("全市平均降雨量多少？", "全市平均降雨量168毫米。[1]")
    )
    assert resolved == "黄竹镇平均降雨量多少?"
    assert (
        resolve_question("那澜州市呢", turns("全省今年接待游客多少人次"))
        == "澜州市今年接待游客多少人次"
    )


@pytest.mark.parametrize(
    ("answer", "person"),
    [
        ("市市场监督管理局副局长季红梅。[1]", "季红梅"),  # the tagger splits 季 | 红梅
        ("肯尼亚选手基普罗蒂奇。[1]", "基普罗蒂奇"),
        ("唐建军。[1]", "唐建军"),  # a bare name the tagger does not know
        ("院长是秦卫东。[1]", "秦卫东"),
        ("女子全程冠军是埃塞俄比亚选手阿贝贝·图卢。[1]", "阿贝贝·图卢"),
        ("该院院长吴志刚介绍，东院区开放床位1200张。[1]", "吴志刚"),
        ("冠军由李明获得。[1]", "李明"),
        ("是青溪市队17岁的贺屿。[1]", "贺屿"),  # after 的, a name (not 的草书作品, 的第一名)
        ("局长是斯琴。[1]", "斯琴"),  # 是 opens no name
        ("同伙是邵长河的妹夫贺建军。[1]", "贺建军"),  # a kin's role before the name
        ("种植大户名叫雷振华。[1]", "雷振华"),
        ("由水务集团副总经理方庆负责。[1]", "方庆"),  # the verbs closing the clause are none
        ("是退休教师唐筱雨发现的。[1]", "唐筱雨"),
        ("由文旅公司副总经理杜秋实负责招商。[1]", "杜秋实"),
        ("案件线索是由市民王芳发现的。[1]", "王芳"),  # 由 opens no name, 市民 is a role
        ("是当地渔民李福生多次反映。[1]", "李福生"),  # a long name tells nothing more
        ("居民赵小红报警。[1]", "赵小红"),  # not 赵小红报警
        ("市民王丽投诉。[1]", "王丽"),
        ("72岁的居民涂振华。[1]", "涂振华"),
        ("9岁的雌性大熊猫晴晴。[1]", "晴晴"),  # an animal's name after its kind
        ("雄性马来熊大树。[1]", "大树"),
        ("市长是熊国庆。[1]", "熊国庆"),  # 熊 opens a name but 熊猫's 猫 does not
    ],
)
def test_he_or_she_is_the_person_the_previous_answer_named(answer: str, person: str) -> None:
    resolved = resolve_question("他说了什么？", turns("谁负责这项工作？", answer))
    assert resolved == f"{person}说了什么?"
    named = resolve_question("她说了什么？", turns("负责人叫什么名字？", answer))
    assert named == f"{person}说了什么?"


@pytest.mark.parametrize(
    ("previous", "answer", "question", "resolved"),
    [
        # not after a 谁 question: the person the previous question names after a word for one
        # or a thing's 的, not the place it opens with
        (
            "青溪镇养蜂大户宋长林今年产了多少蜂蜜?",
            "宋长林今年产蜂蜜3吨。",
            "他去年挣了多少钱?",
            "宋长林去年挣了多少钱?",
        ),
        ("梨园村的陈秀兰种了多少亩葡萄?", "陈秀兰种了12亩葡萄。", "她今年多大?", "陈秀兰今年多大?"),
        (
            "白鹭湖保护区的观鸟员韩立新每天巡护几次?",
            "每天两次。",
            "他干这行多少年了?",
            "韩立新干这行多少年了?",
        ),
        # 的 after a verb names whom it was done to, not who did it
        ("李某强是用什么打的赵某?", "他用木棍击打赵某。", "他是被谁抓住的?", "李某强是被谁抓住的?"),
        # a question opening with the name its answer gives whole
        (
            "柴某明判了几年?",
            "柴某明被判处有期徒刑十三年。",
            "他为什么能从轻处罚?",
            "柴某明为什么能从轻处罚?",
        ),
        # the name, not the next word's first character (王明 | 是)
        ("获奖学生王明是哪个学校的?", "他是实验中学的。", "他今年多大?", "王明今年多大?"),
    ],
)
def test_he_or_she_is_the_person_the_previous_question_asked_of(
    previous: str, answer: str, question: str, resolved: str
) -> None:
    assert resolve_question(question, turns(previous, answer)) == resolved


def test_he_or_she_is_never_a_place_and_this_thing_never_a_person() -> None:
    # no person named: the pronoun stays (the place only frames it), not 白鹭湖保护区说…
    framed = resolve_question(
        "他说明年要建什么?", turns("白鹭湖保护区今年来了多少只候鸟?", "来了2万只。")
    )
    assert framed == "白鹭湖保护区他说明年要建什么?"
    # 他们 with nothing to stand for is left, not dropped
    assert replace_pronouns("他们今年目标是多少?", "", None) is None
    # 这次降温 after a question about a forecaster is the cold spell, not the forecaster
    resolved = resolve_question(
        "他觉得这次降温有什么特点?", turns("首席预报员郑立文是谁?", "首席预报员是郑立文。")
    )
    assert resolved == "郑立文觉得这次降温有什么特点?"


@pytest.mark.parametrize(
    ("previous", "question", "resolved"),
    [
        ("丝绸展每天限多少人？", "哪天闭馆？", "丝绸展哪天闭馆?"),  # 展 tagged a verb
        ("木偶节一共演了多少场？", "门票多少钱？", "木偶节门票多少钱?"),  # 节 tagged a time
    ],
)
def test_a_show_or_festival_is_the_subject_whole(
    previous: str, question: str, resolved: str
) -> None:
    assert resolve_question(question, turns(previous)) == resolved


@pytest.mark.parametrize(
    ("previous", "answer", "question", "resolved"),
    [
        # the thing of the kind the previous question names, its classifier glued or not
        (
            "金沙队主教练是谁？",
            "主教练是郑海涛。",
            "他哪年开始带这支队？",
            "郑海涛哪年开始带金沙队?",
        ),
        # a title in 《》 of that kind
        (
            "违反《青湖保护条例》最多罚多少钱？",
            "最高可处20万元罚款。",
            "这个条例从什么时候开始施行？",
            "《青湖保护条例》从什么时候开始施行?",
        ),
        # the maker an answer names, without its verb
        (
            "3号线的列车是哪家企业造的？",
            "3号线列车由本地企业华东轨道公司制造。",
            "这家公司今年要交付几列车？",
            "本地企业华东轨道公司今年要交付几列车?",
        ),
        # where a person frames it, a subject only when a word of it is of that kind
        (
            "春晚语言类节目的总导演是谁?",
            "总导演是陈明。",
            "他说这个项目谁负责?",
            "陈明说这个项目谁负责?",
        ),
        # none of that kind named: it stays (not the deputy leader asked of before)
        (
            "考古队副领队是谁？",
            "副领队是林雪。",
            "她认为这条船是干啥用的？",
            "林雪认为这条船是干啥用的?",
        ),
    ],
)
def test_this_thing_is_the_one_of_its_kind_named_before(
    previous: str, answer: str, question: str, resolved: str
) -> None:
    assert resolve_question(question, turns(previous, answer)) == resolved


def test_a_new_thing_with_nothing_in_common_replaces_the_subject() -> None:
    assert (
        resolve_question("那本部呢?", turns("东院区开放了多少张床位?")) == "本部开放了多少张床位?"
    )


def test_full_questions_and_first_turns_stay_as_they_are() -> None:
    full = "安化县方圆天下房地产公司的负责人叫什么名字?"
    assert resolve_question(full, HISTORY) == full
    assert resolve_question("那创业培训呢?", []) == "那创业培训呢?"
    assert not is_elliptical(full)


def test_unrelated_follow_up_keeps_both_turns() -> None:
    resolved = resolve_question("还有发放金额呢", HISTORY)
    assert "职业培训" in resolved and "发放金额" in resolved


@pytest.mark.parametrize(
    ("previous", "answer", "follow_up", "expected"),
    [
        # a personal pronoun after a 谁 question is the person the answer named
        (
            "南湖马拉松女子冠军是谁?",
            "本地选手李娟获得女子冠军。[1]",
            "她的成绩是多少?",
            "李娟的成绩是多少?",
        ),
        # a thing pronoun is the previous question's subject
        ("江城市新图书馆谁设计的?", "", "该馆藏书多少?", "江城市新图书馆藏书多少?"),
        ("江城大桥什么时候完工?", "", "它是谁设计的?", "江城大桥是谁设计的?"),
        # ... or the one thing it pointed at with 那棵/这座, whole (not 泷西 alone)
        ("泷西最老的那棵银杏长在哪儿?", "", "它有多高?", "泷西最老的那棵银杏有多高?"),
        ("城南那座老水塔是哪年建的?", "", "它有多高?", "城南那座老水塔有多高?"),
        # ellipsis and a changed attribute borrow the subject
        ("青溪地铁3号线什么时候开通?", "", "共设几座车站?", "青溪地铁3号线共设几座车站?"),
        ("江城大桥什么时候完工?", "", "投资多少?", "江城大桥投资多少?"),
        # what is done asked after what was planned: the plan's word stays behind, the thing
        # counted (多少公里 | 农村公路) comes along without its measure
        (
            "蕨岭县今年计划改造多少公里农村公路?",
            "",
            "现在已经修好多少了?",
            "蕨岭县今年农村公路现在已经修好多少了?",
        ),
        # ... only a plan's own word (not 虚拟, 计划生育); another unit of the measure counts on
        (
            "泷西虚拟电厂计划接入多少负荷?",
            "",
            "现在已经接入多少了?",
            "泷西虚拟电厂负荷现在已经接入多少了?",
        ),
        ("泷西今年收购了多少公斤茶叶?", "", "卖出去多少吨?", "泷西茶叶卖出去多少吨?"),
        # ... but a span of time counts none of the things counted before
        (
            "第七届汀南话剧艺术节上演了多少部戏？",
            "",
            "一共办了多少天？",
            "第七届汀南话剧艺术节一共办了多少天?",
        ),
        ("艺术节共上演多少部戏？", "", "持续了几个月？", "艺术节持续了几个月?"),
        # another time replaces the time asked of, or comes first
        ("枫林县去年发生了几起森林火情？", "", "那2023年呢？", "枫林县2023年发生了几起森林火情?"),
        ("今年白鹭湖记录到多少只水鸟？", "", "那去年同期呢？", "去年同期白鹭湖记录到多少只水鸟?"),
        ("今年雾山红茶茶王成交价多少？", "", "那去年的呢？", "去年雾山红茶茶王成交价多少?"),
        ("枫林县发生了几起森林火情？", "", "那2023年呢？", "2023年枫林县发生了几起森林火情?"),
        # the subject borrowed is whole: the tagger's 县 (zg) and 二期 (b) belong to it
        ("松岭县风电场二期什么时候并网的？", "", "哪年开工的？", "松岭县风电场二期哪年开工的?"),
        # a quoted name is the subject whole
        ("“澜优8号”推广了多少亩？", "", "有什么优点？", "“澜优8号”有什么优点?"),
        # a thing named by a verb and a noun (割草|机器人) is still a thing of the same kind
        ("星尘S9首发价多少？", "", "那割草机器人呢？", "割草机器人首发价多少?"),
    ],
)
def test_follow_ups_in_any_form_are_read_against_the_previous_turn(
    previous: str, answer: str, follow_up: str, expected: str
) -> None:
    assert resolve_question(follow_up, turns(previous, answer)) == expected


def test_a_chain_of_follow_ups_keeps_its_subject() -> None:
    history = [*turns("青溪地铁3号线什么时候开通?"), *turns("共设几座车站?")]
    assert resolve_question("全长多少公里?", history) == "青溪地铁3号线全长多少公里?"


def test_the_subject_leaves_out_the_attribute_a_follow_up_replaces() -> None:
    assert subject_of("3号线全长多少公里?", "共设几座车站?") == "3号线"
    assert subject_of("青溪地铁3号线什么时候开通?") == "青溪地铁3号线"


def test_the_previous_answer_is_the_assistants_last_turn() -> None:
    history = [
        Turn("user", "新馆建筑面积有多大?"),
        Turn("assistant", "新馆总建筑面积6.8万平方米。[1]"),
        Turn("user", "那老馆呢?"),
    ]
    assert previous_answer(history) == "新馆总建筑面积6.8万平方米。[1]"
    assert previous_answer([Turn("user", "新馆建筑面积有多大?")]) == ""


def test_the_new_topic_of_a_follow_up_is_what_the_previous_question_did_not_say() -> None:
    assert new_topic("那北园呢?", turns("沙浦中央公园南园面积多大?", "76公顷[1]")) == {"北园"}
    assert new_topic("那北园的面积呢?", turns("沙浦中央公园南园面积多大?")) == {"北园"}
    assert new_topic("那蔷薇珊瑚呢？", turns("鹿角珊瑚一年长多少?")) == {"蔷薇"}
    assert new_topic("那牛呢?", turns("羊肉价格多少?")) == {"牛"}
    assert new_topic("她跑了多长时间?", turns("女子冠军是谁?")) == frozenset()
    # a question word, a pronoun, a time or a placing names no new thing
    for follow_up in (
        "那为什么呢?",
        "那多少钱呢?",
        "那他呢?",
        "那现在呢?",
        "那去年呢?",
        "那第二名呢?",
    ):
        assert new_topic(follow_up, turns("冠军今年拿了多少奖金?")) == frozenset()
    # a turn asking something of its own, or naming an action, is no 那X呢
    for follow_up in ("她跑了多长时间呢?", "那她跑了多久呢?", "那打算开工呢?"):
        assert new_topic(follow_up, turns("女子冠军是谁?")) == frozenset()
    assert new_topic("那北园呢?", []) == frozenset()


def test_a_sentence_tells_the_new_topic_by_its_words_or_their_abbreviation() -> None:
    topic = new_topic("那男单呢?", turns("青少年组女单冠军是谁?"))
    assert topic == {"男单"}
    assert tells_topic("鹤川市队13岁的杭一帆获得男子单人滑冠军。", topic)  # 男单 shortens it
    assert tells_topic("男单冠军是杭一帆。", topic)
    assert not tells_topic("付嘉禾获得女子单人滑冠军。", topic)
    assert not tells_topic("男子组，单人项目", topic)  # not across clauses
    north = frozenset({"北园"})
    assert not tells_topic("南园北侧园路长2公里。", north)  # a direction opens no name
    assert not tells_topic("南园北部园区面积76公顷。", north)
    north = new_topic("那北园呢?", turns("沙浦中央公园南园面积多大?"))
    assert not tells_topic("南园以生态湿地为主，面积76公顷。", north)


@pytest.mark.parametrize(
    ("previous", "follow_up", "resolved"),
    [
        # names the tagger does not know come as single characters: still the subject
        ("峤港新码头什么时候投用？", "一共几个泊位？", "峤港新码头一共几个泊位?"),
        ("霁湾大学新校区图书馆有几层？", "用了多长时间？", "霁湾大学新校区图书馆用了多长时间?"),
        # a subject is never cut to one character (省 of 省肿瘤医院)
        ("省肿瘤医院去年做了多少台手术？", "手术前要等几天？", "省肿瘤医院手术前要等几天?"),
    ],
)
def test_the_subject_of_an_unknown_name_is_whole(
    previous: str, follow_up: str, resolved: str
) -> None:
    assert resolve_question(follow_up, turns(previous)) == resolved


def test_gai_before_how_says_should_and_stands_for_nothing() -> None:
    # 该怎么看 is what should be done; 该馆 is the thing
    history = turns("市眼科医院院长是谁？", "市眼科医院院长是冯启明。")
    assert resolve_question("他提醒家长筛查结果该怎么看？", history) == (
        "冯启明提醒家长筛查结果该怎么看?"
    )
    history = turns("市新图书馆什么时候开放？", "1月15日开放。")
    assert resolve_question("该馆藏书多少？", history) == "市新图书馆藏书多少?"


def test_this_time_is_a_time_not_the_subject() -> None:
    resolved = resolve_question("他说去年这个时候卖多少一斤？", turns("北门市场的羊肉多少钱一斤？"))
    assert "这个时候" in resolved


def test_a_span_of_time_is_no_subject_of_its_own_a_number_naming_a_thing_is() -> None:
    resolved = resolve_question("前9个月放了多少贷款？", turns("岷州公积金缴存余额有多少？"))
    assert resolved.startswith("岷州")
    assert resolve_question("5号线几点收车？", turns("沙浦港区二期码头什么时候开工？")) == (
        "5号线几点收车？"
    )
    assert resolve_question("618成交额多少？", turns("今年双十一成交额多少？")) == "618成交额多少？"


def test_a_name_the_previous_question_said_too_is_no_subject_of_its_own() -> None:
    previous = turns("梧阳飞新加坡的航班几点起飞？", "22时05分从梧阳起飞。[1]")
    assert resolve_question("几点到新加坡？", previous) == "梧阳飞新加坡几点到新加坡?"
    # a name of its own still stands alone, a number within another is not it, a person is
    assert resolve_question("几点到吉隆坡？", previous) == "几点到吉隆坡？"
    assert (
        resolve_question("3号线首班车几点？", turns("地铁13号线首班车几点？"))
        == "3号线首班车几点？"
    )
    assert resolve_question("李娜多少岁？", turns("张伟和李娜谁的得分高？", "李娜。[1]")) == (
        "李娜多少岁？"
    )


def test_a_chatty_opening_is_no_part_of_the_subject() -> None:
    assert resolve_question("有多少学生？", turns("我想知道青溪大学有几个校区？")).startswith(
        "青溪"
    )
    assert resolve_question("门票多少钱？", turns("帮我查下青溪博物馆几点开门")).startswith("青溪")
    assert resolve_question("哪天开始的？", turns("帮我查下青溪博物馆特展几点开门")) == (
        "青溪博物馆特展哪天开始的?"
    )
    # a one-character noun is a subject (猪), a name's first character alone is not
    assert resolve_question("产量涨了多少？", turns("猪的价格是多少？")) == "猪产量涨了多少?"


def test_a_turn_naming_nothing_asks_of_the_whole_topic_of_the_last() -> None:
    # what the last question asked about, whole: its words before the question word, less the
    # predicate that leads there (是, 巡查了, 一共)
    assert resolve_question("什么时候开工的？", turns("青龙湾水库加固工程是哪天通过验收的？")) == (
        "青龙湾水库加固工程什么时候开工的?"
    )
    assert resolve_question("出动了几架？", turns("演练中无人机巡查了多长的堤段？")) == (
        "演练中无人机出动了几架?"
    )
    assert resolve_question("涨了多少？", turns("猪的价格是多少？")) == "猪的价格涨了多少?"
    # a new predicate asks anew: the measure asked last (总投资多少) is no part of the topic
    assert resolve_question("哪天正式启用的？", turns("市一医院东院区总投资多少？")) == (
        "市一医院东院区哪天正式启用的?"
    )
    # X's Y asked (东院区的总投资, 马拉松的起点), a new predicate asks of X; a verb's X stays
    assert resolve_question("哪天开工？", turns("东院区的总投资是多少？")) == "东院区哪天开工?"
    assert resolve_question("几点开始？", turns("2025年淇州马拉松的起点在哪？")) == (
        "2025年淇州马拉松几点开始?"
    )
    assert resolve_question("哪天开放？", turns("新建的体育馆有多大？")) == "新建的体育馆哪天开放?"
    assert resolve_question("啥时候完工？", turns("3号线二期全长多少公里？")) == (
        "3号线二期啥时候完工?"
    )
    # where the topic and the turn meet, their shared words are said once
    assert resolve_question("改造是哪天开始的？", turns("老旧小区改造投资多少？")) == (
        "老旧小区改造是哪天开始的?"
    )
    # a turn naming an attribute of its own asks it of the whole topic, less the attribute
    # asked last (余额有多少), and says the topic's own noun once (公司是什么时候成立的)
    assert resolve_question("面积有多大？", turns("新图书馆的少儿阅览区在几楼？")) == (
        "新图书馆的少儿阅览区面积有多大?"
    )
    assert resolve_question("医生有多少名？", turns("东湖新区远程医疗中心每天接诊多少人？")) == (
        "东湖新区远程医疗中心医生有多少名?"
    )
    assert resolve_question("今年发放的贷款金额是多少？", turns("青溪公积金缴存余额有多少？")) == (
        "青溪公积金今年发放的贷款金额是多少?"
    )
    assert resolve_question(
        "公司是什么时候成立的？", turns("青溪康养公司承诺的年化收益是多少？")
    ) == ("青溪康养公司是什么时候成立的?")
    # when or where the last question asked (今年在浙江) is no part of what it asked about
    assert resolve_question("学费多少钱？", turns("清华大学今年在浙江招多少人？")) == (
        "清华大学学费多少钱?"
    )
    # a quoted name keeps its closing mark
    assert resolve_question("哪天生成的？", turns("台风“摩羯”在哪里登陆？")) == (
        "台风“摩羯”哪天生成的?"
    )
    # 有多高 asks of the thing before it, which stays (not an attribute like 余额)
    assert resolve_question("哪年盖的？", turns("青溪水库那座老水塔有多高？")) == (
        "青溪水库那座老水塔哪年盖的?"
    )


def test_a_work_after_its_authors_name_is_no_person() -> None:
    resolved = resolve_question(
        "这是他什么时期的作品？", turns("《秋山图》是谁画的？", "是清代画家王石谷的山水作品。[1]")
    )
    assert resolved == "这是王石谷什么时期的作品?"


def test_a_role_or_placing_after_de_is_no_person() -> None:
    resolved = resolve_question(
        "他今年多大？", turns("谁拿了这次比赛的冠军？", "是本次比赛的第一名。")
    )
    assert "第一名" not in resolved


THING_CASES = [
    # 它 after a 哪家 / 叫什么 question is the thing the answer named
    (
        "县里规模最大的酒庄是哪家？",
        "是云岫酒庄。[1]",
        "它一年能酿多少葡萄酒？",
        "云岫酒庄一年能酿多少葡萄酒?",
    ),
    (
        "今年冰雪节的主冰雕叫什么？",
        "今年的主冰雕是“塞上长城”。[1]",
        "它有多高？",
        "“塞上长城”有多高?",
    ),
    (
        "旧家电统一送到哪家公司拆解？",
        "澄坪绿源再生资源公司。[1]",
        "这家公司在哪儿？",
        "澄坪绿源再生资源公司在哪儿?",
    ),
    (
        "这条航线由哪家航空公司执飞？",
        "该航线由朔原航空执飞。[1]",
        "它用的是什么机型？",
        "朔原航空用的是什么机型?",
    ),
    # what 是 says is the question's own (是环线): the thing stands before it
    (
        "新开的夜班线里哪条是环线？",
        "Y6线是环线。[1]",
        "它第一晚运了多少人？",
        "Y6线第一晚运了多少人?",
    ),
    # a first clause that only names is the thing (比亚迪，全年销量…)
    (
        "哪家车企销量第一？",
        "比亚迪，全年销量超过300万辆。[1]",
        "它的股价涨了多少？",
        "比亚迪的股价涨了多少?",
    ),
    (
        "汉墓里保存最完整的是哪件器物？",
        "保存最完整的是青铜摇钱树。[1]",
        "它有多高？",
        "青铜摇钱树有多高?",
    ),
    # 是哪里 asks which place: 它 is the place answered
    (
        "溪州人口增长最快的是哪里？",
        "人口增长最快的是高新区，四年增长了31.7%。[1]",
        "它的人口四年涨了多少？",
        "高新区的人口四年涨了多少?",
    ),
    # after a 谁 question answered with an organisation, 它 is still the subject
    (
        "书房由谁负责运营？",
        "由桐岭出版集团负责运营。[1]",
        "它周末办什么活动？",
        "书房周末办什么活动?",
    ),
    # a 在哪 question's answer is a place: 它 stays the subject
    (
        "科技馆老馆在哪条路上？",
        "老馆位于人民路。[1]",
        "它以前一年有多少人参观？",
        "科技馆老馆以前一年有多少人参观?",
    ),
    # nor is the place a 是哪里 question asks of the thing itself (终点站是哪里): 它 stays it
    (
        "科技馆新馆的选址是哪里？",
        "新馆选址在滨江新区。[1]",
        "它有多少个展厅？",
        "科技馆新馆有多少个展厅?",
    ),
]


@pytest.mark.parametrize(("previous", "answer", "question", "resolved"), THING_CASES)
def test_it_after_a_which_question_is_the_thing_answered(
    previous: str, answer: str, question: str, resolved: str
) -> None:
    assert resolve_question(question, turns(previous, answer)) == resolved


def test_na_opening_a_word_is_still_a_na_x_ne_frame() -> None:
    # 那儿童票呢 is 那 | 儿童票, not 那儿 | 童票
    assert resolve_question("那儿童票呢？", turns("景区成人票多少钱？")) == "景区儿童票多少钱?"


def test_na_er_is_a_place_not_a_na_x_ne_frame() -> None:
    # 那儿 (there) opens no 那X呢 turn: it keeps the previous question's subject, not a
    # stray 儿 swapped into it
    resolved = resolve_question(
        "那儿查了多少个孩子？", turns("义诊的儿童点设在哪里？", "儿童义诊点设在滨河社区。[1]")
    )
    assert resolved.endswith("那儿查了多少个孩子?")


def test_na_shihou_is_a_time_and_one_character_is_no_name() -> None:
    # 那时候 opens no 那X呢 turn, and 仓 (one character the tagger takes for a name) names no
    # subject of the turn's own: the previous question's subject is borrowed
    resolved = resolve_question(
        "那时候单个仓能放多少粮？", turns("直属库老仓区是什么时候建的？", "上世纪80年代建成。[1]")
    )
    assert resolved == "直属库老仓区那时候单个仓能放多少粮?"


def test_an_answer_opening_with_a_time_names_no_thing() -> None:
    # 近日 (the answer's lead-in) is not the thing 这家公司 stands for
    resolved = resolve_question(
        "这家公司在哪儿？",
        turns("哪家公司中标了青溪大桥项目？", "近日，青溪路桥集团中标青溪大桥项目。[1]"),
    )
    assert "近日" not in resolved


def test_a_latin_letter_names_its_own_subject() -> None:
    # C of C区 is the turn's own subject (one letter, unlike one character the tagger takes
    # for a name)
    assert resolve_question("C区有几个出口？", turns("A区有多少个停车位？")) == "C区有几个出口？"


@pytest.mark.parametrize(
    ("previous", "question", "resolved"),
    [
        ("2010年该市GDP多少？", "那时的人口呢？", "2010年该市GDP多少? 那时的人口"),  # 那时 | 的人口
        ("景区门票多少钱？", "那如果是学生呢？", "如果是学生多少钱?"),  # 如果 stays
    ],
)
def test_na_shi_and_na_ruguo_keep_their_words(previous: str, question: str, resolved: str) -> None:
    assert resolve_question(question, turns(previous)) == resolved


def test_a_first_day_week_or_month_is_a_time_a_follow_up_replaces() -> None:
    # 首月 asked after 首日: the first month's, not the first day's
    asked = turns("泓川机场T3首日进出港旅客多少？", "4.6万人次[1]。")
    assert (
        resolve_question("首月预计保障多少航班？", asked) == "泓川机场T3进出港首月预计保障多少航班?"
    )
    assert resolve_question("那第一周呢？", turns("新馆开馆首日来了多少观众？")) == (
        "新馆开馆第一周来了多少观众?"
    )
    # 当天 may be the earlier turn's own day, and a 首日封 is a thing: both keep the earlier times
    assert resolve_question("当天有多少航班？", turns("T3投运首日进出港旅客多少？")) == (
        "T3投运首日进出港当天有多少航班?"
    )
    assert resolve_question("首日封发行多少枚？", turns("2024年生肖邮票发行多少套？")) == (
        "2024年生肖邮票首日封发行多少枚?"
    )
