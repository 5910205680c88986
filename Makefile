# district-sim: `make run` then `make test`. The Makefile finds a Python >= 3.12 by itself
# (tools/find-python), builds .venv from pyproject.toml + requirements.lock, and reuses it.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/woodworking_kaluga.yaml
ARGS ?=
PILOT ?= woodworking_kaluga
PORT ?= 8765

.PHONY: run dashboard test test-all test-fuzz baseline validate bench lint format lock clean help

help:
	@echo "make run [SCENARIO=scenarios/food_tambov.yaml] [ARGS='--workers 2']  run a scenario"
	@echo "make dashboard [PILOT=food_tambov] [PORT=8765]  the district and its twin side by side in a browser"
	@echo "make test       quick test suite (what CI runs)"
	@echo "make test-all   every test, the long statistical checks too"
	@echo "make test-fuzz  property tests searching at random, FUZZ_EXAMPLES per test (default 1000)"
	@echo "make baseline   rewrite tests/baseline.json after a change meant to move the numbers"
	@echo "make validate   the full validation suite (analytic limits and evidence), a few minutes"
	@echo "make bench      speed and memory against Mesa's BoltzmannWealth, and the 2-worker speed-up"
	@echo "make lint       ruff"
	@echo "make lock       refresh requirements.lock from the current .venv"
	@echo "make clean      remove .venv and caches"

$(STAMP): pyproject.toml requirements.lock
	@py=$$(sh tools/find-python) || exit 1; \
	echo "Using $$py ($$($$py --version 2>&1)) for $(VENV)"; \
	if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then rm -rf $(VENV); fi; \
	[ -x $(PY) ] || $$py -m venv $(VENV) || { echo "could not create $(VENV) with $$py" >&2; exit 1; }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@# setuptools warns about the flat layout of an editable install; the warning is expected
	PYTHONWARNINGS=ignore $(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

run: $(STAMP)
	$(PY) simulate.py $(SCENARIO) $(ARGS)

dashboard: $(STAMP)
	@echo "district-sim dashboard of $(PILOT): open http://127.0.0.1:$(PORT) (Ctrl-C stops it)"
	DISTRICT_SIM_PILOT=$(PILOT) PYTHONPATH=. $(PY) -m solara run model.dashboard --host 127.0.0.1 --port $(PORT) \
	    --production --no-open --no-check-version

test: $(STAMP)
	$(PY) -m pytest -m "not slow" -q

test-all: $(STAMP)
	$(PY) -m pytest -q

test-fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest -q tests/test_fuzz.py \
	    tests/test_accounting.py::test_random_valid_scenarios_conserve_money_units_and_capacity

baseline: $(STAMP)
	$(PY) tests/test_baseline.py --write

validate: $(STAMP)
	$(PY) simulate.py validate $(ARGS)

bench: $(STAMP)
	$(PY) bench/bench.py $(ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

lock: $(STAMP)
	@{ head -n 2 requirements.lock; $(PY) -m pip freeze --all --exclude-editable | grep -v -e "^district-sim" -e "^pip=="; } > requirements.lock.new
	@mv requirements.lock.new requirements.lock
	@echo "requirements.lock refreshed"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
