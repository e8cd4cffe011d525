# make build : create .venv, install protocolc, check system libraries, render every council into build/
# make test  : lint, then the whole test suite (which renders every council again)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: build test lint system-deps test-deps clean goldens bench

build: system-deps $(STAMP)
	$(BIN)/protocolc build --all

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

system-deps:
	@sh scripts/system-deps.sh

# Chromium and axe-core for the accessibility tests (installed as root; otherwise the commands are printed).
test-deps:
	@sh scripts/test-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check protocolc tests bench

test: build lint test-deps
	$(BIN)/python -m pytest

# Rewrite tests/golden/*.md after an intended change of wording or layout; review the diff before committing.
goldens: $(STAMP)
	$(BIN)/python -m pytest tests/test_golden.py --update-goldens

clean:
	rm -rf build .pytest_cache .ruff_cache

# Speed and scale figures (a script, not a timed test): see bench/bench.py.
bench: $(STAMP)
	$(BIN)/python bench/bench.py
