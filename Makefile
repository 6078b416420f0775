# The two commands a newcomer needs: `make run` and `make test`. Both start from a
# fresh machine: the Debian packages the product needs (the CJK font), then .venv
# with the pinned dependencies, the migrations and the demo county (`make setup`),
# before anything else.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: system system-test setup run dev test lint check test-sqlite test-postgres reliability screenshots clean

# System packages first: matplotlib caches the machine's font list the first time it
# is imported, and the charts need the CJK font in it.
system:
	scripts/ensure-system

system-test:
	scripts/ensure-system test

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

# The event log's key, generated once (as scripts/serve does): the demo county's log
# is written with it, and the settings read it in development (DEBUG on).
var/event_chain_key:
	mkdir -p var && (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(64))' > $@)

setup: system $(STAMP) var/event_chain_key
	$(PY) manage.py migrate --noinput
	$(PY) manage.py loaddemo
	test -n "$$(ls var/router/router-*.joblib 2>/dev/null)" || $(PY) manage.py train_router

# The production stack on the loopback: gunicorn, whitenoise, DEBUG off, and the
# background worker beside it (scripts/serve).
run: setup
	scripts/serve

# For developers: Django's autoreloading server with DEBUG on, and the worker.
dev: setup
	$(PY) manage.py work & trap "kill $$!" EXIT; $(PY) manage.py runserver 127.0.0.1:8000

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(STAMP)
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Two workers. (Not --dist loadscope or loadfile: with them, xdist ran 3 of the 43
# schemathesis tests of the API and said nothing of the other 40.)
PYTEST := $(PY) -m pytest -n 2

test-sqlite: system-test $(STAMP)
	$(PYTEST)

test-postgres: system-test $(STAMP)
	scripts/with-postgres $(PYTEST)

test: system-test setup lint check test-sqlite test-postgres
	@echo "All checks passed: lint, migrations, the suite (browser tests included) on SQLite and on PostgreSQL."

# The long runs behind RELIABILITY.md, on SQLite and on PostgreSQL: the property-based
# tests with FUZZ_EXAMPLES examples per form (10,000 by default: many hours on two
# cores; `make reliability FUZZ_EXAMPLES=200` for a shorter one), and the load-and-crash
# script (CRASH_POSTS posts, kill -9 of gunicorn CRASH_KILLS times). The figures are
# written to test-artifacts/reliability/.
FUZZ_EXAMPLES ?= 10000
CRASH_POSTS ?= 1000
CRASH_KILLS ?= 5
RELIABILITY := test-artifacts/reliability
FUZZ_TESTS := wenzheng/security/tests/test_hostile_forms.py wenzheng/api/tests/test_openapi.py
reliability: system-test $(STAMP)
	mkdir -p $(RELIABILITY)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_REPORT=$(RELIABILITY)/fuzz-sqlite.jsonl $(PY) -m pytest -n 2 -q $(FUZZ_TESTS)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_REPORT=$(RELIABILITY)/fuzz-postgres.jsonl \
		scripts/with-postgres $(PY) -m pytest -n 2 -q $(FUZZ_TESTS)
	$(PY) bench/crash.py --posts $(CRASH_POSTS) --kills $(CRASH_KILLS) > $(RELIABILITY)/crash-sqlite.txt; \
		s=$$?; cat $(RELIABILITY)/crash-sqlite.txt; exit $$s
	scripts/with-postgres $(PY) bench/crash.py --posts $(CRASH_POSTS) --kills $(CRASH_KILLS) \
		> $(RELIABILITY)/crash-postgres.txt; s=$$?; cat $(RELIABILITY)/crash-postgres.txt; exit $$s

screenshots: system-test setup
	$(PY) scripts/readme_screenshots.py

clean:
	rm -rf $(VENV) db.sqlite3* test-db*.sqlite3* staticfiles test-artifacts
