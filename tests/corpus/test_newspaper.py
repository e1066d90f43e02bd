import pytest

from corpus.newspaper import describe_articles, parse_byline, split_articles
from tests.conftest import SEED


def page(*lines: str) -> str:
    return "\n\n".join(lines) + "\n"


TWO_ARTICLES = page(
    "小城新添口袋公园",
    "——老旧街角变身市民休闲空间",
    "王小明 陈丽",
    "今年以来,该市利用边角地块建设口袋公园12处。市民纷纷点赞。",
    "公园里种植了樟树、桂花等乡土树种,配套建设了健身步道和儿童游乐设施,周末前来休闲的市",
    "民络绎不绝。",
    "绿色发展,让城市更宜居",
    "下一步,该市将继续推进城市更新,让更多市民共享发展成果。",
    "赵强 刘芳芳",
    "近年来,某县坚持把农村公路建设作为民生实事来抓,新修公路300公里,群众出行更方便了。",
    "县交通运输局负责人介绍,今年还将完成30个村的道路硬化任务。",
)


def test_articles_open_at_headline_subtitle_and_byline() -> None:
    articles = split_articles(TWO_ARTICLES, "p")
    assert [a.doc_id for a in articles] == ["p-1", "p-2"]
    first = articles[0]
    assert first.title == "小城新添口袋公园"
    assert first.byline == "王小明 陈丽"
    assert first.metadata == {"subtitle": "——老旧街角变身市民休闲空间"}
    assert first.text.startswith("今年以来,该市")


def test_article_without_headline_takes_title_from_first_sentence() -> None:
    second = split_articles(TWO_ARTICLES, "p")[1]
    assert second.byline == "赵强 刘芳芳"
    assert second.title == "近年来,某县坚持把农村公路建设作为民生实事来抓"
    assert len(second.title) <= 24


def test_line_broken_mid_sentence_is_joined_and_paragraph_breaks_kept() -> None:
    first = split_articles(TWO_ARTICLES, "p")[0]
    paragraphs = first.text.split("\n")
    assert "周末前来休闲的市民络绎不绝。" in first.text
    assert paragraphs == [
        "今年以来,该市利用边角地块建设口袋公园12处。市民纷纷点赞。",
        "公园里种植了樟树、桂花等乡土树种,配套建设了健身步道和儿童游乐设施,周末前来休闲的市民络绎不绝。",
        "绿色发展,让城市更宜居",
        "下一步,该市将继续推进城市更新,让更多市民共享发展成果。",
    ]


def test_join_is_recorded_with_offsets_into_the_page() -> None:
    first = split_articles(TWO_ARTICLES, "p")[0]
    (join,) = [e for e in first.edits if e.kind == "join"]
    assert TWO_ARTICLES[join.source_start - 2 : join.source_start] == "的市"
    assert TWO_ARTICLES[join.source_start : join.source_end].strip() == ""
    assert TWO_ARTICLES[join.source_end : join.source_end + 2] == "民络"


def test_closing_byline_in_parentheses_ends_article_opened_by_bare_headline() -> None:
    text = page(
        "甲乙丙丁",
        "李强 王五",
        "第一篇文章的正文内容写在这里,讲述了某地的发展情况。",
        "某县水利局推进节水改造",
        "今年以来,某县水利局完成节水改造项目8个,受益群众2万人。",
        "(孙明 周亮)",
        "系列报道·乡村振兴看某县(一)",
        "稻花香里说丰年",
        "刘洋 郑红",
        "金秋时节,稻田里一派丰收景象。",
    )
    articles = split_articles(text, "x")
    assert [a.title for a in articles] == [
        "甲乙丙丁",
        "某县水利局推进节水改造",
        "系列报道·乡村振兴看某县(一) 稻花香里说丰年",
    ]
    assert [a.byline for a in articles] == ["李强 王五", "孙明 周亮", "刘洋 郑红"]
    assert articles[2].metadata == {"series": "系列报道·乡村振兴看某县(一)"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("李俊 刘星好", ("李俊 刘星好", False)),
        ("(夏伟胜 邓青)", ("夏伟胜 邓青", True)),
        ("本报记者 欧阳明", ("欧阳明", False)),
        ("提升 服务", None),
        ("公平之道： 让阳光洒在每个人脸上", None),
        ("李俊", None),
    ],
)
def test_byline_is_two_to_four_personal_names(line: str, expected: tuple[str, bool] | None) -> None:
    assert parse_byline(line) == expected


def test_plain_text_without_header_is_one_article() -> None:
    articles = split_articles("今天天气很好。\n我们去公园散步。\n", "t")
    assert len(articles) == 1
    assert articles[0].title == "今天天气很好"
    assert articles[0].text == "今天天气很好。\n我们去公园散步。"


def test_empty_page_has_no_articles() -> None:
    assert split_articles(" \n\n", "e") == []


@pytest.fixture(scope="module")
def seed_articles() -> list:
    return split_articles(SEED.read_text(encoding="utf-8"), "seed")


def test_seed_page_gives_four_articles_in_reading_order(seed_articles: list) -> None:
    assert [a.doc_id for a in seed_articles] == ["seed-1", "seed-2", "seed-3", "seed-4"]
    titles = [a.title for a in seed_articles]
    assert titles[0] == "为担道义敢息肩"
    assert titles[1].startswith("近年来,永兴县") and len(titles[1]) <= 24
    assert titles[2] == "安化县水利局六项举措优化水利营商环境"
    assert titles[3] == "奋进新征程·高质量发展看冷水江(四) 村美民富产业兴"
    assert [a.byline for a in seed_articles] == [
        "李俊 刘星好",
        "李秉钧 邝成刚 袁华秀",
        "夏伟胜 邓青",
        "李梅花 张翼飞 朱华美",
    ]
    assert seed_articles[0].metadata == {"subtitle": "——解读常德市武陵区人社局的“道”与“义”"}
    assert seed_articles[3].metadata == {
        "subtitle": "——冷水江市多点发力全面推进乡村振兴",
        "series": "奋进新征程·高质量发展看冷水江(四)",
    }


def test_seed_broken_lines_are_joined(seed_articles: list) -> None:
    assert "法定期限内结案率100%" in seed_articles[0].text
    assert "做“减法”,举办流动课堂" in seed_articles[0].text
    assert "去年“小水果”产业年产量" in seed_articles[3].text
    assert "婆婆李明秀卖土猪肉和土鸡。" in seed_articles[3].text


def test_seed_section_headings_stay_paragraphs(seed_articles: list) -> None:
    lines = seed_articles[0].text.split("\n")
    assert "公平之道： 让阳光洒在每个人脸上" in lines
    assert "效义之： 让温暖传到每个人手中" in lines
    assert "强化监测、分类帮扶—— 消除返贫致贫风险" in seed_articles[3].text.split("\n")


def test_seed_header_lines_are_not_in_article_text(seed_articles: list) -> None:
    for article in seed_articles:
        assert article.byline not in article.text
    for article in seed_articles[:1] + seed_articles[2:]:
        assert article.title not in article.text.split("\n")[0]


def test_describe_articles_shows_titles_and_edits(seed_articles: list) -> None:
    shown = describe_articles(seed_articles)
    for article in seed_articles:
        assert article.title in shown
    assert "join" in shown


INTERLEAVED = page(
    "春茶飘香富山村",
    "周红 吴刚",
    "今年以来,某县大力发展茶叶产业,新建茶园五千亩,带动茶农增收。",
    "县茶叶协会负责人介绍,全县将继续扩大茶园面积,推动茶",
    "跨江大桥建成通车",
    "郑伟 何平",
    "12月20日,某市跨江大桥正式建成通车,大桥全长三千米,双向六车道。",
    "大桥通车后,两岸居民往来时间由一小时缩短为十分钟,",
    "叶加工企业提档升级,打造茶叶品牌,让茶农种茶更有奔头。",
    "茶农们表示,茶园效益一年比一年好,采茶季收入翻了一番。",
    "市民纷纷前来大桥观光打卡,大桥成为城市新地标。",
)


def test_article_resumes_after_interleaved_fragment() -> None:
    tea, bridge = split_articles(INTERLEAVED, "i")
    assert tea.text.split("\n")[1:] == [
        "县茶叶协会负责人介绍,全县将继续扩大茶园面积,推动茶叶加工企业提档升级,打造茶叶品牌,让茶农种茶更有奔头。",
        "茶农们表示,茶园效益一年比一年好,采茶季收入翻了一番。",
    ]
    assert "茶" not in bridge.text
    assert "缩短为十分钟,市民纷纷前来大桥观光打卡" in bridge.text
    (move,) = [e for e in tea.edits if e.kind == "move"]
    assert INTERLEAVED[move.source_start :].startswith("叶加工企业")
    assert INTERLEAVED[: move.source_end].endswith("翻了一番。")
    assert any(e.kind == "move" for e in bridge.edits)


def test_stray_english_word_and_repeated_span_are_dropped() -> None:
    text = page(
        "山村通了自来水",
        "钱进 孔亮",
        "今年以来,该县投入资金三千万元,新建集中供水工程十二处,铺设供水管网八百公里,解决了两万多名群众的饮水难题。",
        "据统计 shows,全县农村自来水普及率达到百分之九十五。在此基础上新建集中供水工程十二处,铺设供水管网八百公里,解决了两万多名群众的饮水难题。",
    )
    (article,) = split_articles(text, "w")
    assert "shows" not in article.text
    assert "据统计,全县" in article.text
    assert article.text.endswith("在此基础上")
    drops = [e for e in article.edits if e.kind == "drop"]
    assert [text[e.source_start : e.source_end] for e in drops] == [
        " shows",
        "新建集中供水工程十二处,铺设供水管网八百公里,解决了两万多名群众的饮水难题。",
    ]


def test_seed_cut_paragraphs_read_as_one(seed_articles: list) -> None:
    yongxing, anhua = seed_articles[1], seed_articles[2]
    assert "深入推动雄风、腾驰、贵研、南铂、银盛等企业与高校合作共建。" in yongxing.text
    assert yongxing.text.endswith("提升干部凝聚力、战斗力。")
    assert "用户足不出户,即完成了供水转户程序。" in anhua.text
    assert "腾驰" not in anhua.text
    assert anhua.text.endswith("做好高效节水服务。")


def test_seed_noise_and_repeated_span_are_gone(seed_articles: list) -> None:
    assert "displays" not in seed_articles[0].text
    assert "一组细致的统计数据,截至11月底" in seed_articles[0].text
    village = seed_articles[3].text
    assert village.count("防止返贫监测与帮扶工作、发展“一县一特”小水果产业") == 1
    assert "覆盖农户5.8万户;在取得\n" in village


def test_seed_edits_point_into_the_page(seed_articles: list) -> None:
    raw = SEED.read_text(encoding="utf-8")
    for article in seed_articles:
        for edit in article.edits:
            assert 0 <= edit.source_start <= edit.source_end <= len(raw)
            if edit.kind == "drop":
                assert raw[edit.source_start : edit.source_end] not in ("", "\n")
    kinds = {e.kind for a in seed_articles for e in a.edits}
    assert kinds == {"join", "move", "drop"}


def test_series_tag_stands_over_a_headline_with_a_comma() -> None:
    text = page(
        "一线观察(四)",
        "海，另一个未知的宇宙",
        "任国文 龙欣娟",
        "《海，另一个未知的宇宙》是一部介绍海洋生物的纪录片，拍摄历时三年。",
        "影片在多个国家上映，获得观众好评。",
    )
    (article,) = split_articles(text, "p")
    assert article.title == "一线观察(四) 海，另一个未知的宇宙"
    assert article.metadata == {"series": "一线观察(四)"}


CONTINUATION_UNDER_A_HEADLINE = page(
    "园蛛纪事",
    "王小明 陈丽",
    "十字园蛛是一种常见的蜘蛛,分布于欧洲和北美洲。十字园蛛的背部有白色的十字斑纹。",
    "十字园蛛织网以后,",
    "城市公园新观察",
    "赵强 刘芳芳",
    "今年以来,该市利用边角地块建设口袋公园12处。市民纷纷点赞。",
    "每晚会将自己的网连同很多细小",
    "的昆虫一同吃下,第二天早上十字园蛛再织成另一个新的网。",
    "樟树、桂花等乡土树种遍布各处,周末前来休闲的市民络绎不绝。",
)
CONTINUATION_WITH_A_BYLINE = page(
    "冷水江市推动产业升级",
    "今年以来，冷水江市围绕新材料产业，引进龙头企业，深入推动雄",
    "锑都焕新颜",
    "王小明 陈丽",
    "锑都冷水江的锑矿开采历史悠久，锑矿产量曾居全国前列，锑品远销海外。",
    "风、腾驰等企业扩大产能，新材料产业产值增长两成。",
    "(孙明 周亮)",
    "锑矿转型",
    "锑矿关停之后，冷水江的锑品加工企业转向锑深加工，锑矿工人转岗再就业。",
)


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        pytest.param(
            CONTINUATION_UNDER_A_HEADLINE,
            ["园蛛纪事", "城市公园新观察"],
            id="broken_first_line_of_a_continuation_is_no_headline",
        ),
        pytest.param(
            CONTINUATION_WITH_A_BYLINE,
            ["冷水江市推动产业升级", "锑都焕新颜"],
            id="byline_that_travelled_with_a_continuation_opens_no_article",
        ),
    ],
)
def test_a_continuation_opens_no_article(text: str, titles: list[str]) -> None:
    assert [a.title for a in split_articles(text, "p")] == titles


def test_a_continuation_under_a_headline_joins_the_article_it_continues() -> None:
    spider, park = split_articles(CONTINUATION_UNDER_A_HEADLINE, "x")
    assert "十字园蛛织网以后,每晚会将自己的网连同很多细小的昆虫一同吃下" in spider.text
    assert "昆虫" not in park.text


def test_a_continuation_past_a_byline_joins_the_article_it_continues() -> None:
    industry, antimony = split_articles(CONTINUATION_WITH_A_BYLINE, "p")
    assert industry.byline == "孙明 周亮"
    assert "深入推动雄风、腾驰等企业扩大产能" in industry.text
    assert antimony.text.split("\n")[-2:] == [
        "锑矿转型",
        "锑矿关停之后，冷水江的锑品加工企业转向锑深加工，锑矿工人转岗再就业。",
    ]


def test_every_repair_records_the_rule_that_made_it_and_show_articles_prints_it() -> None:
    from corpus.repair import REPAIR_STEPS

    articles = split_articles(SEED.read_text(encoding="utf-8"), "seed")
    edits = [e for a in articles for e in a.edits]
    assert edits and all(e.rule.split("/")[0] in REPAIR_STEPS for e in edits)
    assert {e.rule for e in edits if e.kind == "join"} <= {
        "join_breaks/cut_sentence",
        "join_breaks/dash_heading",
    }
    shown = describe_articles(articles)
    assert all(f"({e.rule})" in shown for e in edits)
