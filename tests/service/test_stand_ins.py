from service.stand_ins import stand_in

PLANTS = (
    "本报讯 9月16日，沣川市城东污水处理厂提标改造工程通过竣工验收。改造后，该厂出水指标提升。"
    "该厂始建于2006年，是全市最早的污水处理厂。"
)


def sentence_of(article: str, opening: str) -> tuple[int, str]:
    start = article.index(opening)
    return start, article[start : article.index("。", start) + 1]


def test_this_plant_is_the_plant_the_article_named_last() -> None:
    start, text = sentence_of(PLANTS, "该厂始建于")
    assert (
        stand_in(PLANTS, start, text)
        == "沣川市城东污水处理厂始建于2006年，是全市最早的污水处理厂。"
    )


def test_the_thing_the_headline_names_comes_before_a_nearer_one() -> None:
    article = "梧阳动物园迎来双胞胎。园方介绍，晴晴是湖南一家野生动物园引进的。2024年，该园共接待游客420万人次。"
    start, text = sentence_of(article, "2024年")
    assert stand_in(article, start, text, "梧阳动物园迎来大熊猫双胞胎") == (
        "2024年，梧阳动物园共接待游客420万人次。"
    )
    assert "野生动物园" in stand_in(article, start, text)  # without it, the last one named


def test_a_description_or_a_whole_area_names_no_thing() -> None:
    article = "枫林县是全国森林防火重点县。全市今年投入2亿元。该县建成监测系统。该市还将新建学校。"
    start, text = sentence_of(article, "该县")
    assert stand_in(article, start, text) == "枫林县建成监测系统。"
    start, text = sentence_of(article, "该市")
    assert stand_in(article, start, text) == text  # 全市 names no city
    assert stand_in(article, 0, "该怎么看？") == "该怎么看？"


def test_a_name_the_tagger_cut_is_read_whole() -> None:
    article = "云岫县上河村入选传统村落名录。该村已开办民宿23家。"
    start, text = sentence_of(article, "该村")
    assert stand_in(article, start, text).endswith("上河村已开办民宿23家。")
    article = "记者走进上河村，村口立着石碑。该村已开办民宿23家。"
    start, text = sentence_of(article, "该村")
    assert stand_in(article, start, text) == "上河村已开办民宿23家。"


def test_a_headline_shortening_the_name_still_names_it() -> None:
    article = (
        "沣川市城西污水处理厂扩建工程昨日完工，比城东污水处理厂晚两年投产。该厂日处理能力达10万吨。"
    )
    start, text = sentence_of(article, "该厂")
    assert stand_in(article, start, text, "沣川城西污水处理厂扩建完工") == (
        "沣川市城西污水处理厂日处理能力达10万吨。"
    )


def test_no_stand_in_inside_another_word_nor_after_a_verb() -> None:
    article = "梧阳市第一人民医院今年扩建。患者张某出院。因此院方决定增加床位。"
    start, text = sentence_of(article, "因此")
    assert stand_in(article, start, text) == text  # 因此 | 院方
    article = "患者张某上周出院。该院今年接诊10万人次。"
    start, text = sentence_of(article, "该院")
    assert stand_in(article, start, text) == text  # 出院 names no hospital
    article = "沣川市农贸市场改造完工。该市场有摊位300个。"
    start, text = sentence_of(article, "该市场")
    assert stand_in(article, start, text) == text


def test_a_thing_held_up_beside_another_is_not_the_one_told_of() -> None:
    article = (
        "沣川市城西污水处理厂扩建工程昨日完工，比城东污水处理厂晚两年投产。该厂日处理能力达10万吨。"
    )
    start, text = sentence_of(article, "该厂")
    assert stand_in(article, start, text) == "沣川市城西污水处理厂日处理能力达10万吨。"
