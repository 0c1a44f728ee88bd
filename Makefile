# Qorgau — two commands on a fresh machine with Python 3.12+ (Django 6) and make:
#   make demo   — install, migrate SQLite, load demo data and users, serve on 127.0.0.1:8000
#   make test   — install and run the whole suite (SQLite, or PostgreSQL if DATABASE_URL says so)

# The first Python 3.12+ that runs: commands on PATH, then pyenv's installs (whose shims fail for
# a version that is not pyenv's global one, so each candidate is run, not only looked up).
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The suite on every core (pytest-xdist; each worker its own test database): `make test TEST_WORKERS=0`
# runs it in one process.
TEST_WORKERS ?= auto

.PHONY: install demo test lint messages frontend clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@# A virtual environment made earlier with an older Python is made anew.
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
		test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required"; exit 1; }; \
		echo "$(VENV) has Python < 3.12: making it anew with $(PYTHON)"; \
		rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)
	$(BIN)/python -m qorgau.core.catalogues

demo: install
	mkdir -p var
	@# The demo's own secret key, kept in var/ (docs/security.md): commands such as
	@# `.venv/bin/qorgau totp-code admin` then run without DEBUG=1.
	@test -s var/secret_key || (umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(60))' > var/secret_key)
	DEBUG=1 $(BIN)/qorgau migrate --noinput
	DEBUG=1 $(BIN)/qorgau load-demo --if-empty --lang en
	DEBUG=1 $(BIN)/qorgau create-demo-users --lang en
	@echo ""
	@echo "  Qorgau is running at http://$(HOST):$(PORT)/login/  (public page: http://$(HOST):$(PORT)/kk/, admin: http://$(HOST):$(PORT)/admin/)"
	@echo ""
	@# The background worker (case imports uploaded in the browser, webhook deliveries) runs
	@# beside the server and is stopped with it.
	DEBUG=1 $(BIN)/qorgau db_worker --queue-name default,webhooks --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=1 $(BIN)/qorgau runserver $(HOST):$(PORT)

test: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy src/qorgau
	$(BIN)/qorgau makemigrations --check --dry-run --settings=tests.settings --pythonpath=.
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

messages: install
	cd src/qorgau && ../../$(BIN)/qorgau makemessages --no-obsolete --no-location -l kk -l ru -l en --settings=tests.settings --pythonpath=../..
	$(BIN)/python -m qorgau.core.catalogues

# GOV.UK Frontend, vendored: rebuilds src/qorgau/core/static/govuk/ from npm (needs Node.js and
# npm; the result is committed, so nothing else needs them). docs/frontend.md says what and why.
frontend:
	cd frontend && npm ci --no-audit --no-fund && npm run build
	cp frontend/node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js src/qorgau/core/static/govuk/

clean:
	rm -rf $(VENV) var .pytest_cache
