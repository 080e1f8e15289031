# `make test` and `make demo` set up .venv on first use; nothing needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test clean

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(STAMP): setup.cfg pyproject.toml requirements-test.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . -r requirements-test.txt
	touch $(STAMP)

clean:
	rm -rf $(VENV) build *.egg-info
