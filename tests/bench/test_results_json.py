"""`make bench` keeps what it measured as JSON before rendering it: every record round-trips."""

import json
from dataclasses import asdict

from bench.perf.abuse import Abuse


def test_the_abuse_record_round_trips_through_json() -> None:
    # a Counter field broke this: dataclasses.asdict counts its (status, n) pairs as keys
    measured = Abuse(cpu="EPYC", cpus=2)
    measured.burst_statuses[200] = 21
    measured.burst_statuses[503] = 43
    measured.large_statuses[200] = 5
    back = Abuse.of(json.loads(json.dumps(asdict(measured))))
    assert back.burst_statuses == {200: 21, 503: 43} and back.large_statuses == {200: 5}
