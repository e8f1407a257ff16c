# Two entry points: `make run` (install, then one nightly run) and `make test`
# (install, then the test suite). Both create .venv from constraints.txt.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
comma := ,

.PHONY: install run lint test bench bench-year bench-backfill agreement clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/llmflation run

# ruff and mypy read their settings from pyproject.toml; they run first because they take seconds.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.bench_build --copies $(or $(COPIES),3) --nights $(or $(NIGHTS),30)

agreement: $(STAMP)
	$(BIN)/python -m tests.corpus.agreement_corpus $(if $(MAX_GAP_DAYS),--max-gap-days $(MAX_GAP_DAYS))

bench-backfill: $(STAMP)
	$(BIN)/python -m tests.benchmarks.bench_backfill --captures $(or $(CAPTURES),5000) --changes $(or $(CHANGES),12) --every-version

clean:
	rm -rf $(VENV) .pytest_cache

# A year of nightly captures: cold full build, no-op night, one-change night, peak memory (minutes; not in `make test`).
bench-year: $(STAMP)
	$(BIN)/python -m tests.benchmarks.bench_year --nights $(or $(NIGHTS),30$(comma)365) --repeat $(or $(REPEAT),3)
