"""bench.train_check: the check fitted from the answers' kept features, each group figured by a
check trained without it, and written into the answer model."""

import json
import math
import random
from dataclasses import replace

import pytest

from bench import train_check
from service.answer_model import CheckModel, load_model
from service.check import check_features

pytestmark = pytest.mark.unit


def test_train_check_fits_the_check_from_kept_rows_and_writes_it(tmp_path) -> None:
    """On a file of rows: the check fitted on all of them and written into the model, the rest
    of the model untouched."""
    rng = random.Random(0)
    lines = []
    for group in ("realistic", "realistic2", "cmrc2018/0"):
        for _ in range(200):
            decision = rng.uniform(-4.0, 4.0)
            features = check_features("省际班线有多少条?", False, 0.5, 0.5) | {"decision": decision}
            right = rng.random() < 1 / (1 + math.exp(-2.0 * decision))
            row = {"group": group, "features": features, "right": right, "stage": decision >= 0}
            lines.append(json.dumps(row))
    rows = tmp_path / "rows.jsonl"
    rows.write_text("\n".join(lines) + "\n")
    out = tmp_path / "answer_model.json"
    shipped = load_model()
    out.write_text(json.dumps(replace(shipped, check=None).to_json()))
    assert train_check.main(["--out", str(out), "--rows", str(rows)]) == 0
    written = json.loads(out.read_text())
    check = CheckModel.from_json(written["check"])
    assert written["select"] == json.loads(json.dumps(shipped.to_json()))["select"]
    names = check.decide.names
    assert check.decide.weights[names.index("decision")] > 0  # surer stage, likelier right
    # right three times in four from decision log(3)/2 on: the bar sits near it (WRONG_COST 3)
    assert 0.6 < check.threshold < 0.9
