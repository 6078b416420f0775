# The two commands a newcomer needs: `make run` and `make test`. Both start from a
# fresh machine: they build .venv, install the pinned dependencies, migrate and load
# the demo county (`make setup`) before doing anything else.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: setup run test lint check browser test-sqlite test-postgres screenshots clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

setup: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddemo

run: setup
	@echo "Serving the demo county at http://127.0.0.1:8000 (Ctrl-C stops it)"
	$(PY) manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(STAMP)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

browser:
	scripts/ensure-browser

test-sqlite: $(STAMP) browser
	$(PY) -m pytest -n 2

test-postgres: $(STAMP) browser
	scripts/with-postgres $(PY) -m pytest -n 2

test: setup lint check test-sqlite test-postgres
	@echo "All checks passed: lint, migrations, the suite (browser tests included) on SQLite and on PostgreSQL."

screenshots: setup browser
	$(PY) scripts/readme_screenshots.py

clean:
	rm -rf $(VENV) db.sqlite3* test-db*.sqlite3* staticfiles test-artifacts
