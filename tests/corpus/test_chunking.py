from corpus.chunking import answer_spans, chunk_article, split_long_span
from corpus.model import Article


def make_article(text: str) -> Article:
    return Article(doc_id="a", title="标题", text=text)


def test_chunks_hold_whole_sentences_with_exact_offsets() -> None:
    text = "".join(f"第{i}句话讲的是一件事情，后面还有一些补充的内容。" for i in range(40))
    article = make_article(text)
    chunks = chunk_article(article)
    assert len(chunks) > 2
    for c in chunks:
        assert article.text[c.start : c.end] == c.text
        assert c.text.endswith("。")
        assert len(c.text) <= 400
        assert c.chunk_id == f"a:{c.start}-{c.end}"


def test_consecutive_chunks_overlap_by_one_sentence_and_cover_the_text() -> None:
    text = "".join(f"这是第{i}个句子，它有二十来个汉字的长度。" for i in range(60))
    chunks = chunk_article(make_article(text))
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        assert nxt.start < prev.end  # overlap
        assert text[nxt.start : prev.end].count("。") == 1  # by exactly one sentence


def test_chunk_ids_are_stable_across_builds() -> None:
    text = "甲乙丙丁。" * 200
    assert [c.chunk_id for c in chunk_article(make_article(text))] == [
        c.chunk_id for c in chunk_article(make_article(text))
    ]


def test_overlong_sentence_is_cut_after_commas_not_inside_words() -> None:
    text = "，".join(["武陵区人力资源和社会保障局开展职业培训"] * 40) + "。"
    pieces = split_long_span(text, 0, len(text), 100)
    assert len(pieces) > 1
    for s, e in pieces:
        assert e - s <= 100
        assert text[s:e].startswith("武陵区")


def test_overlong_sentence_without_commas_is_cut_between_jieba_words() -> None:
    text = "中华人民共和国" * 30
    pieces = split_long_span(text, 0, len(text), 50)
    assert all(text[s:e].startswith("中华人民共和国") for s, e in pieces)
    assert "".join(text[s:e] for s, e in pieces) == text


def test_long_sentences_become_clause_windows_within_the_limit() -> None:
    text = "，".join(f"第{i}项工作进展顺利" for i in range(60)) + "。"
    spans = answer_spans(text, 0, len(text), 160)
    assert spans and all(e - s <= 160 for s, e in spans)
    assert all(text[s:e].startswith("第") for s, e in spans)


def test_short_sentences_are_answer_units_as_they_are() -> None:
    text = "第一句。第二句！\n第三句"
    assert [text[s:e] for s, e in answer_spans(text)] == ["第一句。", "第二句！", "第三句"]
