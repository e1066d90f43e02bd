"""The largest input each of a span reader's products takes, per channel, measured on public
questions it was trained on: what its int8 session smooths by (service.reader.ABSMAX,
index.e5_numpy.smoothing_scale). bench.train_reader stores them with the weights it trains;
this adds them to weights trained before.

Run: `.venv/bin/python -m bench.calibrate_reader [WEIGHTS.npz ...]` (the shipped readers when
none is named).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from index.e5_numpy import NumpyE5
from service.reader import (
    ABSMAX,
    READER_WEIGHTS,
    SIBLINGS_WEIGHTS,
    SpanReader,
    headlined,
)
from service.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    from bench.train_reader import Pair

CALIBRATION_PAIRS = 300  # question and unit pairs read (some units not answering): the maxima change little after 150


def activation_maxima(
    encoder: NumpyE5, weights: Mapping[str, np.ndarray], ids: Sequence[Sequence[int]]
) -> dict[str, np.ndarray]:
    """Under ABSMAX + each product's key, the largest magnitude of its input per channel over
    the float32 reader of weights reading each token id sequence in ids (float16, as the
    weights are stored)."""
    reader = SpanReader(encoder, weights, products=True)  # float32: its maxima unread
    keys, names = list(reader.products), list(reader.products.values())
    largest: dict[str, np.ndarray] = {}
    for seq in ids:
        states = reader.session.run(names, encoder.read_inputs(reader.first, seq))
        for key, x in zip(keys, states, strict=True):
            top = np.abs(x.reshape(-1, x.shape[-1])).max(axis=0)
            largest[key] = np.maximum(largest[key], top) if key in largest else top
    return {f"{ABSMAX}{k}": v.astype(np.float16) for k, v in largest.items()}


def calibration_ids(pairs: Sequence[Pair]) -> list[list[int]]:
    """The token ids of CALIBRATION_PAIRS of pairs (bench.train_reader.pairs_of: the public
    pairs) that a reader is trained on (not those of the articles `make eval` samples), drawn
    the same way every time."""
    trained = [p for p in pairs if not p.held_out]
    drawn = random.Random(0).sample(trained, min(CALIBRATION_PAIRS, len(trained)))
    return [p.ids for p in drawn]


def calibrate(path: Path, encoder: NumpyE5, shared: Path) -> None:
    """path's weights with their maxima (measured anew), written in its place atomically."""
    from bench.train_reader import pairs_of, save_weights

    with np.load(path) as stored:
        weights = {k: stored[k] for k in stored.files}
    pairs = pairs_of(shared, encoder.tokenizer, leads=headlined(weights))  # the shipped: leads
    maxima = activation_maxima(encoder, weights, calibration_ids(pairs))
    weights = {k: v for k, v in weights.items() if not k.startswith(ABSMAX)} | maxima
    save_weights(weights, path)
    print(f"{path}: the largest inputs of its {len(maxima)} products")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weights", type=Path, nargs="*", default=[READER_WEIGHTS, SIBLINGS_WEIGHTS])
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared")
    args = parser.parse_args(argv)
    encoder = NumpyE5(Settings().model_dir)
    for path in args.weights:
        calibrate(path, encoder, args.shared)


if __name__ == "__main__":
    main()
