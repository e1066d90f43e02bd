"""`make bench` keeps what it measured as JSON before rendering it: every record round-trips."""

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from bench.perf import abuse
from bench.perf.abuse import Abuse


def test_the_abuse_record_round_trips_through_json() -> None:
    # a Counter field broke this: dataclasses.asdict counts its (status, n) pairs as keys
    measured = Abuse(cpu="EPYC", cpus=2)
    measured.burst_statuses[200] = 21
    measured.burst_statuses[503] = 43
    measured.large_statuses[200] = 5
    back = Abuse.of(json.loads(json.dumps(asdict(measured))))
    assert back.burst_statuses == {200: 21, 503: 43} and back.large_statuses == {200: 5}


def test_abuse_writes_a_new_out_file_and_replaces_its_section_in_an_existing_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a new --out path raised FileNotFoundError after minutes of measuring
    monkeypatch.setattr(abuse, "read_questions", lambda path, n: ["问?"])
    monkeypatch.setattr(abuse, "seed_index", lambda work: work)
    measured = Abuse(cpu="EPYC", cpus=2, unloaded_ms=[50.0], loaded_ms=[60.0], large_ms=[300.0])
    measured.burst_ms, measured.burst_queue_ms, measured.burst_beyond_ms = [500.0], [400.0], [450.0]
    measured.burst_wall_s, measured.load = 1.0, (0.5, 0.5, 0.5)
    monkeypatch.setattr(abuse, "measure", lambda *args: measured)
    monkeypatch.setattr(
        abuse, "machine", lambda: {"date": "2026-12-03 00:28 UTC", "commit": "abc1234"}
    )
    new = tmp_path / "abuse.md"
    assert abuse.main(["--out", str(new)]) == 0
    alone = new.read_text(encoding="utf-8")
    assert alone.startswith("## Abuse\n") and "(2026-12-03 00:28 UTC, commit abc1234)" in alone
    assert "503s came after" not in alone  # there were none
    kept = tmp_path / "benchmarks.md"
    kept.write_text("# Bench\n\n## Abuse\nSTALE-SECTION\n\n## Next\nstays\n", encoding="utf-8")
    assert abuse.main(["--out", str(kept)]) == 0
    text = kept.read_text(encoding="utf-8")
    assert (
        "STALE-SECTION" not in text and "## Abuse\n" in text and text.endswith("## Next\nstays\n")
    )
