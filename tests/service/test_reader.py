"""The span reader: its decoding and word snapping (unit), where the service asks it (unit, a
recording reader), and the real reader over the real encoder (integration)."""

import re

import numpy as np
import pytest

from index.e5_numpy import cpu_has_int8_dot
from service.reader import (
    MAX_SPAN_TOKENS,
    NULL_TOKEN,
    READER_WEIGHTS,
    best_span,
    reader_input,
    snapped,
)
from service.reading import lead
from service.short_answer import MAX_SHORT_CHARS, Span, extract

# int8 readers where the CPU adds int8 products exactly, as WENDA_READER_INT8=auto runs them
NEEDS_INT8 = pytest.mark.skipif(not cpu_has_int8_dot(), reason="no VNNI or AMX: auto is float32")


def test_the_best_span_is_the_best_allowed_pair_in_order_and_within_reach() -> None:
    starts = np.array([9.0, 1.0, 5.0, 0.0, 0.0, 2.0])
    ends = np.array([9.0, 0.0, 0.0, 1.0, 4.0, 0.0])
    allowed = np.array([False, True, True, True, True, True])  # token 0 (<s>) never answers
    assert best_span(starts, ends, allowed)[:2] == (2, 4)
    # an end before its start is no span: the best start comes after every good end
    late = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 8.0])
    assert best_span(late, ends, allowed)[:2] == (5, 5)
    # past the reach, the pair is not taken
    assert best_span(starts, ends, allowed, longest=2)[:2] == (2, 3)
    assert best_span(starts, ends, np.zeros(6, dtype=bool)) is None
    assert MAX_SPAN_TOKENS * 2 > MAX_SHORT_CHARS  # a Chinese token is one or two characters


def test_a_span_is_widened_to_whole_words_and_loses_its_edge_marks() -> None:
    sentence = "新馆由瑞士建筑师事务所设计，外墙采用当地青石。"
    inside = sentence.index("筑")  # inside 建筑师
    span = snapped(sentence, inside, sentence.index("，") + 1)
    assert span is not None
    assert sentence[span.start : span.end].startswith("建筑")
    assert not sentence[span.start : span.end].endswith("，")
    stone = sentence.index("青石")
    assert snapped(sentence, stone + 1, stone + 2) == Span(stone, stone + 2)
    long = "一" * 30 + "，" + "二" * 30
    assert snapped(long, 0, len(long)) is None  # longer than a short answer
    assert snapped(sentence, sentence.index("，"), sentence.index("，") + 1) is None


@pytest.mark.parametrize(
    ("sentence", "read", "said"),
    [
        # a name told with 某 is one word with its surname, which jieba cuts off
        ("案发后，其堂弟贺某明帮助他藏匿于山中。", "某明", "贺某明"),
        ("主犯钱某某被判处有期徒刑六年。", "某某", "钱某某"),
        # 对 and 到 are no surnames: 某企业, 某地 stay as read
        ("监管部门对某企业处以罚款。", "某企业", "某企业"),
        ("他到某地打工。", "某地", "某地"),
        # a 的 closing a modifier is no part of the fact; 的 inside a word stays
        ("东岚区一位75岁的退休职工邓秀梅投入了38万元。", "75岁的", "75岁"),
        ("化石是村民在修建水渠时发现的。", "修建水渠时发现的", "修建水渠时发现"),
        ("此行的目的是考察市场。", "目的", "目的"),
    ],
)
def test_a_span_says_the_fact_whole_and_nothing_around_it(
    sentence: str, read: str, said: str
) -> None:
    at = sentence.index(read)
    span = snapped(sentence, at, at + len(read))
    assert span is not None and sentence[span.start : span.end] == said


class Recording:
    """A reader that answers with a fixed span and notes each question it was asked."""

    def __init__(self, span: Span | None) -> None:
        self.span, self.asked = span, []

    def __call__(self, question: str, sentence: str) -> Span | None:
        self.asked.append(question)
        return self.span


def test_the_reader_finds_every_fact_first_and_the_rules_where_it_finds_none() -> None:
    sentence = "新馆由建筑师王澍设计，外墙采用当地出产的青石，总投资12.5亿元。"
    stone = Span(sentence.index("青石"), sentence.index("青石") + 2)
    read = Recording(stone)
    # a number, a date, a name or a fact of no kind: the reader first, even where a rule finds one
    assert extract("总投资多少?", sentence) == Span(sentence.index("12.5"), len(sentence) - 1)
    figure = Span(sentence.index("总投资"), len(sentence) - 1)
    assert extract("总投资多少?", sentence, Recording(figure)) == figure
    # a figure asked and none in the reader's span: the rules' figure
    assert extract("总投资多少?", sentence, read) == extract("总投资多少?", sentence)
    assert extract("新馆什么时候开放?", sentence, read) == stone
    assert extract("谁设计了新馆?", sentence) == Span(
        sentence.index("王澍"), sentence.index("王澍") + 2
    )
    assert extract("谁设计了新馆?", sentence, read) == stone
    assert extract("新馆外墙用的什么材料?", sentence, read) == stone
    assert len(read.asked) == 4
    # a yes/no question is decided by its clause, never read
    assert extract("外墙是不是青石?", sentence, read) == extract("外墙是不是青石?", sentence)
    assert len(read.asked) == 4
    # where the reader finds nothing, the rules answer: a figure, never words around the question's
    nothing = Recording(None)
    assert extract("谁设计了新馆?", sentence, nothing) == extract("谁设计了新馆?", sentence)
    assert extract("总投资多少?", sentence, nothing) == extract("总投资多少?", sentence)
    assert extract("新馆什么时候开放?", sentence, nothing) is None


@pytest.fixture(scope="module")
def encoder():
    from index.convert import ensure_model
    from index.e5_numpy import NumpyE5
    from service.settings import Settings

    return NumpyE5(ensure_model(Settings().model_dir))


@pytest.mark.integration
def test_the_reader_reads_the_sentence_tokens_with_their_own_characters(encoder) -> None:
    sentence = "１２３名 runners 跑完了全程。"
    ids, spans = reader_input(encoder.tokenizer, "有多少人跑完全程?", sentence)
    assert ids[0] == encoder.tokenizer.bos and ids[-1] == encoder.tokenizer.eos
    assert ids.count(encoder.tokenizer.eos) == 3  # </s></s> between the two, </s> at the end
    pieces = [sentence[a:b] for a, b in spans.values()]
    assert "".join(pieces).replace(" ", "") == sentence.replace(" ", "")
    assert all(n > ids.index(encoder.tokenizer.eos) for n in spans)  # none in the question


@pytest.mark.integration
def test_a_headline_is_read_before_the_sentence_but_never_answers(encoder) -> None:
    sentence = "该线全长32.5公里，设车站21座。"
    plain, plain_spans = reader_input(encoder.tokenizer, "4号线设几座站?", sentence)
    ids, spans = reader_input(encoder.tokenizer, "4号线设几座站?", sentence, "青溪地铁3号线开通")
    assert len(ids) > len(plain) and ids[-1] == encoder.tokenizer.eos
    # the same sentence tokens with the same characters, after the headline's
    assert list(spans.values()) == list(plain_spans.values())
    assert min(spans) - min(plain_spans) == len(ids) - len(plain)
    headline = encoder.tokenizer.pieces("青溪地铁3号线开通")
    assert headline is not None and all(p in ids[: min(spans)] for p, _, _ in headline[1:])
    # a headline without trustworthy offsets (ｶﾞ) leaves the sentence read alone, not unread
    assert encoder.tokenizer.pieces("passage: ｶﾞ新闻。" + sentence) is None
    alone = reader_input(encoder.tokenizer, "4号线设几座站?", sentence)
    assert reader_input(encoder.tokenizer, "4号线设几座站?", sentence, "ｶﾞ新闻") == alone


@pytest.mark.integration
def test_a_reader_reads_the_headline_only_when_trained_with_it(encoder) -> None:
    from service.reader import HEADLINED, SpanReader

    with np.load(READER_WEIGHTS) as stored:
        weights = {k: stored[k] for k in stored.files if k != HEADLINED}
    question, sentence = "谁设计了新馆?", "该馆由王澍主持设计，外墙采用当地青石。"
    plain = SpanReader(encoder, weights)
    headlined = SpanReader(encoder, {**weights, HEADLINED: np.ones(1, dtype=np.float16)})
    assert not plain.headlined and headlined.headlined
    alone = plain.read(question, sentence)
    assert alone is not None and plain.read(question, sentence, "江城新图书馆开馆") == alone
    after = headlined.read(question, sentence, "江城新图书馆开馆")
    assert after is not None and after.margin != pytest.approx(alone.margin)
    assert headlined.read(question, sentence, "") == alone  # no headline: the sentence alone


@pytest.mark.integration
def test_the_real_reader_finds_facts_no_typed_rule_can_name(encoder) -> None:
    from service.reader import SpanReader

    before = set(encoder.graph.matrices)
    reader = SpanReader.load(encoder)
    with np.load(READER_WEIGHTS) as stored:
        tuned = {k.split(".")[2] for k in stored.files if k.startswith("encoder.layer.")}
    # the matrices of its own layers (query/key/value, attention out, the two of the
    # feed-forward block) and none of e5's below them: those are shared, not copied
    assert len(set(encoder.graph.matrices) - before) == 4 * len(tuned)
    cases = [
        (
            "新馆的外墙用的是什么材料?",
            "新馆外墙全部采用当地出产的青石砌成，由王澍主持设计。",
            ("青石",),
        ),
        ("这次展览的主题是什么?", "本次展览以“丝路回响”为主题，展出文物二百余件。", ("丝路回响",)),
        (  # two tasks: either is a fact no rule names
            "参赛选手要完成什么任务?",
            "比赛要求选手在三小时内徒手攀登岩壁，并采集指定的岩石样本。",
            ("攀登岩壁", "岩石样本"),
        ),
    ]
    for question, sentence, facts in cases:
        found = reader.read(question, sentence, "")
        assert found is not None, question
        text = sentence[found[0].start : found[0].end]
        assert any(f in text for f in facts) and len(text) <= MAX_SHORT_CHARS, (question, text)


@pytest.mark.integration
def test_training_marks_the_tokens_that_cover_the_answer(encoder) -> None:
    from bench.train_reader import pair_of

    sentence = "该馆由普利兹克奖得主王澍主持设计，外墙采用当地青石。"
    lo = sentence.index("王澍")
    pair = pair_of(encoder.tokenizer, "谁设计了新馆?", sentence, lo, lo + 2)
    assert pair is not None and pair.start <= pair.end
    covered = sentence[pair.spans[pair.start][0] : pair.spans[pair.end][1]]
    assert "王澍" in covered and len(covered) <= 4  # its own tokens, not the clause around
    # an answer that is not in the sentence's tokens (cut off, or beyond it) is no pair
    assert (
        pair_of(encoder.tokenizer, "谁设计了新馆?", sentence, len(sentence), len(sentence) + 2)
        is None
    )
    # after its headline: the same characters covered, by tokens that many places on
    headed = pair_of(encoder.tokenizer, "谁设计了新馆?", sentence, lo, lo + 2, "江城新图书馆开馆")
    assert headed is not None and headed.headline == "江城新图书馆开馆"
    shift = len(headed.ids) - len(pair.ids)
    assert shift > 0 and (headed.start, headed.end) == (pair.start + shift, pair.end + shift)
    assert sentence[headed.spans[headed.start][0] : headed.spans[headed.end][1]] == covered
    # a unit that does not answer points start and end at `<s>`
    none = pair_of(encoder.tokenizer, "谁设计了新馆?", sentence, -1, -1)
    assert none is not None and none.start == none.end == NULL_TOKEN == 0
    assert none.ids[NULL_TOKEN] == encoder.tokenizer.bos


def test_negatives_are_units_without_the_answer_the_closest_first() -> None:
    import random

    from bench.train_reader import negatives

    text = "新馆藏书300万册。旧馆建于1985年。新馆由王澍设计。市民可免费入馆。"
    units = [(m.start(), m.end()) for m in re.finditer("[^。]+。", text)]
    found = negatives("新馆藏书多少册?", ["300万册"], text, units, random.Random(0))
    assert "300万册" not in "".join(found) and len(found) == len(set(found)) == 2
    assert found[0] == "新馆由王澍设计。"  # shares 新馆 with the question: the hardest one


@pytest.mark.parametrize(
    ("question", "sentence", "article", "asked"),
    [
        # a county of the story for the one the sentence names
        (
            "青峪县60岁以上老人有多少？",
            "青峪县60岁以上老人有8.6万人。",
            "青峪县60岁以上老人有8.6万人。邻近的安平县今年新建养老中心12个。",
            "安平县60岁以上老人有多少？",
        ),
        # a noun with the same last character, one the sentence does not say
        (
            "苍鹤高速货车每公里收多少钱？",
            "苍鹤高速货车每公里收费0.9元。",
            "苍鹤高速货车每公里收费0.9元。客车每公里收费0.45元。",
            "苍鹤高速客车每公里收多少钱？",
        ),
    ],
)
def test_a_question_is_asked_of_a_neighbour_its_sentence_does_not_name(
    question: str, sentence: str, article: str, asked: str
) -> None:
    import random

    from bench.train_reader import sibling_question

    assert sibling_question(question, sentence, article, random.Random(0)) == asked


@pytest.mark.parametrize(
    ("question", "sentence", "article"),
    [
        # the article names nothing else of the kind
        ("青峪县有多少老人？", "青峪县有老人8.6万人。", "青峪县有老人8.6万人。全县共建中心12个。"),
        # a county for a city's name: another kind of place
        ("青峪县有多少老人？", "青峪县有老人8.6万人。", "青峪县有老人8.6万人。岷泉市建中心12个。"),
        # a word referring back (该线) names the same line
        ("3号线全长多少公里？", "3号线全长38公里。", "3号线全长38公里。该线明年开通。"),
        # a part of the word asked (伤员 of 重伤员) still answers
        ("转运了多少名重伤员？", "共转运重伤员26人。", "共转运重伤员26人。救治轻伤员80人。"),
        # the neighbour is in the sentence too: it would still answer
        (
            "青峪县有多少老人？",
            "青峪县和安平县共有老人8.6万人。",
            "青峪县和安平县共有老人8.6万人。",
        ),
    ],
)
def test_no_neighbour_no_sibling_question(question: str, sentence: str, article: str) -> None:
    import random

    from bench.train_reader import sibling_question

    assert sibling_question(question, sentence, article, random.Random(0)) is None


def test_a_reading_weighs_the_best_span_against_no_answer() -> None:
    from service.reader import Reading, reading

    sentence = "新馆由王澍设计。"
    spans = {3: (0, 2), 4: (2, 3), 5: (3, 5), 6: (5, 7)}
    logits = np.zeros((8, 2))
    logits[5] = [4.0, 3.0]  # 王澍 as start and end
    logits[0] = [1.0, 1.0]  # <s>: no answer
    logits[7] = [9.0, 9.0]  # padding, beyond the sentence's tokens: never a span
    found = reading(sentence, spans, logits)
    assert found == Reading(Span(3, 5), 7.0, 2.0) and found.margin == 5.0
    logits[0] = [6.0, 6.0]
    assert reading(sentence, spans, logits).margin == -5.0


@pytest.mark.integration
def test_a_second_reader_over_the_same_encoder_reads_with_its_own_weights(encoder) -> None:
    from service.reader import SpanReader

    with np.load(READER_WEIGHTS) as stored:
        weights = {k: stored[k] for k in stored.files}
    shifted = {**weights, "head.bias": weights["head.bias"] + np.float16(1.0)}
    question, sentence = "谁设计了新馆?", "该馆由普利兹克奖得主王澍主持设计，外墙采用当地青石。"
    first = SpanReader(encoder, weights).read(question, sentence)
    second = SpanReader(encoder, shifted).read(question, sentence)
    assert first is not None and second is not None
    assert second[0] == first[0]
    assert second[1] == pytest.approx(first[1] + 2.0, abs=1e-3)  # start and end each +1


@pytest.mark.integration
@pytest.mark.parametrize(
    ("neighbour", "own", "sentence", "headline"),
    [
        (
            "大货车过桥费多少钱?",
            "小客车过桥费多少钱?",
            "大桥通车后，7座及以下小客车每次通行费为20元。",
            "汀江二桥通车",
        ),
        (
            "桑圩镇有几个人受伤?",
            "芦汊镇有几个人受伤?",
            "7月14日下午4时许，澴州市荻港县芦汊镇遭遇龙卷风袭击，造成412户房屋不同程度受损，23人受伤。",
            "龙卷风",
        ),
    ],
)
@pytest.mark.parametrize(
    "int8", [False, pytest.param(True, marks=NEEDS_INT8)], ids=["float32", "int8"]
)
def test_the_siblings_reader_refuses_a_question_asked_of_a_neighbour(
    encoder, neighbour: str, own: str, sentence: str, headline: str, int8: bool
) -> None:
    from service.reader import READER_WEIGHTS, SIBLINGS_WEIGHTS, reader_for

    reader = reader_for(encoder, READER_WEIGHTS, int8)
    siblings = reader_for(encoder, SIBLINGS_WEIGHTS, int8)
    assert reader_for(encoder, SIBLINGS_WEIGHTS, int8) is siblings and siblings is not reader
    assert reader_for(encoder, SIBLINGS_WEIGHTS, not int8) is not siblings
    assert reader.int8 is int8 and siblings.int8 is int8
    told = {
        q: (reader.read(q, sentence, headline), siblings.read(q, sentence, headline))
        for q in (neighbour, own)
    }
    (r_neighbour, s_neighbour), (r_own, s_own) = told[neighbour], told[own]
    assert None not in (r_neighbour, s_neighbour, r_own, s_own)
    assert s_neighbour.margin < 0 < s_own.margin
    # it drops the neighbour's question further below the reader's margin than the own one
    assert r_neighbour.margin - s_neighbour.margin > r_own.margin - s_own.margin + 2


@NEEDS_INT8
@pytest.mark.integration
@pytest.mark.parametrize(
    ("question", "sentence", "fact"),
    [
        (
            "台风登陆时风力几级?",
            "台风于凌晨3时20分在滨湾区沿海登陆，登陆时中心附近最大风力14级。",
            "14级",
        ),
        ("新馆藏书多少册?", "新馆目前藏书量达300万册，设有阅览座位2000个。", "300万册"),
        ("谁设计了新馆?", "新馆由瑞士建筑师事务所设计，外墙采用当地青石。", "瑞士建筑师事务所"),
    ],
)
def test_the_int8_reader_reads_as_the_float32_one(
    encoder, question: str, sentence: str, fact: str
) -> None:
    from service.reader import reader_for

    exact, int8 = reader_for(encoder), reader_for(encoder, int8=True)
    assert int8.int8 and not exact.int8  # the shipped weights hold what int8 smooths by
    want, got = exact.read(question, sentence), int8.read(question, sentence)
    assert want is not None and got is not None
    assert sentence[got.span.start : got.span.end] == sentence[want.span.start : want.span.end]
    assert fact in sentence[got.span.start : got.span.end]
    assert got.margin > 0 and got.margin == pytest.approx(want.margin, abs=2.0)


@pytest.mark.integration
def test_the_maxima_int8_smooths_by_are_those_of_every_product_the_reader_makes(encoder) -> None:
    from bench.calibrate_reader import activation_maxima
    from service.reader import ABSMAX, SpanReader, tuned_layers

    with np.load(READER_WEIGHTS) as stored:
        weights = {k: stored[k] for k in stored.files}
    pairs = [
        ("新馆藏书多少册?", "新馆目前藏书量达300万册，设有阅览座位2000个。"),
        ("谁设计了新馆?", "新馆由瑞士建筑师事务所设计，外墙采用当地青石。"),
    ]
    ids = [reader_input(encoder.tokenizer, q, s)[0] for q, s in pairs]
    maxima = activation_maxima(encoder, weights, ids)
    # four products a layer (query, key and value as one), each measured per input channel:
    # three take the layer's width, the feed-forward's second its inner width
    layers = len(tuned_layers(weights))
    assert sorted(v.size for v in maxima.values()) == [384] * 3 * layers + [1536] * layers
    one = activation_maxima(encoder, weights, ids[:1])
    assert all((maxima[k] >= one[k]).all() for k in one) and any(
        (maxima[k] > one[k]).any() for k in one
    )
    # the shipped weights hold the maxima of the same products
    assert set(maxima) == {k for k in weights if k.startswith(ABSMAX)}
    # a reader whose weights hold none stays float32 when int8 is asked for
    plain = {k: v for k, v in weights.items() if not k.startswith(ABSMAX)}
    assert SpanReader(encoder, plain, int8=True).int8 is False
    assert SpanReader(encoder, weights, int8=True).int8 is True


@pytest.mark.integration
def test_two_readers_of_a_sentence_at_once_share_the_layers_below_theirs(
    encoder, monkeypatch
) -> None:
    import time
    from concurrent.futures import ThreadPoolExecutor

    from service.reader import SIBLINGS_WEIGHTS, Reading, reader_for, reader_input, reading

    readers = reader_for(encoder), reader_for(encoder, SIBLINGS_WEIGHTS)
    # questions no other test reads (the encoder keeps the last few readings' inputs)
    question, sentence = "小轿车过一次桥收多少?", "大桥通车后，7座及以下小客车每次通行费为20元。"
    tokens = reader_input(encoder.tokenizer, question, sentence, "汀江二桥通车")
    assert tokens is not None
    ids, spans = tokens

    def on_its_own(reader) -> Reading:  # e5's lower layers run for this reader alone
        inputs = encoder.inputs([ids])
        inputs["x"] = encoder.states_below(reader.first, inputs)
        return reading(sentence, spans, reader.session.run(["logits"], inputs)[0][0])

    expected = [on_its_own(r) for r in readers]
    lower, upper = encoder.passes
    runs: list[int] = []

    failing: list[str] = []

    class Counted:
        def run(self, *args):
            runs.append(1)
            time.sleep(0.2)  # the second reader asks while the first computes
            if failing:
                raise RuntimeError(failing.pop())
            return lower.run(*args)

    monkeypatch.setattr(encoder, "passes", (Counted(), upper))
    with ThreadPoolExecutor(2) as pool:
        both = list(pool.map(lambda r: r.read(question, sentence, "汀江二桥通车"), readers))
    assert len(runs) == 1  # once for both
    for got, want in zip(both, expected, strict=True):
        assert got is not None and got.span == want.span
        assert got.margin == pytest.approx(want.margin, abs=1e-4)
    other = "货车过一次桥收多少?"
    failing.append("the lower layers failed")
    with ThreadPoolExecutor(2) as pool:  # both readers are told, and nothing failed is kept
        told = [pool.submit(r.read, other, sentence, "汀江二桥通车") for r in readers]
        for future in told:
            with pytest.raises(RuntimeError, match="lower layers failed"):
                future.result()
    assert len(runs) == 2
    assert readers[0].read(other, sentence, "汀江二桥通车") is not None  # other ids: run again
    assert len(runs) == 3


@pytest.mark.integration
def test_the_encoder_cut_for_the_reader_embeds_as_before() -> None:
    from index.convert import ensure_model
    from index.e5_numpy import NumpyE5
    from service.settings import Settings

    whole = NumpyE5(ensure_model(Settings().model_dir))
    assert len(whole.passes) == 1
    questions = ["新馆藏书多少册?", "谁设计了江城市新图书馆，它什么时候开放?"]
    before = whole.embed_many(questions)
    whole.split_at(8)
    assert len(whole.passes) == 2 and whole.cut == 8
    np.testing.assert_allclose(whole.embed_many(questions), before, atol=1e-5)
    ids = whole.token_ids(questions[0])
    assert whole.states_below(8, whole.inputs([ids])).shape == (1, len(ids), 384)
    with pytest.raises(ValueError):
        whole.states_below(6, whole.inputs([ids]))
    with pytest.raises(ValueError):
        whole.split_at(6)  # cut once: a second reader must use the same layers


@pytest.mark.integration
def test_the_readers_training_leaves_the_held_out_realistic_part_alone(
    encoder, monkeypatch
) -> None:
    import bench.train_reader as training
    from bench.realistic.parts import PARTS

    trained = [p for p in PARTS if p.trained]
    monkeypatch.setattr(training, "REALISTIC_PARTS", trained[:1])
    pairs = training.realistic_pairs(encoder.tokenizer)
    assert pairs and {p.set_name for p in pairs} == {trained[0].name}
    monkeypatch.setattr(training, "REALISTIC_PARTS", [p for p in PARTS if not p.trained])
    assert training.realistic_pairs(encoder.tokenizer) == []


@pytest.mark.integration
def test_an_unanswerable_question_reads_its_closest_units_as_no_answer(encoder) -> None:
    from bench.train_reader import NEGATIVES, unanswered_pairs

    docs = {
        "a": "新馆藏书300万册。新馆由王澍设计。",
        "b": "地铁3号线全长38公里。3号线明年开通。",
    }
    titles = {"a": "江城新图书馆开馆", "b": "青溪地铁3号线开通"}
    pairs = unanswered_pairs(encoder.tokenizer, "4号线全长多少公里?", docs, {}, titles)
    assert len(pairs) == NEGATIVES
    assert all(p.start == p.end == NULL_TOKEN for p in pairs)
    assert pairs[0].sentence == "地铁3号线全长38公里。"  # the neighbouring fact, of another article
    assert pairs[0].headline == "青溪地铁3号线开通"  # read after its own article's headline


@pytest.mark.integration
def test_the_readers_training_leaves_out_the_parts_it_is_told(encoder) -> None:
    import bench.train_reader as training
    from bench.realistic.parts import PARTS
    from service.evaluate import read_questions

    first, second = [p for p in PARTS if p.trained][:2]
    pairs = training.realistic_pairs(encoder.tokenizer, without={first.name})
    names = {p.set_name for p in pairs}
    assert second.name in names and first.name not in names
    # the unanswerable questions are read too, each unit with the no-answer target
    unanswerable = {q.question for q in read_questions(second.questions) if not q.answerable}
    read = [p for p in pairs if p.question in unanswerable]
    assert read and all(p.start == p.end == NULL_TOKEN for p in read)


@pytest.mark.integration
def test_sibling_questions_add_a_no_answer_pair_on_the_answer_unit(encoder) -> None:
    import bench.train_reader as training
    from bench.realistic.parts import PARTS

    part = next(p for p in PARTS if p.trained)
    plain = training.realistic_pairs(encoder.tokenizer, [p.name for p in PARTS if p is not part])
    both = training.realistic_pairs(
        encoder.tokenizer, [p.name for p in PARTS if p is not part], siblings=1
    )
    seen = {(p.question, p.sentence) for p in plain}
    added = [i for i, p in enumerate(both) if (p.question, p.sentence) not in seen]
    assert [p for p in both if (p.question, p.sentence) in seen] == plain  # the rest as before
    assert added and all(both[i].start == both[i].end == NULL_TOKEN for i in added)
    for i in added:  # each after its original's pairs, on the unit answering the original
        original = next(p for p in reversed(both[:i]) if p.start != NULL_TOKEN)
        assert both[i].sentence == original.sentence and both[i].question != original.question
    # two draws: more neighbours, none asked twice of a unit
    twice = training.realistic_pairs(
        encoder.tokenizer, [p.name for p in PARTS if p is not part], siblings=2
    )
    more = [(p.question, p.sentence) for p in twice if (p.question, p.sentence) not in seen]
    assert len(more) > len(added) and len(set(more)) == len(more)
    assert [p for p in twice if (p.question, p.sentence) in seen] == plain


@pytest.mark.integration
def test_a_public_questions_sibling_rides_beside_its_pair(encoder, tmp_path) -> None:
    import json

    import bench.train_reader as training

    article = (
        "汀江二桥昨日通车。大桥通车后，7座及以下小客车每次通行费为20元。大货车每次通行费为60元。"
    )
    for name in training.SETS:
        folder = tmp_path / "eval" / name
        folder.mkdir(parents=True)
        doc = {"id": f"{name}-1", "title": "汀江二桥通车", "text": article}
        (folder / "docs.jsonl").write_text(json.dumps(doc, ensure_ascii=False) + "\n", "utf-8")
        asked = {"id": "q1", "question": "小客车过桥费多少钱?", "answers": ["20元"]}
        asked |= {"answerable": True, "doc_id": f"{name}-1"}
        lines = json.dumps(asked, ensure_ascii=False) + "\n"
        (folder / "questions_public.jsonl").write_text(lines, "utf-8")

    def told(pairs):
        return [(p.set_name, p.question, p.sentence, p.start, p.end) for p in pairs]

    plain = training.pairs_of(tmp_path, encoder.tokenizer, leads=True)
    with_siblings = training.pairs_of(tmp_path, encoder.tokenizer, leads=True, siblings=True)
    assert told(with_siblings) == told(plain)  # the pairs drawn as before
    answered = [p for p in with_siblings if p.start != NULL_TOKEN]
    assert len(answered) == 2 and all(p.sibling is None for p in plain)
    for pair in answered:
        sibling = pair.sibling
        assert sibling is not None and sibling.question.endswith("货车过桥费多少钱?")
        assert sibling.sentence == pair.sentence and sibling.start == sibling.end == NULL_TOKEN
        assert (sibling.set_name, sibling.held_out) == (pair.set_name, pair.held_out)


@pytest.mark.integration
def test_with_leads_each_unit_is_read_after_its_headline_and_the_sentence_before(encoder) -> None:
    import bench.train_reader as training
    from bench.realistic.parts import PARTS
    from corpus.loading import read_jsonl_file

    part = next(p for p in PARTS if p.trained)
    without = [p.name for p in PARTS if p is not part]
    titled = training.realistic_pairs(encoder.tokenizer, without, headlines=True)
    led = training.realistic_pairs(encoder.tokenizer, without, leads=True)
    assert [(p.question, p.sentence) for p in led] == [(p.question, p.sentence) for p in titled]
    texts = {a.title: a.text for a in read_jsonl_file(part.articles)}
    for p in led:  # the headline, then what the paragraph says before the unit, if anything
        headline = next(t for t in texts if p.headline.startswith(t))
        text = texts[headline]
        assert p.headline == lead(headline, text[: text.find(p.sentence)])
    assert sum(p.headline != t.headline for p, t in zip(led, titled, strict=True)) > len(led) // 3


@pytest.mark.integration
def test_weights_tuning_fewer_layers_start_the_lower_tuned_layers_as_e5s_own() -> None:
    """bench.train_reader --init with a reader tuned from a later layer: the layers it holds and
    the head are loaded, the ones below keep their own weights."""
    import torch
    from transformers import BertConfig
    from transformers.models.bert.modeling_bert import BertLayer

    from bench.train_reader import load_weights

    config = BertConfig(hidden_size=8, num_attention_heads=2, intermediate_size=16)
    torch.manual_seed(0)
    layers = torch.nn.ModuleList([BertLayer(config), BertLayer(config)])  # layers 4 and 5
    head = torch.nn.Linear(8, 2)
    own = {k: v.clone() for k, v in layers[0].state_dict().items()}
    stored = {
        f"encoder.layer.5.{k}": np.full(v.shape, 0.5, dtype=np.float16)
        for k, v in layers[1].state_dict().items()
    } | {"head.weight": np.ones((2, 8), np.float16), "head.bias": np.zeros(2, np.float16)}
    load_weights(layers, head, stored, first=4)
    assert all(torch.equal(v, own[k]) for k, v in layers[0].state_dict().items())
    assert all(torch.all(v == 0.5) for v in layers[1].state_dict().values())
    assert torch.all(head.weight == 1.0) and torch.all(head.bias == 0.0)
    # weights tuning a layer below the first asked would lose it: refused
    with pytest.raises(ValueError, match="--first 4 or lower"):
        load_weights(layers[1:], head, stored | _renamed(stored, 5, 4), first=5)


def _renamed(weights: dict[str, np.ndarray], layer: int, to: int) -> dict[str, np.ndarray]:
    prefix = f"encoder.layer.{layer}."
    return {
        f"encoder.layer.{to}.{k[len(prefix) :]}": v
        for k, v in weights.items()
        if k.startswith(prefix)
    }


@pytest.mark.integration
def test_training_refuses_init_weights_tuning_layers_below_first(tmp_path, capsys) -> None:
    """python -m bench.train_reader --init <a reader tuning layers 2-11> with --first 8 would
    drop layers 2-7: a clear message before any work."""
    from bench.train_reader import main

    init = tmp_path / "reader.npz"
    np.savez(init, **{"encoder.layer.2.output.dense.bias": np.zeros(4, np.float16)})
    with pytest.raises(SystemExit) as stopped:
        main(["--init", str(init), "--first", "8", "--out", str(tmp_path / "out.npz")])
    assert stopped.value.code == 2
    assert "--first 2 or lower" in capsys.readouterr().err
    assert not (tmp_path / "out.npz").exists()
