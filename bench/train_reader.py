"""Train the span reader (service/reader_model.npz) on the public CMRC 2018 and DRCD questions.

Each answerable question is paired with the answer unit (corpus.chunking.answer_spans) that holds
its answer's first occurrence in its article, the answer's characters marked as tokens through
the encoder's own tokenizer (UnigramTokenizer.pieces, as the service reads). e5-small's layers up
to --first run once, frozen, over every pair; the layers from --first on are fine-tuned with a
start/end head on top. Questions of the articles that `make eval` samples (bench.evaluation,
--limit 300) are held out: the reader is scored on them (character F1 of its span, CMRC 2018's
measure, against the typed rules of service/short_answer.py on the same gold units) and never
trained on them.

    python -m bench.train_reader [--shared ../shared] [--first 8] [--epochs 4] [--out …]

About 20 minutes on two cores (the frozen pass about 3, each epoch about 4 at --first 8).
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.evaluation import even_sample_lines
from corpus.chunking import MAX_ANSWER_CHARS, answer_spans
from index.e5_numpy import UnigramTokenizer
from service.evaluate import char_f1
from service.reader import READER_WEIGHTS, SpanReader, reader_input
from service.settings import PROJECT_ROOT, Settings
from service.short_answer import extract

SETS = ("cmrc2018", "drcd")
BATCH = 32


@dataclass(slots=True)
class Pair:
    set_name: str
    held_out: bool
    question: str
    sentence: str
    answers: list[str]
    ids: list[int]
    spans: dict[int, tuple[int, int]]  # token -> its characters in sentence (sentence tokens)
    start: int  # the answer's first and last token
    end: int


def pair_of(tok: UnigramTokenizer, question: str, sentence: str, lo: int, hi: int) -> Pair | None:
    """question and sentence as the reader reads them, the answer sentence[lo:hi] as tokens."""
    tokens = reader_input(tok, question, sentence)
    if tokens is None:
        return None
    ids, spans = tokens
    first = [n for n, (a, b) in spans.items() if a <= lo < b]
    last = [n for n, (a, b) in spans.items() if a < hi <= b]
    if not first or not last:
        return None
    return Pair("", False, question, sentence, [], ids, spans, first[0], last[-1])


def pairs_of(shared: Path, tok: UnigramTokenizer) -> list[Pair]:
    out: list[Pair] = []
    for name in SETS:
        folder = shared / "eval" / name
        docs = {}
        for line in (folder / "docs.jsonl").read_text(encoding="utf-8").splitlines():
            doc = json.loads(line)
            docs[doc["id"]] = doc["text"]
        sampled = even_sample_lines(folder / "questions_public.jsonl", 300)
        held = {json.loads(ln).get("doc_id") for ln in sampled}
        units: dict[str, list[tuple[int, int]]] = {}
        for line in (folder / "questions_public.jsonl").read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            if not q["answerable"]:
                continue
            text = docs[q["doc_id"]]
            found = [(a, text.find(a)) for a in q["answers"] if a and a in text]
            if not found:
                continue
            answer, at = found[0]
            if q["doc_id"] not in units:
                units[q["doc_id"]] = answer_spans(text, 0, len(text), MAX_ANSWER_CHARS)
            holding = [(s, e) for s, e in units[q["doc_id"]] if s <= at and at + len(answer) <= e]
            if not holding:
                continue
            s, e = min(holding, key=lambda u: u[1] - u[0])
            pair = pair_of(tok, q["question"], text[s:e], at - s, at - s + len(answer))
            if pair is not None:
                pair.set_name, pair.held_out, pair.answers = name, q["doc_id"] in held, q["answers"]
                out.append(pair)
    return out


def frozen_states(model_dir: Path, pairs: list[Pair], first: int) -> list[np.ndarray]:
    """Each pair's states after e5's first `first` layers (float16), in pair order."""
    import torch
    from transformers import BertModel

    model = BertModel.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    states: list[np.ndarray] = [np.zeros(0)] * len(pairs)
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i].ids))
    with torch.inference_mode():
        for b in range(0, len(order), BATCH):
            rows = order[b : b + BATCH]
            ids, mask = padded([pairs[i].ids for i in rows])
            out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
            hidden = out.hidden_states[first].numpy().astype(np.float16)
            for r, i in enumerate(rows):
                states[i] = hidden[r, : len(pairs[i].ids)]
    return states


def padded(seqs: list[list[int]]) -> tuple[object, object]:
    import torch

    longest = max(len(s) for s in seqs)
    ids = torch.ones((len(seqs), longest), dtype=torch.long)
    mask = torch.zeros((len(seqs), longest), dtype=torch.long)
    for r, s in enumerate(seqs):
        ids[r, : len(s)] = torch.tensor(s)
        mask[r, : len(s)] = 1
    return ids, mask


def scores(
    layers: Any, head: Any, pairs: list[Pair], states: list[np.ndarray], batch: list[int]
) -> Any:
    """The start and end scores [batch, tokens, 2] of the pairs in batch (only their sentence
    tokens can score), from their frozen states through the tuned layers and the head."""
    import torch

    longest = max(len(pairs[i].ids) for i in batch)
    x = torch.zeros((len(batch), longest, states[batch[0]].shape[1]))
    mask = torch.zeros((len(batch), longest))
    allowed = torch.zeros((len(batch), longest), dtype=torch.bool)
    for r, i in enumerate(batch):
        n = len(pairs[i].ids)
        x[r, :n] = torch.from_numpy(states[i].astype(np.float32))
        mask[r, :n] = 1
        allowed[r, list(pairs[i].spans)] = True
    blocked = (1.0 - mask[:, None, None, :]) * -10000.0
    for layer in layers:
        out = layer(x, attention_mask=blocked)
        x = out[0] if isinstance(out, tuple) else out
    return head(x).masked_fill(~allowed[..., None], -1e4)


def train(
    model_dir: Path, pairs: list[Pair], states: list[np.ndarray], first: int, epochs: int
) -> dict[str, np.ndarray]:
    """The fine-tuned layers first.. and the head (float16, by BertModel's names), trained on
    the pairs (states: theirs after the frozen layers)."""
    import torch
    from transformers import BertModel

    torch.manual_seed(0)
    base = BertModel.from_pretrained(str(model_dir), dtype=torch.float32)
    layers = torch.nn.ModuleList(
        [copy.deepcopy(base.encoder.layer[i]) for i in range(first, len(base.encoder.layer))]
    )
    head = torch.nn.Linear(base.config.hidden_size, 2)
    opt = torch.optim.AdamW(
        [{"params": layers.parameters(), "lr": 1e-4}, {"params": head.parameters(), "lr": 2e-3}],
        weight_decay=0.01,
    )
    rows = list(range(len(pairs)))
    steps = epochs * (len(rows) // BATCH + 1)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: max(0.0, 1 - s / steps) * min(1.0, s / 50)
    )
    layers.train()
    for epoch in range(epochs):
        random.Random(epoch).shuffle(rows)
        started = time.perf_counter()
        for b in range(0, len(rows), BATCH):
            batch = rows[b : b + BATCH]
            out = scores(layers, head, pairs, states, batch)
            loss = sum(
                torch.nn.functional.cross_entropy(
                    out[..., k], torch.tensor([getattr(pairs[i], end) for i in batch])
                )
                for k, end in enumerate(("start", "end"))
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
        print(
            f"epoch {epoch + 1}: loss {loss.item() / 2:.3f}, {time.perf_counter() - started:.0f} s"
        )
    weights = {
        f"encoder.layer.{first + j}.{k}": v.detach().numpy().astype(np.float16)
        for j, layer in enumerate(layers)
        for k, v in layer.state_dict().items()
    }
    return weights | {
        f"head.{k}": v.detach().numpy().astype(np.float16) for k, v in head.state_dict().items()
    }


def held_out_f1(reader: SpanReader, pairs: list[Pair]) -> None:
    """Character F1 on the held-out gold units: the reader alone, the rules alone, and both as
    the service combines them (service.short_answer.extract)."""
    for name in SETS:
        rows = [p for p in pairs if p.held_out and p.set_name == name]
        scores: dict[str, list[float]] = {"reader": [], "rules": [], "service": []}
        for p in rows:
            found = reader.read(p.question, p.sentence)
            span = None if found is None else found[0]
            spans = {
                "reader": span,
                "rules": extract(p.question, p.sentence),
                "service": extract(p.question, p.sentence, lambda q, s, span=span: span),
            }
            for key, sp in spans.items():
                text = p.sentence[sp.start : sp.end] if sp else ""
                scores[key].append(max(char_f1(text, g) for g in p.answers) if text else 0.0)
        figures = ", ".join(f"{k} {100 * np.mean(v):.1f}" for k, v in scores.items())
        print(f"{name}: {len(rows)} held-out answers, character F1 on their gold units: {figures}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    parser.add_argument("--first", type=int, default=8, help="The first fine-tuned layer.")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--out", type=Path, default=READER_WEIGHTS)
    args = parser.parse_args(argv)
    from index.e5_numpy import NumpyE5

    model_dir = Settings().model_dir
    encoder = NumpyE5(model_dir)
    pairs = pairs_of(args.shared, encoder.tokenizer)
    trained = [p for p in pairs if not p.held_out]
    print(f"{len(pairs)} answers located, {len(trained)} to train on, the rest held out")
    started = time.perf_counter()
    states = frozen_states(model_dir, trained, args.first)
    print(f"states after layer {args.first}: {time.perf_counter() - started:.0f} s")
    weights = train(model_dir, trained, states, args.first, args.epochs)
    held_out_f1(SpanReader(encoder, weights), pairs)
    tmp = args.out.with_name(f".{args.out.name}.tmp.npz")
    np.savez(tmp, **weights)
    tmp.replace(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
