# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench latency lint docs docs-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall when pyproject.toml changes.
$(VENV)/.core: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.core
	$(BIN)/python -m pip install --quiet -e ".[dev,plot,cli,torch,docs]" "torch==2.13.0"
	touch $@

$(VENV)/.cli: $(VENV)/.core
	$(BIN)/python -m pip install --quiet -e ".[cli]"
	touch $@

# The compiled kernels, cached on disk: compiled once here (tiny fits of each
# family, dense and CSC) rather than in the middle of the first real fit;
# again whenever a module with cached kernels changes.
KERNEL_SOURCES := $(shell grep -rl "cache=True" sparsefit --include=*.py)
$(VENV)/.warm: $(VENV)/.core $(KERNEL_SOURCES)
	$(BIN)/python -c "from sparsefit.cli._warm import warm_up; warm_up()"
	touch $@

demo: $(VENV)/.cli $(VENV)/.warm
	$(BIN)/sparsefit demo --force

test: $(VENV)/.dev $(VENV)/.warm
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --doctest-modules sparsefit tests

# The anchors need numpy < 2 (adelie), so they live in their own venv.
.venv-bench/.installed: bench/requirements.txt bench/bench-numpy.txt pyproject.toml
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet -r bench/requirements.txt
	.venv-bench/bin/python -m pip install --quiet -r bench/bench-numpy.txt
	.venv-bench/bin/python -m pip install --quiet -e . --no-deps
	touch $@

bench: .venv-bench/.installed
	.venv-bench/bin/python bench/single_alpha.py

latency: $(VENV)/.core .venv-bench/.installed
	.venv-bench/bin/python bench/latency.py --python $(BIN)/python

# The documentation site: warnings are errors and every gallery example runs
# (again only when it changed). -E re-reads every page: autodoc does not notice
# a changed docstring, and the API pages would go stale.
docs: $(VENV)/.dev $(VENV)/.warm
	$(BIN)/python -m sphinx -E -b html -W --keep-going docs docs/_build/html

# The built site in headless Chromium: console errors, internal links, 390 px.
docs-check: $(VENV)/.dev
	$(BIN)/python docs/check_site.py docs/_build/html

lint: $(VENV)/.dev
	$(BIN)/ruff check sparsefit tests bench

clean:
	rm -rf $(VENV) build *.egg-info docs/_build docs/api/generated docs/auto_examples docs/_generated
