import re

from corpus.model import Article, Chunk
from index.retriever import Hit
from service.answer import (
    ABSTAIN_MESSAGE,
    MAX_ANSWER_CHARS,
    AnswerSettings,
    answer_question,
    expected_type,
)

TEXT = (
    "12月1日,常德市武陵区人社局的工作日历提前进入2023年。"
    "截至11月底,武陵区城镇新增就业8210人,新增农村劳动力转移就业574人;"
    "开展职业培训1481人,创业培训229人。"
    "各项工作均已超越年度目标。"
)
ARTICLE = Article("a1", "为担道义敢息肩", TEXT)
ARTICLES = {"a1": ARTICLE}


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


def test_every_marker_has_one_citation_in_order_and_offsets_match() -> None:
    answer = answer_question("开展职业培训和创业培训多少人?", hits_for(ARTICLE), ARTICLES, idf)
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", answer.text)]
    assert markers == [c.marker for c in answer.citations] == list(range(1, len(markers) + 1))
    for c in answer.citations:
        assert ARTICLE.text[c.start : c.end] == c.text
    assert len(re.sub(r"\[\d+\]", "", answer.text)) <= MAX_ANSWER_CHARS


def test_question_about_something_absent_abstains_without_citations() -> None:
    answer = answer_question(
        "安化县的县长是谁?", hits_for(ARTICLE), ARTICLES, idf, AnswerSettings(min_support=0.45)
    )
    assert answer.abstained and answer.citations == () and answer.text == ABSTAIN_MESSAGE


def test_no_passages_abstains() -> None:
    assert answer_question("随便问问?", [], ARTICLES, idf).abstained


def test_question_types() -> None:
    assert expected_type("新增就业多少人?") == "number"
    assert expected_type("负责人叫什么名字?") == "person"
    assert expected_type("在哪个法院开庭?") == "place"
    assert expected_type("哪一年成立?") == "time"
    assert expected_type("被称为湖南的什么?") is None


def test_sentence_similarity_picks_the_paraphrase_the_words_miss() -> None:
    text = "椰子猫是一种麝猫。椰子猫平均重3.2公斤。它主要以果实为食，如芒果。"
    article = Article("cat", "椰子猫", text)
    food = text.index("它主要")

    def similarity(doc_id: str, start: int, end: int) -> float:
        return 0.95 if start == food else 0.80

    lenient = AnswerSettings(min_support=0.0, max_missing=1.0, dense_weight=2.0)
    plain = answer_question("椰子猫吃什么东西?", hits_for(article), {"cat": article}, idf, lenient)
    assert "芒果" not in plain.citations[0].text
    dense = answer_question(
        "椰子猫吃什么东西?",
        hits_for(article),
        {"cat": article},
        idf,
        lenient,
        similarity,
    )
    assert "芒果" in dense.citations[0].text
    assert text[dense.citations[0].start : dense.citations[0].end] == dense.citations[0].text
