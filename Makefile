# lianzheng-risk: every target creates .venv from pyproject.toml when it is missing or stale.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
INBOX ?= inbox
CONFIG ?= config
OUT ?= output

.PHONY: process test templates bench lint format clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

process: $(STAMP)
	$(PY) -m pipeline process --inbox "$(INBOX)" --config "$(CONFIG)" --out "$(OUT)"

templates: $(STAMP)
	$(PY) -m pipeline templates --out input_templates

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m pipeline bench

lint: $(STAMP)
	$(VENV)/bin/ruff check pipeline tests
	$(VENV)/bin/ruff format --check pipeline tests

format: $(STAMP)
	$(VENV)/bin/ruff format pipeline tests
	$(VENV)/bin/ruff check --fix pipeline tests

clean:
	rm -rf $(VENV) output .pytest_cache build *.egg-info
