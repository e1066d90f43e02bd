"""QAService: one question in, a cited answer out, with where its time went."""

from service.qa import MAX_ANSWERED_CHARS, QAService
from service.settings import Settings


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
