# Two entry points: `make run` (install, then one nightly run) and `make test`
# (install, then the test suite). Both create .venv from constraints.txt.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench bench-backfill clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/llmflation run

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m tests.benchmarks.bench_build --copies $(or $(COPIES),3) --nights $(or $(NIGHTS),30)

bench-backfill: $(STAMP)
	$(BIN)/python -m tests.benchmarks.bench_backfill --captures $(or $(CAPTURES),5000) --changes $(or $(CHANGES),12) --every-version

clean:
	rm -rf $(VENV) .pytest_cache
