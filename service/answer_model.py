"""The learned answer picker: two logistic models whose few weights live in answer_model.json.

One scores each sentence for how likely it holds the answer; the other reads the best
sentence's evidence and gives the probability that it really answers, below a threshold the
service abstains. Both are trained by `python -m bench.train_answer` on the public CMRC 2018
and DRCD questions (their gold sentences, and the same questions with every answering
sentence taken away as hard negatives). A third, `read` (ReadModel, by `python -m
bench.train_reading`), takes the second's place when the span reader is on: the same evidence
and the reader's margin on the best sentence; its `siblings` weighs that decision with the
margin of a second reader, one trained to refuse a question asked of a neighbour of what its
sentence tells (`python -m bench.train_siblings`)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).with_name("answer_model.json")
STAGE = "stage"  # the logit of ReadModel.decide, as ReadModel.siblings reads it
SIBLING_MARGIN = "sibling_margin"  # the siblings reader's margin on the unit (service/reading.py)


@dataclass(frozen=True, slots=True)
class Logistic:
    """A standardised logistic model: logit = bias + sum(w * (x - mean) / scale)."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    bias: float

    def logit(self, features: dict[str, float]) -> float:
        return self.bias + sum(
            w * (features[n] - m) / s
            for n, w, m, s in zip(self.names, self.weights, self.means, self.scales, strict=True)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "features": {
                n: {"weight": round(w, 6), "mean": round(m, 6), "scale": round(s, 6)}
                for n, w, m, s in zip(
                    self.names, self.weights, self.means, self.scales, strict=True
                )
            },
            "bias": round(self.bias, 6),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Logistic:
        feats = data["features"]
        names = tuple(feats)
        return cls(
            names=names,
            weights=tuple(float(feats[n]["weight"]) for n in names),
            means=tuple(float(feats[n]["mean"]) for n in names),
            scales=tuple(float(feats[n]["scale"]) or 1.0 for n in names),
            bias=float(data["bias"]),
        )


def probability(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


@dataclass(frozen=True, slots=True)
class ReadModel:
    """The decision once the span reader has read the best unit (service/reading.py): the
    abstention evidence and the reader's margin, weighed by `decide`; with `siblings`, that
    logit (its feature STAGE) and the siblings reader's margin (SIBLING_MARGIN) weighed again;
    abstain below bar."""

    decide: Logistic
    threshold: float  # the stage's own (bench.train_reading)
    siblings: Logistic | None = None
    siblings_threshold: float = 0.0  # with siblings, the bar (bench.train_siblings)

    @property
    def bar(self) -> float:
        """The probability under which to abstain: the siblings model's, else the stage's."""
        return self.threshold if self.siblings is None else self.siblings_threshold

    def logit(self, features: dict[str, float]) -> float:
        stage = self.decide.logit(features)
        if self.siblings is None:
            return stage
        return self.siblings.logit({STAGE: stage, SIBLING_MARGIN: features[SIBLING_MARGIN]})

    def to_json(self) -> dict[str, Any]:
        out = {"decide": self.decide.to_json(), "threshold": round(self.threshold, 4)}
        if self.siblings is None:
            return out
        siblings = self.siblings.to_json() | {"threshold": round(self.siblings_threshold, 4)}
        return out | {"siblings": siblings}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReadModel:
        siblings = data.get("siblings")
        return cls(
            Logistic.from_json(data["decide"]),
            float(data["threshold"]),
            None if siblings is None else Logistic.from_json(siblings),
            0.0 if siblings is None else float(siblings["threshold"]),
        )


@dataclass(frozen=True, slots=True)
class AnswerModel:
    select: Logistic
    decide: Logistic
    threshold: float  # abstain when the decision probability is below it
    trained_on: str = ""
    read: ReadModel | None = None  # with the span reader (bench.train_reading), when trained

    def select_logit(self, features: dict[str, float]) -> float:
        return self.select.logit(features)

    def answer_probability(self, features: dict[str, float]) -> float:
        return probability(self.decide.logit(features))

    def to_json(self) -> dict[str, Any]:
        out = {
            "select": self.select.to_json(),
            "decide": self.decide.to_json(),
            "threshold": round(self.threshold, 4),
            "trained_on": self.trained_on,
        }
        return out if self.read is None else out | {"read": self.read.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnswerModel:
        return cls(
            select=Logistic.from_json(data["select"]),
            decide=Logistic.from_json(data["decide"]),
            threshold=float(data["threshold"]),
            trained_on=str(data.get("trained_on", "")),
            read=ReadModel.from_json(data["read"]) if "read" in data else None,
        )


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> AnswerModel:
    return AnswerModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def save_model(model: AnswerModel, path: Path = MODEL_PATH) -> None:
    """Write the model file atomically (a reader never sees half of it)."""
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(
        json.dumps(model.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    tmp.replace(path)
