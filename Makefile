# The one entry point: `make preflight` (offline plan and policy check) and `make test`.
PYTHON ?= python3
VENV ?= venv
PY := $(VENV)/bin/python
STACK ?= dev
PREFLIGHT_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv preflight test lint typecheck pytest graph bench clean

help:
	@echo "make preflight [STACK=dev]  run the program offline and check it with the policy pack"
	@echo "make test                   ruff, mypy, actionlint and the pytest suite"
	@echo "make graph [STACK=dev]      write the resource graph to out/<stack>.svg"
	@echo "make bench                  measure preflight against the plain-mocks floor"

# The virtualenv is rebuilt whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt policies/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

preflight: $(VENV)/.installed
	$(PY) -m preflight --stack $(STACK) $(PREFLIGHT_ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(VENV)/.installed
	$(PY) -m mypy __main__.py components preflight policies

pytest: $(VENV)/.installed
	$(PY) -m pytest

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache out
