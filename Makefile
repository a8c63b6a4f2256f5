# Cymuned: `make run` to try it, `make test` to test it. Both set everything up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes: the machines have 2 cores; each worker gets its own test database.
PYTEST_WORKERS ?= 2

.PHONY: run setup venv npm static messages migrate demo test test-fast audit lint check-deploy chromium drill bench bench-seed bench-heatmap bench-availability bench-import bench-dashboard load-test clean

run: setup migrate demo  ## Set up, load the demo borough and serve on http://127.0.0.1:8000
	@$(PY) manage.py demo_accounts
	$(PY) manage.py runserver $(HOST):$(PORT)

setup: venv npm messages static

venv: $(VENV)/.installed
$(VENV)/.installed: requirements/base.txt requirements/dev.txt requirements/constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements/dev.txt -c requirements/constraints.txt
	touch $@

npm: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages: venv
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

static: venv npm
	$(PY) manage.py collectstatic --noinput -v 0

migrate: venv
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v 0

demo: venv
	$(PY) manage.py seed_demo

chromium:  ## Debian's Chromium for the browser tests (Playwright's own download cannot work here)
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

lint: venv
	$(VENV)/bin/ruff check cymuned config tests bench
	$(VENV)/bin/djlint templates --check --quiet || $(VENV)/bin/djlint templates --lint

check-deploy: venv
	DJANGO_SETTINGS_MODULE=config.settings.production DJANGO_SECRET_KEY=$$(openssl rand -hex 40) \
	  DJANGO_ALLOWED_HOSTS=cymuned.example.gov.uk DATABASE_URL=postgres://u:p@localhost:5432/cymuned \
	  $(PY) manage.py check --deploy --fail-level WARNING

test: setup chromium  ## The whole suite against a throwaway PostgreSQL, with browser tests in Chromium
	$(VENV)/bin/ruff check cymuned config tests bench
	$(MAKE) --no-print-directory check-deploy
	$(PY) manage.py makemigrations --check --dry-run -v 0
	$(PY) scripts/check_translations.py locale/cy/LC_MESSAGES/django.po
	$(PY) scripts/audit_dependencies.py
	scripts/with-postgres.sh $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --durations=15 $(PYTEST_ARGS)

audit: venv  ## Known vulnerabilities in the pinned dependencies (pip-audit), against requirements/audit-triage.txt
	$(PY) scripts/audit_dependencies.py

test-fast: setup  ## The suite without browser tests
	scripts/with-postgres.sh $(VENV)/bin/pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

drill: setup  ## Backup and restore drill on the demo borough in a throwaway PostgreSQL: dump, restore, compare, verify
	scripts/with-postgres.sh bash -c '$(PY) manage.py migrate -v 0 && $(PY) manage.py seed_demo -v 0 && $(PY) manage.py backup_drill'

bench-seed: setup  ## Time the national-size demo generator on PostgreSQL
	scripts/with-postgres.sh bash -c '$(PY) manage.py migrate -v 0 && time $(PY) manage.py seed_demo --scale national'

bench-heatmap: setup  ## The LA heatmap at national size against one raw SQL query (ratio)
	scripts/with-postgres.sh bash -c '$(PY) manage.py migrate -v 0 && $(PY) manage.py seed_demo --scale $${BENCH_SCALE:-national} -v 0 && $(PY) bench/heatmap.py'

bench-availability: setup  ## A week's availability search, LA-wide and national, against one raw SQL query (ratio)
	scripts/with-postgres.sh bash -c '$(PY) manage.py migrate -v 0 && $(PY) bench/bench_availability.py'

bench-import: setup  ## An LA's year of attendance marks (3.6 million) imported, against a bare COPY of the same file (ratio, peak memory)
	scripts/with-postgres.sh bash -c '$(PY) manage.py migrate -v 0 && $(PY) bench/bench_attendance_import.py'

bench-dashboard: setup  ## LA and national outcome dashboards (p50/p95) against a raw scan of the marks (BENCH_SCALE=0.1 for a quick run)
	scripts/with-postgres.sh bash -c '$(PY) manage.py migrate -v 0 && $(PY) bench/bench_outcomes_dashboard.py --scale $${BENCH_SCALE:-1.0}'

bench: bench-seed bench-heatmap bench-availability bench-import bench-dashboard

load-test: setup  ## The demo borough behind gunicorn on 127.0.0.1, 40 locust users for 60 s, then latencies and a double-booking check
	scripts/with-postgres.sh $(PY) bench/load/run.py

clean:
	rm -rf $(VENV) node_modules staticfiles var .pytest_cache
