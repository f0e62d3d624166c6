PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev,plot]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m sparsefit.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: $(STAMP)
	$(BIN)/python bench/single_alpha.py

lint: $(STAMP)
	$(BIN)/ruff check sparsefit tests bench examples

clean:
	rm -rf $(VENV) build *.egg-info
