"""bench/fuzz.py: the answers to one route are counted by status from the server's access log."""

from __future__ import annotations

from bench.fuzz import access_statuses

LOG = """INFO:     127.0.0.1:1 - "GET /healthz HTTP/1.1" 200 OK
INFO:     127.0.0.1:2 - "GET /openapi.json HTTP/1.1" 200 OK
INFO:     127.0.0.1:3 - "DELETE /articles/a-1 HTTP/1.1" 200 OK
INFO:     127.0.0.1:4 - "DELETE /articles/%F3%92/x%2F HTTP/1.1" 404 Not Found
INFO:     127.0.0.1:5 - "PATCH /articles/a-1 HTTP/1.1" 405 Method Not Allowed
INFO:     127.0.0.1:6 - "DELETE /articles HTTP/1.1" 405 Method Not Allowed
INFO:     127.0.0.1:7 - "POST /ask HTTP/1.1" 500 Internal Server Error
"""


def test_a_path_parameter_route_counts_its_paths_with_any_id_and_method() -> None:
    counted = access_statuses(LOG, ["DELETE /articles/{doc_id}"])
    assert counted == {"200": 1, "404": 1, "405": 1}


def test_a_route_without_parameters_counts_only_its_own_path() -> None:
    assert access_statuses(LOG, ["POST /ask"]) == {"500": 1}
    assert access_statuses(LOG, ["GET /articles"]) == {"405": 1}
