# Two entry points for a fresh machine: `make demo` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test check lint bench exchange clean

$(STAMP): pyproject.toml setup.py tui/book/_l2kernel.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kraken-tui --demo

exchange: $(STAMP)
	$(BIN)/kraken-tui exchange --port 0

# ruff, mypy strict over tui and tests, and the import contracts (layers) from pyproject.toml
lint: $(STAMP)
	$(BIN)/ruff check tui tests
	$(BIN)/ruff format --check tui tests
	$(BIN)/mypy
	$(BIN)/lint-imports

check: lint

test: lint
	$(BIN)/pytest -n 3

bench: $(STAMP)
	$(BIN)/kraken-tui bench

clean:
	rm -rf $(VENV) build dist *.egg-info
