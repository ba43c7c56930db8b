# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app workspace
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench lint format clean catalogs messages

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

## run: install, migrate instance/workspace.db, load the demo if empty, serve on 127.0.0.1:5000
## (with the worker beside the server: e-mail to instance/outbox/, scheduled jobs)
run: $(VENV)/.installed catalogs
	$(FLASK) db upgrade heads
	$(FLASK) demo --if-empty
	@echo ""
	@echo "  InterVentures Workspace: http://$(HOST):$(PORT)"
	@echo "  E-mail is written to instance/outbox/ and listed on Admin -> Outbox."
	@echo ""
	@# The worker runs in the background and is stopped (SIGTERM) when the server stops.
	$(FLASK) worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'exit 130' INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

## test: install the test extra, lint, run the whole suite (browser tests included)
test: $(VENV)/.installed-test catalogs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m workspace.catalogs check
	$(BIN)/pytest -n auto --dist loadfile $(PYTEST_ARGS)

## catalogs: compile the translations (.po -> .mo) of the core and every plugin
catalogs: $(VENV)/.installed
	$(BIN)/python -m workspace.catalogs compile

## messages: extract the texts of the code and add the new ones to every catalog
messages: $(VENV)/.installed
	$(BIN)/python -m workspace.catalogs update

## bench: seed 10,000 documents, serve with gunicorn, load with wrk; writes bench/results.md
bench: $(VENV)/.installed-test
	@command -v wrk >/dev/null || { echo "wrk is needed: sudo apt-get install wrk"; exit 1; }
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
