"""QAService: one question in, a cited answer out, with where its time went."""

from pathlib import Path

import numpy as np
import pytest

from corpus.model import Article
from index.store import build_index
from service.followup import Turn
from service.qa import MAX_ANSWERED_CHARS, QAService
from service.settings import Settings
from tests.index.older_formats import as_format_5


def test_timings_name_each_stage_and_add_up(seed_settings: Settings, fake_embedder) -> None:
    service = QAService.load(seed_settings, fake_embedder)
    result = service.ask("武陵区发放了多少笔创业担保贷款?")
    t = result.timings_ms
    assert set(t) == {"embed", "retrieve", "answer", "total"}
    assert all(v >= 0 for v in t.values())
    # embedding is part of retrieval; retrieval and answering make up the total
    assert t["embed"] <= t["retrieve"] <= t["total"]
    assert abs(t["retrieve"] + t["answer"] - t["total"]) <= 0.05


def test_top_k_bounds_the_passages(seed_settings: Settings, fake_embedder) -> None:
    service = QAService.load(seed_settings, fake_embedder)
    assert len(service.ask("武陵区就业", top_k=1).hits) == 1
    assert len(service.ask("武陵区就业", top_k=3).hits) == 3
    assert len(service.ask("武陵区就业").hits) == seed_settings.top_k == 5


def test_a_long_question_is_answered_from_its_start(seed_settings: Settings, fake_embedder) -> None:
    service = QAService.load(seed_settings, fake_embedder)
    question = "武陵区发放了多少笔创业担保贷款?" + "啊" * 1000
    result = service.ask(question)
    assert result.question == question[:MAX_ANSWERED_CHARS]
    assert "122" in result.answer.text


def test_a_format_5_index_gives_the_same_answers_and_passages(
    seed_settings: Settings, fake_embedder
) -> None:
    """Passages stored with their texts (format 5) serve as the article slices of format 6."""
    questions = ("武陵区发放了多少笔创业担保贷款?", "创业培训多少人?", "南极洲的企鹅有多少只?")
    service = QAService.load(seed_settings, fake_embedder)
    before = [service.ask(q) for q in questions]
    as_format_5(seed_settings.data_dir)
    old = QAService.load(seed_settings, fake_embedder)
    assert old.index.manifest.format_version == 5
    for question, now in zip(questions, before, strict=True):
        answered = old.ask(question)
        assert answered.answer == now.answer
        assert [h.chunk for h in answered.hits] == [h.chunk for h in now.hits]


def test_a_follow_up_about_a_thing_only_the_title_names_abstains(tmp_path, fake_embedder) -> None:
    """那割草机器人呢: a sentence about the S9 in an article whose title names the mower does not
    answer for the mower."""
    article = Article(
        "r1",
        "星尘发布S9扫地机器人和割草机器人",
        "星尘智能昨日发布新品。S9扫地机器人首发价格为3999元，9月20日开售。两款产品均支持语音控制。",
    )
    data = tmp_path / "data"
    build_index([article], fake_embedder, data)
    settings = Settings(data_dir=data, cache_dir=tmp_path / "cache", min_confidence=0.0)
    service = QAService.load(settings, fake_embedder)
    history = [Turn("user", "S9扫地机器人首发价多少？"), Turn("assistant", "3999元[1]")]
    first = service.ask("S9扫地机器人首发价多少？")
    assert not first.answer.abstained and "3999元" in first.answer.text
    result = service.ask("那割草机器人呢？", history)
    assert "割草机器人首发价" in result.question
    assert result.answer.abstained


def test_a_follow_up_rewritten_from_the_turns_is_judged_as_rewritten(
    seed_settings: Settings, fake_embedder, monkeypatch
) -> None:
    """The decision reads a follow-up rewritten against earlier turns with a lower bar
    (service.reading.bars): the answer picker is told which questions were rewritten."""
    import service.qa

    told: list[bool] = []
    real = service.qa.answer_question

    def answer_question(*args, **kwargs):
        told.append(kwargs["rewritten"])
        return real(*args, **kwargs)

    monkeypatch.setattr(service.qa, "answer_question", answer_question)
    service = QAService.load(seed_settings, fake_embedder)
    history = [Turn("user", "武陵区发放了多少笔创业担保贷款?"), Turn("assistant", "122笔。")]
    assert service.ask("那鼎城区呢?", history).question != "那鼎城区呢?"
    asked_whole = "鼎城区发放了多少笔创业担保贷款?"
    assert service.ask(asked_whole, history).question == asked_whole
    assert service.ask(asked_whole).question == asked_whole
    assert told == [True, False, False]


@pytest.mark.unit
def test_the_service_reads_with_the_reader_paired_with_the_siblings_reader(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from index.embedder import E5Embedder
    from service import qa
    from service import reader as reader_module
    from service.reader import READER_WEIGHTS, SIBLINGS_WEIGHTS, Reading
    from service.short_answer import Span

    loaded: list[tuple[object, Path, bool]] = []

    class Recorded:
        def __init__(self, weights: Path) -> None:
            # the reader: 句子 scores 5 over no answer (token 0); the siblings reader: -1
            own = [[0.0, 0.0], [3.0, 0.0], [0.0, 2.0]] if weights == READER_WEIGHTS else None
            self.found = np.array(own or [[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])

        def logits(self, question: str, sentence: str, lead: str = ""):
            return {1: (0, 1), 2: (1, 2)}, self.found

    def reader_for(encoder: object, weights: Path = READER_WEIGHTS, int8: bool = False) -> Recorded:
        loaded.append((encoder, weights, int8))
        return Recorded(weights)

    monkeypatch.setattr(qa, "reader_for", reader_for)
    monkeypatch.delenv("WENDA_READER_INT8", raising=False)
    monkeypatch.setattr(reader_module, "cpu_has_int8_dot", lambda: True)
    service = QAService.__new__(QAService)  # no index: only its reader is asked for
    service.settings = Settings(reader=True)
    service.embedder = E5Embedder(tmp_path)
    encoder = service.embedder._questions = object()  # the question encoder the readers run on
    service._read = None
    read = service.read()
    assert read is not None and service.read() is read  # built once
    # WENDA_READER_INT8=auto (the default): both in 8-bit integer products where the CPU has
    # int8 dot products (this one, as patched), else float32; true and false as they say
    assert service.settings.reader_int8 == "auto"
    assert loaded == [(encoder, READER_WEIGHTS, True), (encoder, SIBLINGS_WEIGHTS, True)]
    assert read("问", "句子", "") == Reading(Span(0, 2), 5.0, 0.0, sibling=-1.0)
    monkeypatch.setattr(reader_module, "cpu_has_int8_dot", lambda: False)
    for setting, int8 in (("auto", False), (True, True), (False, False)):
        service.settings, service._read = Settings(reader_int8=setting), None
        service.read()
        assert loaded[-2:] == [(encoder, READER_WEIGHTS, int8), (encoder, SIBLINGS_WEIGHTS, int8)]
    service.settings, service._read = Settings(reader=False), None
    assert service.read() is None  # WENDA_READER=false: neither
