# `make test` and `make demo` set up everything it needs on first use; nothing is installed by hand.
#   .venv        the test environment: this package, pytest, the stand-ins, twine, uv
#   .venv-tools  environments of their own for clients that must not share .venv:
#                keyring  the keyring CLI that pip's subprocess provider and uv run
#                pip-26.1 an older pip, whose subprocess provider calls `keyring get URL USER`
#                poetry   poetry, with this package beside it as `poetry self add` would put it
#                hatch    hatch, which asks keyring by repository name
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .venv-tools
PIP_QUIET := --quiet --disable-pip-version-check

.PHONY: test demo bench clean

bench: $(VENV)/.installed
	$(BIN)/python benchmarks/compare.py $(BENCH_ARGS)

demo: $(VENV)/.installed
	$(BIN)/python tests/demo.py

test: $(VENV)/.installed $(TOOLS)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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
	touch $@

clean:
	rm -rf $(VENV) $(TOOLS) .venv-bench build *.egg-info
