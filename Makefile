# brand-monitor: `make run` starts the demo, `make test` runs the whole suite.
# Both install from the committed lock (uv.lock) into .venv; `make lock` refreshes it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
UV_VERSION := 0.13.9
UV := $(TOOLS)/bin/uv
# Use this machine's Python, never a downloaded one; the environment is .venv.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Compile bytecode at install, as pip does: with PYTHONDONTWRITEBYTECODE set (as in the Docker
# image) every process would otherwise compile all its imports again, seconds of start-up.
export UV_COMPILE_BYTECODE := 1

.PHONY: run test test-slow lint typecheck lock lock-upgrade bench clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)

# The runtime set only: what the service needs to run (`--inexact` keeps test tools if present).
$(VENV)/.runtime: $(UV) pyproject.toml uv.lock setup.py
	$(UV) sync --quiet --locked --inexact
	touch $@

# Runtime plus the test and lint tools, exactly as locked.
$(VENV)/.dev: $(UV) pyproject.toml uv.lock setup.py
	$(UV) sync --quiet --locked --extra dev
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	$(BIN)/monitor demo $(DEMO_ARGS)

# The whole suite: style, import layers, types, then the tests.
test: lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The long variants only: 200 req/s for 30 s on SQLite and on Postgres, plain `pip install .`.
# Their latency figures depend on how busy the machine is, so a failed one is run once more.
test-slow: $(VENV)/.dev
	$(BIN)/python -m pytest --run-slow -m slow $(PYTEST_ARGS) || \
	  $(BIN)/python -m pytest --run-slow -m slow --last-failed $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check monitor collectors api tests bench
	$(BIN)/lint-imports --no-cache

typecheck: $(VENV)/.dev
	$(BIN)/mypy
	$(BIN)/mypy bench  # the benchmarks are not run by the suite: types keep them in step

# Re-resolve after editing pyproject.toml's dependencies (keeps the other pins).
lock: $(UV)
	$(UV) lock

# Move every pin to the newest release the constraints allow.
lock-upgrade: $(UV)
	$(UV) lock --upgrade

# Every benchmark; Postgres halves run when MONITOR_BENCH_POSTGRES_URL names a server.
bench: $(VENV)/.dev
	$(BIN)/python bench/query_bench.py
	$(BIN)/python bench/sentiment_eval.py
	$(BIN)/python bench/topic_eval.py
	$(BIN)/python bench/terms_eval.py
	$(BIN)/python bench/desk_bench.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/feed_parser_parity.py
	$(BIN)/python bench/collect_e2e.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/priority.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/crawl.py
	$(BIN)/python bench/opml_bench.py
	$(BIN)/python bench/comment_eval.py

clean:
	rm -rf $(VENV) $(TOOLS) build *.egg-info .mypy_cache .ruff_cache .pytest_cache demo-data
