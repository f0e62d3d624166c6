# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench latency lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall when pyproject.toml changes.
$(VENV)/.core: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.core
	$(BIN)/python -m pip install --quiet -e ".[dev,plot]"
	touch $@

demo: $(VENV)/.core
	$(BIN)/python -m sparsefit.demo

test: $(VENV)/.dev
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --doctest-modules sparsefit tests

bench: $(VENV)/.dev
	$(BIN)/python bench/single_alpha.py

latency: $(VENV)/.core
	$(BIN)/python bench/latency.py

lint: $(VENV)/.dev
	$(BIN)/ruff check sparsefit tests bench

clean:
	rm -rf $(VENV) build *.egg-info
