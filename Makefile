# lianzheng-risk: every target creates .venv from pyproject.toml when it is missing or stale.
# Works with GNU make on Linux/macOS and on Windows (Git Bash, MSYS); on a Windows PC without
# make, double-click 处理.bat instead. With a wheelhouse/ folder present (make wheelhouse), the
# set-up installs from it and needs no internet.
ifeq ($(OS),Windows_NT)
PYTHON ?= py -3
BIN := .venv/Scripts
EXE := .exe
else
PYTHON ?= python3
BIN := .venv/bin
EXE :=
endif
VENV := .venv
PY := $(BIN)/python$(EXE)
STAMP := $(VENV)/.installed
INBOX ?= inbox
CONFIG ?= config
OUT ?= output
WHEELHOUSE ?= wheelhouse
# make wheelhouse WHEEL_PLATFORM=win_amd64 WHEEL_PYTHON=3.12 fetches wheels for another machine
WHEEL_PLATFORM ?=
WHEEL_PYTHON ?= 3.11
# bytecode is cached (in __pycache__, ignored by git): where the environment says not to
# (PYTHONDONTWRITEBYTECODE), every run, test child and worker start would compile the package
# again (about 0.3 CPU s each)
unexport PYTHONDONTWRITEBYTECODE
# the tool's hints name the command the user ran ("make process", not "python -m pipeline")
export LIANZHENG_LAUNCHER := make
OFFLINE := $(if $(wildcard $(WHEELHOUSE)/*.whl),--no-index --find-links $(WHEELHOUSE),)

.PHONY: process test templates bench golden lint format clean venv wheelhouse

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(if $(OFFLINE),,$(PY) -m pip install --quiet --upgrade pip)
	$(PY) -m pip install --quiet $(OFFLINE) -e '.[dev]'
	@touch $(STAMP)

process: $(STAMP)
	$(PY) -m pipeline process --inbox "$(INBOX)" --config "$(CONFIG)" --out "$(OUT)"

templates: $(STAMP)
	$(PY) -m pipeline templates --out input_templates

test: $(STAMP)
	$(PY) -m pytest -q -n auto --dist worksteal

bench: $(STAMP)
	$(PY) -m pipeline bench

golden: $(STAMP)
	$(PY) -m tests.golden --update

lint: $(STAMP)
	$(BIN)/ruff$(EXE) check pipeline tests
	$(BIN)/ruff$(EXE) format --check pipeline tests

format: $(STAMP)
	$(BIN)/ruff$(EXE) format pipeline tests
	$(BIN)/ruff$(EXE) check --fix pipeline tests

# every wheel the tool needs (and the test tools), for an office PC without internet:
#   pip install --no-index --find-links wheelhouse lianzheng-risk
wheelhouse: $(STAMP)
	$(PY) -m pipeline.wheelhouse --out "$(WHEELHOUSE)" --platform "$(WHEEL_PLATFORM)" --python "$(WHEEL_PYTHON)"

clean:
	rm -rf $(VENV) output .pytest_cache build *.egg-info
