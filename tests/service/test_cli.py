import json
from pathlib import Path

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
