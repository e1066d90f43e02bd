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


def test_bm25_model_scores_as_bm25s_own_index_does() -> None:
    import bm25s
    import numpy as np

    from index.bm25 import TokenTable, bm25_model, tokenize

    texts = [
        "武陵区城镇新增就业8210人，新增农村劳动力转移就业574人。",
        "全区发放创业担保贷款122笔，发放金额5241.5万元。",
        "创业孵化园累计孵化企业113家，带动就业1200余人。",
        "",
        "就业 就业 就业：城镇新增就业人数创新高。",
    ]
    tokens = [tokenize(t) or [""] for t in texts]
    reference = bm25s.BM25()
    reference.index(tokens, show_progress=False)
    ours, _ = bm25_model(TokenTable.from_lists(tokens))
    assert set(ours.vocab_dict) == set(reference.vocab_dict)
    for query in (["就业"], ["创业", "贷款"], ["新增", "就业", "孵化"], [""]):
        assert np.allclose(ours.get_scores(query), reference.get_scores(query), atol=1e-6)


def test_a_token_table_edited_scores_as_bm25s_over_the_passages_left() -> None:
    import bm25s
    import numpy as np

    from index.bm25 import KeywordIndex, TokenTable, tokenize

    texts = [
        "武陵区城镇新增就业8210人。",
        "全区发放创业担保贷款122笔。",
        "孵化园孵化企业113家。",
        "",
    ]
    table = TokenTable.from_lists([tokenize(t) for t in texts])
    # the second passage dropped (its words stay in the vocabulary, counted in none), one added
    added = "就业 就业：城镇新增就业人数创新高。"
    edited = table.taken(np.array([3, 0, 2])).extended([tokenize(added)])
    left = [tokenize(t) or [""] for t in (texts[3], texts[0], texts[2], added)]
    assert edited.lists() == left
    assert "贷款" in edited.vocab
    reference = bm25s.BM25()
    reference.index(left, show_progress=False)
    ours = KeywordIndex.from_table(edited)
    assert "贷款" not in ours.doc_freq and ours.doc_freq["就业"] == 2 and ours.n_docs == 4
    for query in (["就业"], ["孵化", "新增"], ["贷款", "就业"]):
        assert np.allclose(ours.scores(query), reference.get_scores(query), atol=1e-6)
