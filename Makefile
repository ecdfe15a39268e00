# Two commands on a fresh clone: `make run` serves the demo fair, `make test` passes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Every version comes from uv.lock. uv itself comes from PyPI at the version and hashes
# in requirements-uv.txt, into a venv of its own under .tools/ (uv keeps .venv exactly as
# the lock says, so it cannot live there).
UV := .tools/uv/bin/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
# .venv runs on $(PYTHON); uv never downloads an interpreter.
export UV_PYTHON_DOWNLOADS := never

.PHONY: install lock upgrade run test lint pytest sdl bench-agenda bench-schedule bench-fanout bench-offline clean

$(UV): requirements-uv.txt
	rm -rf .tools/uv
	$(PYTHON) -m venv .tools/uv
	.tools/uv/bin/python -m pip install --quiet --require-hashes --only-binary :all: \
		-r requirements-uv.txt
	touch $@

# --locked: refuse a uv.lock that no longer matches pyproject.toml (run `make lock`).
$(STAMP): pyproject.toml uv.lock $(UV)
	$(UV) sync --locked --python $(PYTHON) --extra dev --extra embedded
	touch $(STAMP)

install: $(STAMP)

## After editing pyproject.toml: resolve what changed into uv.lock, every other version kept
lock: $(UV)
	$(UV) lock --python $(PYTHON)

## Move uv.lock to the newest versions pyproject.toml allows, reinstall, run the suite
upgrade: $(UV)
	$(UV) lock --upgrade --python $(PYTHON)
	$(MAKE) test

## Load SISTEP INDUSTRIEL 2026 into an empty database (never over what is there) and serve
## it on http://127.0.0.1:8000/graphql, with the worker (relay and reminders) beside the
## server; Ctrl-C stops both.
run: install
	$(BIN)/salon demo --if-empty
	$(BIN)/salon worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; $(BIN)/salon serve

## Lint, type-check, check the layer rules, then the whole suite against real PostgreSQL and Redis
test: lint pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

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

bench-offline: install
	$(BIN)/python -m bench.offline_copy

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache .import_linter_cache *.egg-info
