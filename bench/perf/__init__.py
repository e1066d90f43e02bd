"""`make bench` split by concern; `python -m bench.performance` runs it (see bench/perf/main.py)."""
