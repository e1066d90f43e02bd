"""The reading stage (service/reading.py): the reader's margin on the best unit (and on a close
runner-up) joins the abstention decision, the likelier of the two is cited, and compose_answer
takes that unit's fact from the same reading."""

import math
from dataclasses import replace

import numpy as np
import pytest

from corpus.model import Chunk
from index.backend import Hit
from service.answer import (
    AnswerSettings,
    Candidate,
    compose_answer,
)
from service.answer_model import SIBLING_MARGIN, STAGE, Logistic, ReadModel, load_model
from service.evidence import names_only
from service.features import decision_features
from service.reader import Reading
from service.reading import (
    LEAD_CHARS,
    RIVAL_GAP,
    UNREAD_MARGIN,
    bars,
    contenders,
    facts_by,
    lead,
    paired,
    read_confidence,
    read_features,
)
from service.short_answer import Span

pytestmark = pytest.mark.unit


def unit(text: str, start: int, score: float) -> Candidate:
    chunk = Chunk("c", "d", "标题", text, start, start + len(text))
    hit = Hit(chunk, 1.0, 1.0, 0.9)
    return Candidate(
        0, hit, start, start + len(text), text, 0.5, 0.0, 0.0, 0.5, 0.0, 0.0, 0.9, score=score
    )


def on_margin(weight: float = 1.0) -> ReadModel:
    """A stage that weighs the reader's margin alone, abstaining below probability 0.5."""
    return ReadModel(Logistic(("read_margin",), (weight,), (0.0,), (1.0,), 0.0), 0.5)


FIRST = unit("三号线全长32.5公里。", 0, 2.0)
SECOND = unit("四号线计划明年开通。", 20, 1.0)


def test_the_readers_margin_joins_the_evidence() -> None:
    assert read_features({"coverage": 0.5}, 3.0) == {"coverage": 0.5, "read_margin": 3.0}
    stage = on_margin()
    sure = read_confidence(stage, {}, Reading(Span(0, 2), 4.0, 0.0))
    assert sure == pytest.approx(1 / (1 + math.exp(-4.0)))
    assert read_confidence(stage, {}, Reading(None, 1.0, 3.0)) < 0.5
    # a unit the reader cannot read counts as UNREAD_MARGIN
    assert read_confidence(stage, {}, None) == pytest.approx(1 / (1 + math.exp(-UNREAD_MARGIN)))


def on_both_margins() -> ReadModel:
    """A stage that weighs the reader's margin, then weighs that logit and the siblings
    reader's margin alike, abstaining below probability 0.5."""
    siblings = Logistic((STAGE, SIBLING_MARGIN), (1.0, 1.0), (0.0, 0.0), (1.0, 1.0), 0.0)
    return replace(on_margin(), siblings=siblings, siblings_threshold=0.7)


def test_the_siblings_readers_margin_weighs_in_when_the_stage_has_it() -> None:
    stage = on_both_margins()
    # the reader is sure, the siblings reader reads a neighbour's fact: below the bar
    neighbour = Reading(Span(0, 2), 4.0, 0.0, sibling=-6.0)
    assert read_confidence(stage, {}, neighbour) == pytest.approx(1 / (1 + math.exp(2.0)))
    assert read_confidence(on_margin(), {}, neighbour) > 0.5  # a stage without it: not heard
    # not read by the siblings reader: the reader's own margin stands in for it
    assert read_confidence(stage, {}, Reading(Span(0, 2), 4.0, 0.0)) == pytest.approx(
        1 / (1 + math.exp(-8.0))
    )
    # neither read: UNREAD_MARGIN for both (a stage weighing the siblings reader's alone)
    alone = replace(stage, siblings=replace(stage.siblings, weights=(0.0, 1.0), bias=-1.0))
    assert read_confidence(alone, {}, None) == pytest.approx(
        1 / (1 + math.exp(1.0 - UNREAD_MARGIN))
    )


class Scored:
    """A reader giving these logits [tokens, 2] to every sentence (None: it cannot read one),
    its tokens 1-3 the sentence's characters two by two (or spans of its own), recording what
    it read."""

    def __init__(
        self,
        logits: list[list[float]] | None,
        calls: list[str],
        spans: dict[int, tuple[int, int]] | None = None,
    ) -> None:
        self.found = None if logits is None else np.array(logits, dtype=np.float32)
        self.calls = calls
        self.spans = spans or {1: (0, 2), 2: (2, 4), 3: (4, 6)}

    def logits(self, question: str, sentence: str, headline: str = ""):
        self.calls.append(f"{question}|{sentence}|{headline}")
        return None if self.found is None else (self.spans, self.found)


def test_paired_readings_carry_the_siblings_margin_and_the_span_both_find_likeliest() -> None:
    calls: list[str] = []
    # the reader: 北京 (3 + 3) over 北京上海广州 (3 + 2.5); the siblings reader: 广州 (3 + 3)
    # over the same (2.5 + 3); averaged, the whole run (2.75 + 2.75) over either
    reader = Scored([[0, 0], [3, 3], [0, 0], [0, 2.5]], calls)
    siblings = Scored([[1, 1], [2.5, 0], [0, 0], [3, 3]], calls)
    read = paired(reader, siblings)("问", "北京上海广州", "标题")
    # the reader's own margin (6 - 0), the siblings reader's (6 - 2), the span of their average
    assert read == Reading(Span(0, 6), 6.0, 0.0, sibling=4.0)
    assert calls == ["问|北京上海广州|标题"] * 2  # the same question, sentence and lead
    alone = Reading(Span(0, 2), 6.0, 0.0)
    assert paired(reader, Scored(None, calls))("问", "北京上海广州", "") == alone
    assert paired(Scored(None, calls), siblings)("问", "北京上海广州", "") is None
    # read as other tokens (a reader trained without leads): its margin, not its logits
    apart = Scored([[1, 1], [0, 0], [3, 3]], calls, spans={1: (0, 3), 2: (3, 6)})
    assert paired(reader, apart)("问", "北京上海广州", "") == alone._replace(sibling=4.0)


def test_a_stage_with_the_siblings_reader_round_trips_through_json() -> None:
    stage = on_both_margins()
    assert ReadModel.from_json(stage.to_json()) == stage
    assert "siblings" not in on_margin().to_json()
    # the bar is the siblings model's; the stage keeps its own (bench.train_siblings reads it)
    assert (stage.bar, on_margin().bar) == (0.7, 0.5)
    shipped = load_model().read
    assert shipped is not None and shipped.siblings is not None
    assert shipped.siblings.names == (STAGE, SIBLING_MARGIN)
    assert shipped.bar == shipped.siblings_threshold != shipped.threshold
    # the higher the siblings reader's margin, the surer the shipped decision
    low, high = ({STAGE: 0.0, SIBLING_MARGIN: m} for m in (-5.0, 5.0))
    assert shipped.siblings.logit(low) < shipped.siblings.logit(high)


def reader_of(found: Reading | None, calls: list[str], **by_sentence: Reading | None):
    """A reader finding `found` in every sentence but those of by_sentence (keyed by the
    units' names here: FIRST, SECOND)."""
    texts = {UNITS[name].text: reading for name, reading in by_sentence.items()}

    def read(question: str, sentence: str, headline: str) -> Reading | None:
        assert headline == "标题"  # each unit is read after its own article's headline
        calls.append(sentence)
        return texts.get(sentence, found)

    return read


UNITS = {"FIRST": FIRST, "SECOND": SECOND}
READ_BOTH = sorted([FIRST.text, SECOND.text])  # SECOND scores within RIVAL_GAP of FIRST


def answer(read, model, settings: AnswerSettings | None = None, question: str = "哪条线最长?"):
    return compose_answer(question, [FIRST, SECOND], model, settings or AnswerSettings(), read)


def test_compose_answer_abstains_when_the_reader_finds_no_answer_in_the_best_unit() -> None:
    model = replace(load_model(), read=on_margin())
    calls: list[str] = []
    assert answer(reader_of(Reading(None, -3.0, 2.0), calls), model).abstained
    assert sorted(calls) == READ_BOTH  # the best unit and its close runner-up are read
    # the same units with a reader sure of its span: answered
    assert not answer(reader_of(Reading(Span(0, 3), 5.0, 0.0), []), model).abstained


def test_compose_answer_takes_the_fact_from_the_reading_it_made() -> None:
    model = replace(load_model(), read=on_margin())
    calls: list[str] = []
    found = answer(reader_of(Reading(Span(0, 3), 5.0, 0.0), calls), model)
    assert not found.abstained
    assert found.short is not None and found.short.text == "三号线"
    assert sorted(calls) == READ_BOTH  # the fact came from the decision's own reading


def test_the_runner_up_is_cited_when_the_reader_is_surer_of_it() -> None:
    model = replace(load_model(), read=on_margin())
    unsure = Reading(None, -3.0, 2.0)
    sure = Reading(Span(0, 3), 5.0, 0.0)
    found = answer(reader_of(unsure, [], SECOND=sure), model)
    assert not found.abstained
    assert found.citations[0].text == SECOND.text
    assert found.short is not None and found.short.text == "四号线"
    # equally sure of both: the picker's best leads
    tie = answer(reader_of(sure, []), model)
    assert tie.citations[0].text == FIRST.text


def test_a_runner_up_clearing_the_bar_stands_in_for_a_best_that_tells_a_neighbours_fact() -> None:
    # 老馆 asked: the likeliest unit opens with 新馆, so its figure is 新馆's (own_fact)
    # 新馆 holds a question term 老馆's unit does not: passed over, it is not cited second either
    new_hall = replace(
        unit("新馆建筑面积3万平方米，设阅览座位2000个。", 0, 2.0), found=frozenset({"馆"})
    )
    old_hall = unit("老馆仍设阅览座位600个。", 30, 1.5)
    model = replace(load_model(), read=on_margin())
    sure, surer = Reading(Span(17, 22), 3.0, 0.0), Reading(Span(7, 11), 4.0, 0.0)
    texts = {new_hall.text: surer, old_hall.text: sure}

    def read(question: str, sentence: str, headline: str) -> Reading | None:
        return texts[sentence]

    found = compose_answer(
        "老馆有多少个阅览座位?", [new_hall, old_hall], model, AnswerSettings(), read
    )
    assert not found.abstained and [c.text for c in found.citations] == [old_hall.text]
    assert found.short is not None and found.short.text == "600个"
    assert found.confidence == pytest.approx(1 / (1 + math.exp(-3.0)), abs=1e-4)
    # under the bar, the runner-up does not stand in: no answer
    texts[old_hall.text] = Reading(Span(7, 11), -1.0, 0.0)
    doubted = compose_answer(
        "老馆有多少个阅览座位?", [new_hall, old_hall], model, AnswerSettings(), read
    )
    assert doubted.abstained and doubted.confidence == pytest.approx(
        1 / (1 + math.exp(-4.0)), abs=1e-4
    )


def test_a_runner_up_that_answers_another_question_is_not_read() -> None:
    # 门票多少钱? asks a price: a unit telling a count of visitors answers another question
    price = unit("景区门票价格为60元。", 0, 2.0)
    visitors = unit("景区去年接待游客41.2万人次。", 20, 1.5)
    model = replace(load_model(), read=on_margin())
    calls: list[str] = []
    unsure = Reading(Span(6, 9), 1.0, 0.0)
    found = compose_answer(
        "景区门票多少钱?",
        [price, visitors],
        model,
        AnswerSettings(),
        reader_of(unsure, calls, **{}),
    )
    assert contenders("景区门票多少钱?", [price, visitors]) == [price]
    assert calls == [price.text] and found.citations[0].text == price.text


def test_the_picker_best_the_stage_passed_over_is_no_second_citation() -> None:
    model = replace(load_model(), read=on_margin())
    # each holds a question term the other does not: either could be cited second
    first = replace(FIRST, found=frozenset({"三号线"}))
    second = replace(SECOND, found=frozenset({"四号线"}))
    unsure = Reading(None, -3.0, 2.0)
    sure = Reading(Span(0, 3), 5.0, 0.0)
    read = reader_of(unsure, [], SECOND=sure)
    found = compose_answer("哪条线最长?", [first, second], model, AnswerSettings(), read)
    assert [c.text for c in found.citations] == [SECOND.text]
    # the picker's best, read surer, leads and the runner-up is cited second
    both = compose_answer(
        "哪条线最长?", [first, second], model, AnswerSettings(), reader_of(sure, [])
    )
    assert [c.text for c in both.citations] == [FIRST.text, SECOND.text]


def test_a_runner_up_scored_far_below_the_best_is_not_read() -> None:
    far = replace(SECOND, score=FIRST.score - RIVAL_GAP - 0.1)
    assert contenders("哪条线最长?", [FIRST, far]) == [FIRST]
    assert contenders("哪条线最长?", [FIRST, SECOND]) == [FIRST, SECOND]
    assert contenders("哪条线最长?", [FIRST]) == [FIRST]
    model = replace(load_model(), read=on_margin())
    calls: list[str] = []
    sure = Reading(Span(0, 3), 5.0, 0.0)
    unsure = Reading(None, -3.0, 2.0)
    found = compose_answer(
        "哪条线最长?", [FIRST, far], model, AnswerSettings(), reader_of(unsure, calls, SECOND=sure)
    )
    assert found.abstained and calls == [FIRST.text]


def test_the_reader_reads_the_question_as_each_sentence_says_its_words() -> None:
    landed = unit("台风于9日在凤埕县沿海登陆。", 0, 2.0)
    ashore = unit("渔排人员全部上岸。", 20, 1.5)
    asked: dict[str, str] = {}

    def read(question: str, sentence: str, headline: str) -> Reading | None:
        asked[sentence] = question
        return Reading(Span(5, 8), 3.0, 0.0)

    model = replace(load_model(), read=on_margin())
    compose_answer("台风在哪里上岸?", [landed, ashore], model, AnswerSettings(), read)
    # 上岸 read as 登陆 in the sentence saying 登陆, and as itself in the one saying it
    assert asked == {landed.text: "台风在哪里登陆?", ashore.text: "台风在哪里上岸?"}


def test_a_confidence_bar_set_by_the_user_overrides_the_stages_own() -> None:
    model = replace(load_model(), read=on_margin())
    sure = reader_of(Reading(Span(0, 3), 3.0, 0.0), [])
    assert answer(sure, model, AnswerSettings(min_confidence=0.99)).abstained
    doubtful = reader_of(Reading(None, 0.0, 3.0), [])
    assert not answer(doubtful, model, AnswerSettings(min_confidence=0.0)).abstained


def test_without_a_reader_or_a_stage_the_decision_is_the_answer_models_own() -> None:
    base = replace(load_model(), read=None)
    evidence = decision_features("哪条线最长?", [FIRST, SECOND])
    own = round(base.answer_probability(evidence), 4)
    staged = replace(base, read=on_margin(100.0))
    calls: list[str] = []
    doubtful = reader_of(Reading(Span(0, 3), -9.0, 9.0), calls)
    # WENDA_READER=false: a model with a stage, no reader
    assert answer(None, staged).confidence == own
    # a reader, a model without a stage: the reader only finds the fact
    found = answer(doubtful, base)
    assert found.confidence == own and calls in ([], [FIRST.text])
    assert answer(doubtful, staged).confidence < 1e-6  # the stage does weigh the margin


def test_a_unit_not_yet_read_is_read_when_its_fact_is_wanted() -> None:
    calls: list[str] = []
    first = Reading(Span(0, 3), 1.0, 0.0)
    fact_of = facts_by(reader_of(Reading(Span(0, 2), 1.0, 0.0), calls), "?", {FIRST.text: first})
    assert fact_of(FIRST)("?", FIRST.text) == Span(0, 3) and calls == []
    assert fact_of(SECOND)("?", SECOND.text) == Span(0, 2) and calls == [SECOND.text]
    unread = facts_by(reader_of(None, []), "?")
    assert unread(SECOND)("?", SECOND.text) is None


def test_a_doubtful_yes_no_answer_stands_only_when_its_fact_says_yes_or_no() -> None:
    model = replace(load_model(), read=on_margin())  # confidence: the margin's logistic
    free = unit("该馆实行免费开放。", 0, 2.0)
    closed = unit("该馆每周一闭馆。", 0, 2.0)
    asked = "去图书馆看书要花钱吗?"

    def ask(best: Candidate, margin: float, question: str = asked):
        read = reader_of(Reading(Span(4, 8), margin, 0.0), [])
        return compose_answer(question, [best], model, AnswerSettings(), read)

    doubtful = ask(free, -0.5)  # 0.38: under the stage's bar of 0.5, over half of it
    assert 0.25 <= doubtful.confidence < 0.5
    assert not doubtful.abstained and doubtful.text.startswith("否。")
    assert ask(closed, -0.5).abstained  # its fact says neither
    assert ask(free, -1.5).abstained  # 0.18: under half the bar
    assert ask(free, -0.5, "该馆实行什么制度?").abstained  # not a yes/no question
    assert not ask(closed, 0.5).abstained  # over the bar: answered without a verdict
    # a 是 only because the phrase holds what is asked does not stand a doubted answer
    opened = unit("新馆每周二至周日开放。", 0, 2.0)
    read = reader_of(Reading(Span(2, 10), -0.5, 0.0), [])
    assert compose_answer("新馆周日开放吗?", [opened], model, AnswerSettings(), read).abstained
    read = reader_of(Reading(Span(2, 10), 0.5, 0.0), [])
    sure = compose_answer("新馆周日开放吗?", [opened], model, AnswerSettings(), read)
    assert sure.text.startswith("是。")


def test_the_bar_is_lower_for_a_follow_up_a_question_naming_only_what_it_asks_and_a_decided_yes_or_no() -> (
    None
):
    assert bars(0.5, "哪条线最长?", False) == (0.5, 0.5)
    assert bars(0.5, "哪条线最长?", True) == pytest.approx((0.35, 0.35))
    assert bars(0.5, "三号线最长吗?", False) == (0.5, 0.25)
    assert bars(0.5, "三号线最长吗?", True) == pytest.approx((0.35, 0.175))
    assert bars(0.5, "三号线全长?", False) == pytest.approx((0.35, 0.35))
    assert bars(0.5, "三号线全长?", True) == pytest.approx((0.35, 0.35))  # the lower share
    assert bars(0.5, "三号线全长?", True, 0.9) == (0.9, 0.9)  # the user's bar is a floor
    model = replace(load_model(), read=on_margin())
    read = reader_of(Reading(Span(0, 3), -0.2, 0.0), [])  # confidence 0.45
    rewritten = compose_answer("哪条线最长?", [FIRST], model, AnswerSettings(), read, True)
    assert not rewritten.abstained and 0.35 <= rewritten.confidence < 0.5
    assert compose_answer("哪条线最长?", [FIRST], model, AnswerSettings(), read).abstained


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("新馆座位数?", True),
        ("东院区地址？", True),
        ("电诈案审判长？", True),
        ("新馆有多少个座位?", False),  # a question word
        ("新馆开放了吗?", False),  # yes/no
        ("那新馆呢?", False),
        ("新馆建筑面积有多大?", False),
        ("台北县推出免费公车的目的为？", False),  # a copula last, not a noun
        ("飞机以多快的速度冲出了跑道？", False),
        ("新馆是否收费?", False),  # yes/no
        ("张三?", False),  # a name alone asks nothing
    ],
)
def test_a_question_naming_only_what_it_asks(question: str, named: bool) -> None:
    assert names_only(question) is named


@pytest.mark.parametrize(
    ("before", "said"),
    [
        # the sentence before, within the paragraph; a paragraph's first sentence has none
        ("新馆去年开工。该馆由王澍设计。", "江城图书馆。该馆由王澍设计"),
        ("新馆去年开工。\n", "江城图书馆"),
        ("", "江城图书馆"),
        # at most LEAD_CHARS of it, whole words from its end
        ("据悉" + "新馆藏书量达到三百万册" * 8 + "。", None),
    ],
)
def test_a_unit_is_read_after_its_headline_and_the_sentence_before_it(
    before: str, said: str | None
) -> None:
    read = lead("江城图书馆", before)
    if said is not None:
        assert read == said
    else:
        tail = read.removeprefix("江城图书馆。")
        assert read.startswith("江城图书馆。") and 0 < len(tail) <= LEAD_CHARS
        assert before.rstrip("。").endswith(tail) and "据悉" not in tail
