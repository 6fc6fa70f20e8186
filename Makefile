# The front door: `make run` runs the whole system here, `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test setup bench clean

setup:
	@VENV=$(VENV) deploy/setup.sh

run: setup
	@$(VENV)/bin/bakohumas run

test:
	@VENV=$(VENV) deploy/setup.sh --management
	@$(PY) -m pytest $(PYTEST_ARGS)

bench: setup
	@$(PY) -m bench

clean:
	rm -rf data .pytest_cache
