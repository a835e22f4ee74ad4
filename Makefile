# Public Service Mutuals: `make run` to serve the site, `make test` to run the whole suite.
# Each target installs what it needs first; installs are skipped while their inputs are unchanged.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
CSS := static/build/css/psm.css static/build/css/psm-gds.css

.DEFAULT_GOAL := help
.PHONY: help run worker test test-fast lint bench collectstatic clean prod prod-stop deploy backup restore fuzz audit

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CSS) &: node_modules/.package-lock.json $(wildcard static/scss/*.scss)
	npm run --silent build:css

run: $(VENV)/.runtime $(CSS) ## Install, migrate, build the postcode lookup and load fixtures/ (first time only) and serve http://127.0.0.1:8000
	DJANGO_DEBUG=on $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=on $(PY) manage.py build_postcodes --if-needed
	DJANGO_DEBUG=on $(PY) manage.py load_initial_content
	DJANGO_DEBUG=on $(PY) manage.py create_demo_users
	DJANGO_DEBUG=on $(PY) manage.py runserver 127.0.0.1:$(PORT)

ALERTS_CLOCK_SECONDS ?= 120
export ALERTS_CLOCK_SECONDS

# deploy/keep-running starts each again within seconds if it stops (a crash, a kill).
worker: $(VENV)/.runtime ## Beside `make run`: the task worker and the alerts clock, restarted if they stop (emails print here unless EMAIL_HOST is set)
	DJANGO_DEBUG=on deploy/keep-running $(PY) manage.py alerts_clock --every $(ALERTS_CLOCK_SECONDS) & clock=$$!; \
	trap "kill $$clock" EXIT INT TERM; \
	DJANGO_DEBUG=on deploy/keep-running $(PY) manage.py db_worker --no-reload

# The suite runs in TEST_WORKERS processes (pytest-xdist; `auto` is one per core, 0 runs it in this
# process), each test file in one worker, handed out in the order tests/conftest.py sets (longest
# first; --no-loadscope-reorder stops pytest-xdist putting files with the most tests first instead).
# PYTEST_ARGS='-p randomly' shuffles the order (pytest-randomly).
TEST_WORKERS ?= auto

test: $(VENV)/.dev $(CSS) ## Install test tools and run the whole suite (browser tests need Debian's chromium)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

test-fast: $(VENV)/.dev $(CSS) ## The suite without browser tests
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.dev ## ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

collectstatic: $(VENV)/.runtime $(CSS) ## Build hashed, compressed static files for production
	$(PY) manage.py collectstatic --noinput --ignore '*.scss'

bench: $(VENV)/.dev $(CSS) ## Measure the site at 37, 110 and 5,000 mutuals; ARGS=--postgres for PostgreSQL (benchmarks/README.md)
	$(PY) benchmarks/run.py $(ARGS)

# The production stack on this machine (deploy/prod): nginx on PROD_PORT in front of one gunicorn
# app server per port in APP_PORTS, PostgreSQL (DATABASE_URL), Redis (REDIS_URL), a task worker.
prod: $(VENV)/.runtime $(CSS) ## Start nginx, app servers, task worker (and PostgreSQL, Redis if down; the role and database if missing); migrate, collectstatic
	deploy/prod up

deploy: $(VENV)/.runtime $(CSS) ## Roll the code on disk out to the running stack: migrate, collectstatic, one app server at a time, no request refused
	deploy/prod deploy

prod-stop: ## Stop what `make prod` started, nothing else
	deploy/prod down

backup: $(VENV)/.runtime ## pg_dump of DATABASE_URL plus a copy of media, in backups/<timestamp>/
	deploy/backup save

restore: $(VENV)/.runtime ## Restore a backup made by `make backup`: make restore FILE=backups/<timestamp>
	deploy/backup restore "$(FILE)"

clean: ## Remove installed tools, built assets and the local database
	rm -rf $(VENV) node_modules static/build staticfiles db.sqlite3 db.sqlite3-*

fuzz: $(VENV)/.dev $(CSS) ## Property-based tests over every public URL with many more examples (FUZZ_EXAMPLES=2000)
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-2000} $(PY) -m pytest tests/site/test_fuzz.py -q $(PYTEST_ARGS)

audit: $(VENV)/.dev ## pip-audit and npm audit --omit=dev (exceptions in .ci/audit-ignore)
	$(PY) .ci/audit.py
