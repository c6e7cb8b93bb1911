# Entracte — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test test-fast bench bench-install messages lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff's default rules (pyproject.toml says which are left out, and why); .ci/run runs it too.
lint: install
	$(BIN)/ruff check .

# Everything but the browser journeys and the big races.
test-fast: install
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

# The benchmarks run on the machine's own CPython where it has one: Debian's is built with PGO
# and LTO and links libpython into the executable, and costs 13-19 % less CPU per request than
# a default source build such as pyenv's (docs/performance.md, session 14). The server and the
# task worker run on the interpreter the bench runs on.
SYSTEM_PYTHON ?= /usr/bin/python3
BENCH_VENV    := .venv-system
BENCH_STAMP   := $(BENCH_VENV)/.installed

bench-install: $(BENCH_STAMP)

$(BENCH_STAMP): pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(SYSTEM_PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e ".[bench]"
	touch $(BENCH_STAMP)

bench: bench-install
	$(BENCH_VENV)/bin/python bench/onsale.py

# Regenerate the translation catalogues after changing user-facing strings.
messages: install
	cd entracte && ../$(BIN)/django-admin makemessages -l fr -l en -l de -l es --no-obsolete
	cd entracte && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) $(BENCH_VENV) var staticfiles
