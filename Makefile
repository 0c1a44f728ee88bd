# Qorgau — two commands on a fresh machine with Python 3.11+ and make:
#   make demo   — install, migrate SQLite, load demo data and users, serve on 127.0.0.1:8000
#   make test   — install and run the whole suite (SQLite, or PostgreSQL if DATABASE_URL says so)

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test lint messages clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/python -m qorgau.core.catalogues

demo: install
	mkdir -p var
	DEBUG=1 $(BIN)/qorgau migrate --noinput
	DEBUG=1 $(BIN)/qorgau load-demo --if-empty --lang en
	DEBUG=1 $(BIN)/qorgau create-demo-users --lang en
	@echo ""
	@echo "  Qorgau is running at http://$(HOST):$(PORT)/login/  (public page: http://$(HOST):$(PORT)/kk/, admin: http://$(HOST):$(PORT)/admin/)"
	@echo ""
	DEBUG=1 $(BIN)/qorgau runserver $(HOST):$(PORT)

test: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src/qorgau
	$(BIN)/qorgau makemigrations --check --dry-run --settings=tests.settings --pythonpath=.
	$(BIN)/pytest $(PYTEST_ARGS)

messages: install
	cd src/qorgau && ../../$(BIN)/qorgau makemessages --no-obsolete --no-location -l kk -l ru -l en --settings=tests.settings --pythonpath=../..
	$(BIN)/python -m qorgau.core.catalogues

clean:
	rm -rf $(VENV) var .pytest_cache
