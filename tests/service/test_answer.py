import re

from corpus.model import Article, Chunk
from index.retriever import Hit
from service.answer import (
    ABSTAIN_MESSAGE,
    MAX_ANSWER_CHARS,
    AnswerSettings,
    answer_question,
    names_sibling,
    naming_terms,
)

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


def test_answer_cites_the_sentence_with_the_number_asked_for() -> None:
    answer = answer_question("武陵区城镇新增就业多少人?", hits_for(ARTICLE), ARTICLES, idf)
    assert not answer.abstained
    assert "8210" in answer.text
    first = answer.citations[0]
    assert first.marker == 1 and "[1]" in answer.text
    assert TEXT[first.start : first.end] == first.text
    assert "8210" in first.text


def test_the_short_answer_is_the_exact_span_of_the_fact_in_the_article() -> None:
    answer = answer_question("武陵区城镇新增就业多少人?", hits_for(ARTICLE), ARTICLES, idf)
    short = answer.short
    assert short is not None
    assert short.text == "8210人" and TEXT[short.start : short.end] == short.text
    cited = answer.citations[short.marker - 1]
    assert cited.doc_id == short.doc_id and cited.start <= short.start < short.end <= cited.end


def test_every_marker_has_one_citation_in_order_and_offsets_match() -> None:
    answer = answer_question("开展职业培训和创业培训多少人?", hits_for(ARTICLE), ARTICLES, idf)
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", answer.text)]
    assert markers == [c.marker for c in answer.citations] == list(range(1, len(markers) + 1))
    for c in answer.citations:
        assert ARTICLE.text[c.start : c.end] == c.text
    assert len(re.sub(r"\[\d+\]", "", answer.text)) <= MAX_ANSWER_CHARS


def test_question_about_something_absent_abstains_without_citations() -> None:
    answer = answer_question("安化县的县长是谁?", hits_for(ARTICLE), ARTICLES, idf)
    assert answer.abstained and answer.citations == () and answer.text == ABSTAIN_MESSAGE
    assert answer.short is None


def test_a_question_about_a_neighbouring_subject_abstains() -> None:
    # the article knows line 3 only: its facts must not answer a question about line 4
    answered = answer_question("青溪地铁3号线全长多少公里?", hits_for(METRO), {"m1": METRO}, idf)
    assert not answered.abstained and answered.short and answered.short.text == "32.5公里"
    neighbour = answer_question("青溪地铁4号线全长多少公里?", hits_for(METRO), {"m1": METRO}, idf)
    assert neighbour.abstained and neighbour.citations == ()


def test_a_sibling_is_a_numbered_or_contrasting_neighbour_of_the_named_thing() -> None:
    assert names_sibling("4号线全长多少", naming_terms("4号线全长多少"), "3号线全长32公里")
    assert not names_sibling("3号线全长多少", naming_terms("3号线全长多少"), "3号线全长32公里")
    q = "女子冠军是谁"
    assert names_sibling(q, naming_terms(q), "男子冠军由李明获得")
    assert not names_sibling(q, naming_terms(q), "女子冠军由王芳获得,男子冠军由李明获得")


def test_no_passages_abstains() -> None:
    assert answer_question("随便问问?", [], ARTICLES, idf).abstained


def test_a_lower_confidence_bar_answers_what_the_default_abstains_on() -> None:
    question = "安化县的县长是谁?"
    strict = answer_question(question, hits_for(ARTICLE), ARTICLES, idf)
    lenient = answer_question(
        question, hits_for(ARTICLE), ARTICLES, idf, AnswerSettings(min_confidence=0.0)
    )
    assert strict.abstained and not lenient.abstained
    assert lenient.confidence == strict.confidence
