# Entracte — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test test-fast bench messages lint clean

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

# Everything but the browser journeys and the big races.
test-fast: install
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/onsale.py

# Regenerate the translation catalogues after changing user-facing strings.
messages: install
	cd entracte && ../$(BIN)/django-admin makemessages -l fr -l en -l de -l es --no-obsolete
	cd entracte && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) var staticfiles
