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
#                flit     flit with this package beside it
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
	touch $@

clean:
	rm -rf $(VENV) $(TOOLS) .venv-bench build *.egg-info
