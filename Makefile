# laokg: the two newcomer commands (see README). `make run` sets up and runs the main job on
# the embedded graph; `make test` sets up and runs the test suite. Both create .venv on first use.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	$(BIN)/laokg validate
	$(BIN)/laokg stats
	$(BIN)/laokg build

test: $(VENV)/.installed
	$(BIN)/pytest

# make test-fast: the suite without the external-tool and slow tests (markers in pyproject.toml,
# applied in tests/conftest.py), on one pytest-xdist worker per core; before a commit. CI runs
# the whole `make test`.
FAST := not (browser or jena or grlc or virtuoso or server or scale or slow)
test-fast: $(VENV)/.installed
	$(BIN)/pytest -q -n auto -m "$(FAST)"

# make lint: ruff's rules, ruff's formatting (--check: reports, changes nothing) and mypy, as
# configured in pyproject.toml (the `lint` extra); .ci/run runs it before the tests
$(VENV)/.lint: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[lint]'
	touch $@

lint: $(VENV)/.lint
	status=0; \
	$(BIN)/ruff check src tests benchmarks hatch_build.py || status=1; \
	$(BIN)/ruff format --check src tests benchmarks hatch_build.py || status=1; \
	$(BIN)/mypy || status=1; \
	exit $$status

# make bench: whole-process times and peak memory per scale, with the baselines (docs/performance.md).
# Quick run: make bench BENCH_ARGS="--scales real,10k --repeats 1"; all scales:
# make bench BENCH_ARGS="--scales real,10k,100k,1m --repeats 3 --repeats-large 1"
BENCH_ARGS ?= --scales real,10k,100k --repeats 3 --repeats-large 1
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) dist .pytest_cache
