"""Where jieba's tagged words begin (corpus.text.tagged): the offsets the rules cut text at."""

from corpus.text import pos_tags, tagged, words, words_within


def test_each_tagged_word_starts_where_the_text_holds_it() -> None:
    text = "临澹港首座换电站每天最多服务300车次，2号换电站正在建设中。"
    spans = tagged(text)
    assert [(w, f) for _, w, f in spans] == list(pos_tags(text))
    assert all(text[at : at + len(w)] == w for at, w, _ in spans)
    assert [at for at, _, _ in spans] == sorted({at for at, _, _ in spans})
    assert spans[0][0] == 0 and spans[-1][0] + len(spans[-1][1]) == len(text)


def test_no_text_no_words() -> None:
    assert tagged("") == ()


def test_the_words_within_a_length_are_whole_from_either_end() -> None:
    text = "临澹港首座换电站每天最多服务300车次"
    cut = words(text)
    heads = ["".join(cut[:k]) for k in range(len(cut) + 1)]
    tails = ["".join(cut[k:]) for k in range(len(cut) + 1)]
    # the longest run of whole words from each end within 10 characters
    assert words_within(text, 10) == max((h for h in heads if len(h) <= 10), key=len)
    assert words_within(text, 10, last=True) == max((t for t in tails if len(t) <= 10), key=len)
    assert words_within(text, len(text), last=True) == text
