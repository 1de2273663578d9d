# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PHONES ?= 2000
# Test worker processes (pytest-xdist); each test file runs whole in one of them.
TEST_WORKERS ?= 2
ASSEMBLIES ?= 1000
MOTIONS ?= 50
BALLOTS ?= 5000000

.PHONY: run test lint format bench bench-national vendor clean

$(BIN)/assembly: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(BIN)/assembly
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/assembly
	$(BIN)/assembly db upgrade
	$(BIN)/assembly demo --if-empty
	$(BIN)/assembly serve --host $(HOST) --port $(PORT)

test: $(VENV)/.dev lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.dev
	@test -f tests/load/bench.py || { echo "The load benchmark is not built yet (see the performance issue)."; exit 2; }
	$(BIN)/python -m tests.load.bench --phones $(PHONES)
	$(MAKE) bench-national

# The House's pages on generated national data (cached under .bench/), SQLite and PostgreSQL.
bench-national: $(VENV)/.dev
	$(BIN)/python -m tests.load.national_pages --assemblies $(ASSEMBLIES) --motions $(MOTIONS) --ballots $(BALLOTS)

vendor:
	./scripts/vendor.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
