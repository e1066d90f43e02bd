from pathlib import Path

from index.bm25 import KeywordIndex, tokenize


def test_tokens_are_nfkc_lowercase_without_punctuation() -> None:
    tokens = tokenize("ＡＢＣ公司，１２３人！")
    assert "abc" in tokens and "123" in tokens
    assert all(t.strip("，！,! ") for t in tokens)


def test_scores_rank_the_passage_with_rare_terms_first(tmp_path: Path) -> None:
    texts = ["武陵区开展职业培训1481人", "永兴县园区现有规工企业99家", "安化县水利局优化营商环境"]
    index = KeywordIndex.build(texts)
    index.save(tmp_path / "bm25")
    loaded = KeywordIndex.load(tmp_path / "bm25")
    scores = loaded.scores(tokenize("永兴县有多少规工企业"))
    assert int(scores.argmax()) == 1
    assert loaded.scores(tokenize("完全无关的问题词汇")).max() == 0.0


def test_idf_is_higher_for_rarer_terms() -> None:
    index = KeywordIndex.build(["企业 甲", "企业 乙", "企业 丙 钨"])
    assert index.idf("钨") > index.idf("企业")
