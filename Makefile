# make build : check Python (3.11+) and the system libraries, install protocolc and only what it needs at run time
#              into .venv, render every council into build/
# make test  : the same, plus the test extra and the test tools (scripts/test-deps.sh); lint, then the whole suite
#
# PYTHON names the interpreter that makes .venv (make build PYTHON=python3.12). scripts/venv.sh checks it first
# and makes .venv again when it was made by a Python that is too old or gone.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: build test lint venv venv-test system-deps test-deps clean goldens bench

build: venv system-deps
	$(BIN)/protocolc build --all

# protocolc and its run-time dependencies only (no test tools).
venv:
	@sh scripts/venv.sh "$(PYTHON)" $(VENV)

# protocolc with the test extra: pytest, ruff, Playwright, pdfua, the workflow validators...
venv-test:
	@sh scripts/venv.sh "$(PYTHON)" $(VENV) test

system-deps:
	@sh scripts/system-deps.sh

# What the tests drive beyond Python (Chromium, axe-core, the W3C HTML checker with Java, cmark-gfm,
# LibreOffice, poppler): installed as root; otherwise the commands are printed.
test-deps:
	@sh scripts/test-deps.sh

lint: venv-test
	$(BIN)/ruff check protocolc tests bench
	$(BIN)/ruff format --check protocolc tests bench
	$(BIN)/mypy --strict protocolc

test: build venv-test lint test-deps
	$(BIN)/python -m pytest

# Rewrite tests/golden/*.md after an intended change of wording or layout; review the diff before committing.
goldens: venv-test
	$(BIN)/python -m pytest tests/test_golden.py --update-goldens

clean:
	rm -rf build .pytest_cache .ruff_cache

# Speed and scale figures (a script, not a timed test): see bench/bench.py.
bench: venv
	$(BIN)/python bench/bench.py
