# fupin: the two commands are `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint typecheck test-sqlite test-postgres bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

demo: $(STAMP)
	$(BIN)/fupin demo
	$(BIN)/fupin collectstatic --noinput --verbosity 0
	FUPIN_SERVE_STATIC=1 $(BIN)/gunicorn fupin.wsgi -b 127.0.0.1:8000 -w 2

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy src/fupin/core src/fupin/regions src/fupin/policy src/fupin/registry src/fupin/synth src/fupin/targeting src/fupin/stats src/fupin/pairing src/fupin/monitoring src/fupin/support src/fupin/web src/fupin/jobs src/fupin/api.py src/fupin/urls.py src/fupin/settings.py

test-sqlite: $(TEST_STAMP)
	FUPIN_VAR_DIR=$(CURDIR)/var/test-sqlite $(BIN)/pytest

test-postgres: $(TEST_STAMP)
	FUPIN_VAR_DIR=$(CURDIR)/var/test-postgres $(BIN)/pytest --postgres

# The two databases' suites run side by side on two cores, each with its own var
# directory (uploads, photos, job files); each one's output is printed whole when it ends.
test: lint typecheck
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@ $(TEST_STAMP) $(STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var
