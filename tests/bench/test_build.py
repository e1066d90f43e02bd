"""bench/perf/build.py's embedding-throughput section: what a build embeds, and the figures
rendered from the JSON record `make bench` keeps."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from bench.perf.build import BuildRow, EncodingSpeed, build_texts, encoding_lines
from corpus.model import Article

ARTICLES = [
    Article("a", "武陵区就业", "武陵区发放创业担保贷款122笔。全区新增就业3200人。"),
    Article("b", "", "冷水江市被称为湖南的锑都。它的锑产量居世界前列。"),
]


def test_a_build_embeds_each_passage_then_each_answer_unit_once() -> None:
    texts, passages = build_texts(ARTICLES)
    assert passages == 2
    assert texts[0].startswith("武陵区就业\n") and len(set(texts)) == len(texts)
    assert any(t.endswith("全区新增就业3200人。") for t in texts[passages:])


def test_the_section_gives_the_ratio_best_turn_against_best_turn() -> None:
    speed = EncodingSpeed(100, 4000, 20, 170, 1, "float32")
    speed.plain_s, speed.ours_s = [10.0, 8.0], [9.0, 10.0]
    speed.plain_cpu_s, speed.ours_cpu_s = [8.0, 7.5], [7.6, 8.0]
    cold = BuildRow("cold", 5, 20, 170, 60.0, 50.0)
    record = {**asdict(speed), "cold": asdict(cold)}
    text = "\n".join(encoding_lines(record, "cmd"))
    assert speed.ratio == pytest.approx(8.0 / 9.0)
    assert "**0.89×**" in text and "8.5 texts per passage" in text
    assert "empty cache: 60 s" in text and "3.4 texts/s" in text
