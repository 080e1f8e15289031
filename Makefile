# `make test` and `make demo` set up everything it needs on first use; nothing is installed by hand.
#   .venv        the test environment: this package, pytest, the stand-ins, twine, uv
#   .venv-tools  environments of their own for clients that must not share .venv:
#                keyring  the keyring CLI that pip's subprocess provider and uv run
#                pip-26.1 an older pip, whose subprocess provider calls `keyring get URL USER`
#                poetry   poetry, with this package beside it as `poetry self add` would put it
#                poetry-1.8  poetry 1.8, beside the oldest keyring this package supports (24.0.0)
#                hatch    hatch, which asks keyring by repository name
#                pdm      pdm with this package beside it (unearth imports keyring)
#                pdm-cli  pdm without keyring (unearth runs the keyring CLI on PATH)
#                pipenv, pip-tools  their own environments; they reach keyring through the CLI
#                pipx     pipx, whose pip reaches keyring through the command on PATH
#                flit     flit with this package beside it
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .venv-tools
PIP_QUIET := --quiet --disable-pip-version-check

# `make test-versions` runs the unit tests and one real pip and one real uv install through
# the harness (tests marked every_python) on each CPython in VERSIONS found on this machine:
#   .venv-versions/X.Y        this package and the test requirements, for Python X.Y
#   .venv-versions/X.Y-tools  keyring: the keyring CLI on Python X.Y, for pip's subprocess
#                             provider and uv; pip-26.1 on 3.10+ (pip 26.1 needs 3.10)
# The interpreter is pyenv's newest X.Y.*, else pythonX.Y on PATH if it runs.
VERSIONS ?= 3.9 3.10 3.11 3.12 3.13
SKIP_VERSIONS ?=  # .ci/run skips the Python that `make test` has just run everything on
VERSIONS_DIR := .venv-versions
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
python_for = $(shell p=$$(ls -d $(PYENV_ROOT)/versions/$(1).*/bin/python$(1) 2>/dev/null | grep -E '/[0-9]+\.[0-9]+\.[0-9]+/bin/' | sort -V | tail -n 1); \
	if [ -z "$$p" ] && python$(1) -c '' 2>/dev/null; then p=$$(command -v python$(1)); fi; echo $$p)
VERSIONS_PYTEST := -m "(not e2e or every_python) and not demo" -p no:cacheprovider

# Tests run in PYTEST_JOBS processes (pytest-xdist; `auto`: one per core, 0: in this one).
# loadgroup keeps a module marked xdist_group in one process (test_identity_oracle compares
# every answer of the module with the others).
PYTEST_JOBS ?= auto
XDIST := -n $(PYTEST_JOBS) --dist loadgroup

.PHONY: test test-versions demo bench mutate clean

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/compare.py $(BENCH_ARGS)

demo: $(VENV)/.installed
	$(BIN)/python tests/demo.py

# `make mutate` (not in CI): mutmut's mutants of endpoint, redact, lookup and settings against
# their fast tests ([tool.mutmut] in pyproject.toml), at low priority, then each survivor's diff.
# MUTATE_ARGS: mutant names to run again, e.g. 'keyrings_codeartifact.redact.*'.
MUTATE := .venv-mutate
MUTATE_JOBS ?= 2

mutate: $(MUTATE)/.installed
	nice -n 10 $(MUTATE)/bin/mutmut run --max-children $(MUTATE_JOBS) $(MUTATE_ARGS)
	$(MUTATE)/bin/mutmut results
	@$(MUTATE)/bin/mutmut results 2>/dev/null | awk -F: '/: survived/ {print $$1}' | while read -r name; do \
		$(MUTATE)/bin/mutmut show "$$name"; done

$(MUTATE)/.installed: setup.cfg pyproject.toml requirements-test.txt
	$(PYTHON) -m venv $(MUTATE)
	$(MUTATE)/bin/python -m pip install $(PIP_QUIET) --upgrade pip
	$(MUTATE)/bin/python -m pip install $(PIP_QUIET) -e . -r requirements-test.txt mutmut==3.8.1
	touch $@

test: $(VENV)/.installed $(TOOLS)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/mypy --platform darwin
	$(BIN)/mypy --platform win32
	$(BIN)/python -m pytest $(XDIST) $(PYTEST_ARGS)

test-versions:
	@failed=""; for v in $(VERSIONS); do \
		case " $(SKIP_VERSIONS) " in *" $$v "*) echo "== Python $$v: skipped (SKIP_VERSIONS)"; continue;; esac; \
		py=$$($(MAKE) --no-print-directory -s python-for-$$v); \
		if [ -z "$$py" ]; then echo "== Python $$v: skipped, not installed on this machine"; continue; fi; \
		echo "== Python $$v: $$py"; start=$$(date +%s); \
		$(MAKE) --no-print-directory $(VERSIONS_DIR)/$$v/.installed $(VERSIONS_DIR)/$$v-tools/.installed \
		&& TEST_TOOLS=$(VERSIONS_DIR)/$$v-tools $(VERSIONS_DIR)/$$v/bin/python -m pytest $(XDIST) $(VERSIONS_PYTEST) $(PYTEST_ARGS) \
		|| failed="$$failed $$v"; \
		echo "== Python $$v: $$(( $$(date +%s) - start )) s"; \
	done; \
	if [ -n "$$failed" ]; then echo "== test-versions failed on:$$failed"; exit 1; fi

python-for-%:
	@echo $(call python_for,$*)

# Before the rule below: make 3.81 (macOS) takes the first pattern that matches.
$(VERSIONS_DIR)/%-tools/.installed: setup.cfg pyproject.toml Makefile
	$(call python_for,$*) -m venv $(VERSIONS_DIR)/$*-tools/keyring
	$(VERSIONS_DIR)/$*-tools/keyring/bin/python -m pip install $(PIP_QUIET) -e .
	if $(VERSIONS_DIR)/$*-tools/keyring/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then \
		$(call python_for,$*) -m venv $(VERSIONS_DIR)/$*-tools/pip-26.1 \
		&& $(VERSIONS_DIR)/$*-tools/pip-26.1/bin/python -m pip install $(PIP_QUIET) pip==26.1.2; fi
	touch $@

$(VERSIONS_DIR)/%/.installed: setup.cfg pyproject.toml requirements-test.txt
	$(call python_for,$*) -m venv $(VERSIONS_DIR)/$*
	$(VERSIONS_DIR)/$*/bin/python -m pip install $(PIP_QUIET) --upgrade pip
	$(VERSIONS_DIR)/$*/bin/python -m pip install $(PIP_QUIET) -e . -r requirements-test.txt
	touch $@

$(VENV)/.installed: setup.cfg pyproject.toml requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_QUIET) --upgrade pip
	$(BIN)/python -m pip install $(PIP_QUIET) -e . -r requirements-test.txt
	touch $@

$(TOOLS)/.installed: setup.cfg pyproject.toml Makefile
	$(PYTHON) -m venv $(TOOLS)/keyring
	$(TOOLS)/keyring/bin/python -m pip install $(PIP_QUIET) -e .
	$(PYTHON) -m venv $(TOOLS)/pip-26.1
	$(TOOLS)/pip-26.1/bin/python -m pip install $(PIP_QUIET) pip==26.1.2
	$(PYTHON) -m venv $(TOOLS)/poetry
	$(TOOLS)/poetry/bin/python -m pip install $(PIP_QUIET) --upgrade pip
	$(TOOLS)/poetry/bin/python -m pip install $(PIP_QUIET) poetry==2.5.1 -e .
	$(PYTHON) -m venv $(TOOLS)/hatch
	$(TOOLS)/hatch/bin/python -m pip install $(PIP_QUIET) hatch==1.18.2 -e .
	$(PYTHON) -m venv $(TOOLS)/poetry-1.8
	$(TOOLS)/poetry-1.8/bin/python -m pip install $(PIP_QUIET) poetry==1.8.5 keyring==24.0.0 -e .
	$(PYTHON) -m venv $(TOOLS)/pdm
	$(TOOLS)/pdm/bin/python -m pip install $(PIP_QUIET) pdm==2.29.4 hishel==1.4.0 -e .
	$(PYTHON) -m venv $(TOOLS)/pdm-cli
	$(TOOLS)/pdm-cli/bin/python -m pip install $(PIP_QUIET) pdm==2.29.4 hishel==1.4.0
	$(PYTHON) -m venv $(TOOLS)/pipenv
	$(TOOLS)/pipenv/bin/python -m pip install $(PIP_QUIET) pipenv==2026.10.3
	$(PYTHON) -m venv $(TOOLS)/pip-tools
	$(TOOLS)/pip-tools/bin/python -m pip install $(PIP_QUIET) --upgrade pip==26.3
	$(TOOLS)/pip-tools/bin/python -m pip install $(PIP_QUIET) pip-tools==7.6.2
	$(PYTHON) -m venv $(TOOLS)/flit
	$(TOOLS)/flit/bin/python -m pip install $(PIP_QUIET) flit==4.2.0 -e .
	$(PYTHON) -m venv $(TOOLS)/pipx
	$(TOOLS)/pipx/bin/python -m pip install $(PIP_QUIET) pipx==1.18.4
	touch $@

clean:
	rm -rf $(VENV) $(TOOLS) $(VERSIONS_DIR) $(MUTATE) mutants .venv-bench build *.egg-info
