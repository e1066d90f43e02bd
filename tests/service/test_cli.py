import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main


def test_index_dry_run_reads_the_bundled_corpus_and_builds_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["index", "--dry-run", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "4 articles read" in result.output
    assert not (tmp_path / "index").exists()


def test_index_dry_run_shows_articles_and_their_repairs(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["index", "--dry-run", "--show-articles", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert (
        "为担道义敢息肩" in result.output
        and "安化县水利局六项举措优化水利营商环境" in result.output
    )


def test_missing_corpus_is_a_message_and_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["index", "--corpus", str(tmp_path / "nope"), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "does not exist" in result.output and "Traceback" not in result.output


def test_bad_jsonl_corpus_is_a_message_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    result = CliRunner().invoke(
        main, ["index", "--corpus", str(bad), "--data-dir", str(tmp_path / "d")]
    )
    assert result.exit_code == 2 and "bad.jsonl:1" in result.output


def test_ask_without_index_says_what_to_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ask", "有吗?", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "wenda index" in result.output


def test_ask_rejects_an_empty_question(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ask", "  ", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "empty" in result.output


def test_eval_rejects_a_malformed_questions_file(tmp_path: Path) -> None:
    qs = tmp_path / "q.jsonl"
    qs.write_text(json.dumps({"question": "缺少id"}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(qs), "--data-dir", str(tmp_path / "d")])
    assert result.exit_code == 2 and "q.jsonl:1" in result.output


@pytest.fixture
def fake_cli(monkeypatch: pytest.MonkeyPatch, fake_embedder) -> CliRunner:
    """The CLI with the fake embedder instead of the real model."""
    monkeypatch.setattr("service.cli.ready_embedder", lambda settings: fake_embedder)
    return CliRunner()


def custom_corpus(folder: Path) -> Path:
    folder.mkdir()
    (folder / "port.txt").write_text(
        "海川港新航线开通\n本报通讯员 李明 张晓\n2024-07-08 来源:海川日报\n"
        "7月6日,海川港至新加坡的集装箱航线正式开通,首航船舶载货1200标准箱。\n",
        encoding="utf-8",
    )
    (folder / "rice.md").write_text(
        "# 青禾镇举办稻香节\n\n记者 赵丽\n\n稻香节吸引游客两万三千余人。\n", encoding="utf-8"
    )
    return folder


def test_dry_run_shows_plain_articles_titles_bylines_and_dates_in_their_own_fields(
    tmp_path: Path,
) -> None:
    corpus = custom_corpus(tmp_path / "news")
    result = CliRunner().invoke(
        main, ["index", "--dry-run", "--show-articles", "--corpus", str(corpus)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "=== port  海川港新航线开通" in lines and "=== rice  青禾镇举办稻香节" in lines
    assert "byline: 李明 张晓" in lines and "byline: 赵丽" in lines
    assert "date: 2024-07-08" in lines and "source: 海川日报" in lines


def test_index_add_remove_and_sync_change_only_what_changed(tmp_path: Path, fake_cli) -> None:
    corpus, data = custom_corpus(tmp_path / "news"), str(tmp_path / "d")
    first = fake_cli.invoke(main, ["index", "--corpus", str(corpus), "--data-dir", data])
    assert first.exit_code == 0 and "2 added" in first.output, first.output
    extra = tmp_path / "bridge.txt"
    extra.write_text("石岭大桥通车\n大桥全长1.6公里。\n", encoding="utf-8")
    added = fake_cli.invoke(main, ["add", str(extra), "--data-dir", data])
    assert added.exit_code == 0 and "1 added" in added.output and "2 unchanged" in added.output
    removed = fake_cli.invoke(main, ["remove", "rice", "--data-dir", data])
    assert removed.exit_code == 0 and "1 removed" in removed.output
    unknown = fake_cli.invoke(main, ["remove", "nope", "--data-dir", data])
    assert unknown.exit_code == 2 and "nope" in unknown.output
    # the corpus folder's state again: rice back, bridge (not in the folder) gone
    synced = fake_cli.invoke(main, ["index", "--corpus", str(corpus), "--data-dir", data])
    assert "1 added, 0 replaced, 1 removed, 1 unchanged" in synced.output, synced.output
    manifest = json.loads((tmp_path / "d" / "index" / "manifest.json").read_text())
    assert manifest["corpus_paths"] == [str(corpus.resolve())] and manifest["articles"] == 2


def test_if_missing_and_eval_leave_a_custom_index_byte_identical(tmp_path: Path, fake_cli) -> None:
    corpus, data = custom_corpus(tmp_path / "news"), tmp_path / "d"
    fake_cli.invoke(main, ["index", "--corpus", str(corpus), "--data-dir", str(data)])
    manifest = (data / "index" / "manifest.json").read_bytes()
    kept = fake_cli.invoke(main, ["index", "--if-missing", "--data-dir", str(data)])
    assert kept.exit_code == 0 and "left as it is" in kept.output
    qs = tmp_path / "q.jsonl"
    qs.write_text(
        json.dumps(
            {
                "id": "q1",
                "question": "首航船舶载货多少标准箱?",
                "answers": ["1200"],
                "answerable": True,
            }
        )
        + "\n",
        encoding="utf-8",
    )
    evaluated = fake_cli.invoke(main, ["eval", str(qs), "--data-dir", str(data), "--json"])
    assert evaluated.exit_code == 0, evaluated.output
    assert (data / "index" / "manifest.json").read_bytes() == manifest
    # eval of another corpus builds into the data dir's eval/ folder, sharing its cache
    other = fake_cli.invoke(
        main, ["eval", str(qs), "--data-dir", str(data), "--corpus", str(corpus / "port.txt")]
    )
    assert other.exit_code == 0, other.output
    assert (data / "index" / "manifest.json").read_bytes() == manifest
    assert len(list((data / "eval").glob("*/index/manifest.json"))) == 1
    assert [p.name for p in (data / "cache").iterdir()] == ["embeddings-fake-bigram.sqlite"]


def test_if_missing_rebuilds_an_index_built_another_way_from_its_own_articles(
    tmp_path: Path, fake_cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import index.store

    corpus, data = custom_corpus(tmp_path / "news"), tmp_path / "d"
    current = index.store.build_config

    def older(model: str, dim: int, index_type: str) -> dict:  # as an older wenda recorded it
        return {**current(model, dim, index_type), "chunking": "older-rules/v0"}

    monkeypatch.setattr(index.store, "build_config", older)
    fake_cli.invoke(main, ["index", "--corpus", str(corpus), "--data-dir", str(data)])
    monkeypatch.undo()
    path = data / "index" / "manifest.json"
    raw = json.loads(path.read_text())
    rebuilt = fake_cli.invoke(main, ["index", "--if-missing", "--data-dir", str(data)])
    assert rebuilt.exit_code == 0 and "rebuilding its articles" in rebuilt.output
    after = json.loads(path.read_text())
    assert after["build_params"]["chunking"] != "older-rules/v0"
    assert after["generation"] != raw["generation"] and after["corpus_paths"] == raw["corpus_paths"]
    assert after["corpus_hash"] == raw["corpus_hash"]  # its own articles, not the bundled corpus
    kept = fake_cli.invoke(main, ["index", "--if-missing", "--data-dir", str(data)])
    assert "left as it is" in kept.output


def test_version_and_busy_port(tmp_path: Path) -> None:
    version = CliRunner().invoke(main, ["--version"])
    assert version.exit_code == 0 and version.output.startswith("wenda, version")
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            main, ["serve", "--port", str(port), "--data-dir", str(tmp_path)]
        )
    assert result.exit_code == 2 and "already in use" in result.output


def test_eval_with_a_model_puts_generated_beside_extractive(tmp_path: Path, fake_cli) -> None:
    from tests.conftest import free_port

    corpus, data = custom_corpus(tmp_path / "news"), tmp_path / "d"
    fake_cli.invoke(main, ["index", "--corpus", str(corpus), "--data-dir", str(data)])
    qs = tmp_path / "q.jsonl"
    rows = [
        {"id": "a", "question": "首航船舶载货多少标准箱?", "answers": ["1200"], "answerable": True},
        {
            "id": "b",
            "question": "稻香节吸引游客多少人?",
            "answers": ["两万三千"],
            "answerable": True,
        },
        {"id": "c", "question": "大桥全长多少公里?", "answers": [], "answerable": False},
    ]
    qs.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    plain = fake_cli.invoke(main, ["eval", str(qs), "--data-dir", str(data), "--json"])
    down = f"http://127.0.0.1:{free_port()}/v1"  # a model that is down
    args = ["eval", str(qs), "--data-dir", str(data), "--llm", down, "--llm-model", "m"]
    result = fake_cli.invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output.strip().splitlines()[-1])
    generated = figures.pop("generated")
    without = json.loads(plain.output.strip().splitlines()[-1])
    without.pop("by_kind")
    for name in ("answer_hit", "citation_support", "wrong_when_answering", "questions"):
        assert figures[name] == without[name], name
    assert generated["model"] == "m" and generated["answered_by_model"] == 0.0
    assert generated["model_failed"] >= 1 and generated["drafts"] == 0
    assert generated["answer_hit"] == figures["answer_hit"]  # the extractive answers stood
    table = fake_cli.invoke(main, [*args, "--sample", "2"])
    assert table.exit_code == 0, table.output
    assert "| extractive | 2 |" in table.output and "| generated | 2 |" in table.output
    assert "first token p50 ms" in table.output


def test_the_cli_starts_without_loading_the_index_or_model_libraries() -> None:
    import subprocess
    import sys

    heavy = ["faiss", "bm25s", "scipy", "jieba", "torch", "sentence_transformers", "numpy"]
    code = f"import sys, service.cli; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_dry_run_titles_a_plain_article_without_headline_by_its_first_sentence(
    tmp_path: Path,
) -> None:
    bridge = tmp_path / "bridge.txt"
    bridge.write_text(
        "12月28日上午9时,石岭县第一座跨江大桥正式通车,全长1.6公里,总投资9.8亿元。\n"
        "大桥通车后,两岸通行时间由40分钟缩短为5分钟。\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main, ["index", "--dry-run", "--show-articles", "--corpus", str(bridge)]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "=== bridge  石岭县第一座跨江大桥正式通车,全长1.6公里" in lines
    assert not [line for line in lines if line.startswith(("byline:", "date:"))]
    assert "12月28日上午9时,石岭县第一座跨江大桥正式通车" in result.output  # the body keeps it


def test_index_offers_every_vector_index_the_store_builds() -> None:
    from index.vectors import INDEX_TYPES

    command = main.commands["index"]
    choice = next(p for p in command.params if p.name == "index_type").type
    assert set(choice.choices) == set(INDEX_TYPES)
