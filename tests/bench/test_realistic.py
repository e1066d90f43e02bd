"""The realistic set (bench/realistic): every part passes its checker (each gold answer in its
article, the counts per kind, follow-ups with a history), and the trainers leave the held-out
part alone."""

from __future__ import annotations

import json

import pytest

from bench.realistic import check
from bench.realistic.parts import PARTS

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("part", PARTS, ids=[p.name for p in PARTS])
def test_each_part_passes_its_checker(part, capsys) -> None:
    check.problems.clear()
    assert check.check_part(part.articles, part.questions) == 0, capsys.readouterr().err


def test_the_checker_finds_a_gold_answer_missing_from_its_article(tmp_path, capsys) -> None:
    part = PARTS[0]
    lines = part.questions.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["answers"] = ["这段话不在任何文章里"]
    broken = tmp_path / "questions.jsonl"
    broken.write_text("\n".join([json.dumps(first, ensure_ascii=False), *lines[1:]]) + "\n")
    check.problems.clear()
    assert check.check_part(part.articles, broken) == 1
    assert first["id"] in capsys.readouterr().err
    check.problems.clear()


def test_a_held_out_part_is_kept_from_training_and_its_articles_are_new() -> None:
    held = [p for p in PARTS if not p.trained]
    assert held, "a realistic part is held out from the trainers"
    trained_text = "".join(p.articles.read_text(encoding="utf-8") for p in PARTS if p.trained)
    for part in held:
        for line in part.articles.read_text(encoding="utf-8").splitlines():
            assert json.loads(line)["title"] not in trained_text


def test_the_yes_no_labels_cover_every_yes_no_question() -> None:
    from bench.yes_no_check import LABELS, gold_sentence

    labels = {
        json.loads(line)["id"]: json.loads(line)["verdict"]
        for line in LABELS.read_text(encoding="utf-8").splitlines()
    }
    asked = {
        json.loads(line)["id"]
        for p in PARTS
        for line in p.questions.read_text(encoding="utf-8").splitlines()
        if json.loads(line).get("kind") == "yesno"
    }
    assert set(labels) == asked and set(labels.values()) <= {"是", "否", "不定"}
    text = "第一句。大桥已于5月通车，车流不大！第三句"
    assert gold_sentence(text, "已于5月通车") == "大桥已于5月通车，车流不大！"
