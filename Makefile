# The two commands of the README: `make demo` and `make test`. Everything they need is
# installed here, into .venv, from the package registry.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install install-dev lint typecheck pytest bench clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

install: $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e .

install-dev: $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'

demo: install
	$(BIN)/livebazaar demo --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

pytest: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install-dev
	$(BIN)/python bench/flash_sale.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
