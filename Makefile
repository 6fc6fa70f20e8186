# The front door: `make run` runs the whole system here, `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test setup bench guide clean

setup:
	@VENV=$(VENV) deploy/setup.sh

run: setup
	@$(VENV)/bin/bakohumas run

# Every test in parallel lanes (tests/suite.py): the unit, integration and e2e layers under nameko's
# pytest plugin and eventlet, the browser tests without them (--confcutdir keeps tests/conftest.py's
# monkey-patching out); each layer's time printed at the end. Any failing part fails.
# SUITE_ARGS="--lanes 4", "--layer unit", "-- -k calendar" choose how many, which layers, which tests.
test:
	@VENV=$(VENV) deploy/setup.sh --management --browser
	@$(PY) -m tests.suite $(SUITE_ARGS)

bench: setup
	@$(PY) -m bench

# The user guide as a site in build/guide (open build/guide/index.html). Its pictures are committed;
# tests/browser/test_guide_screenshots.py (run by `make test`) takes them again.
guide: setup
	@$(PY) -m mkdocs build --strict

clean:
	rm -rf data .pytest_cache
