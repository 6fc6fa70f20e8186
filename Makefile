# The front door: `make run` runs the whole system here, `make test` runs every test.
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test setup bench guide clean

setup:
	@VENV=$(VENV) deploy/setup.sh

run: setup
	@$(VENV)/bin/bakohumas run

# Two passes: the suite (under nameko's pytest plugin and eventlet), then the browser tests
# without them (--confcutdir keeps tests/conftest.py's monkey-patching out). Either failing fails.
test:
	@VENV=$(VENV) deploy/setup.sh --management --browser
	@$(PY) -m pytest --ignore=tests/browser --durations=15 $(PYTEST_ARGS); suite=$$?; \
	  $(PY) -m pytest -p no:pytest_nameko --confcutdir=tests/browser tests/browser $(BROWSER_PYTEST_ARGS); \
	  browser=$$?; [ $$suite -eq 0 ] && [ $$browser -eq 0 ]

bench: setup
	@$(PY) -m bench

# The user guide as a site in build/guide (open build/guide/index.html). Its pictures are committed;
# tests/browser/test_guide_screenshots.py (run by `make test`) takes them again.
guide: setup
	@$(PY) -m mkdocs build --strict

clean:
	rm -rf data .pytest_cache
