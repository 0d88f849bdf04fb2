# Intake: `make run` for a local server with demo data, `make test` for the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
VENDOR := static/vendor
PO := locale/es/LC_MESSAGES/django.po
MO := locale/es/LC_MESSAGES/django.mo

.PHONY: run worker test lint assets venv migrate seed bench docs clean browser messages compiled screenshots

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent

# Copy the distributed files of the npm packages into static/ so that the app serves them,
# unchanged, each with the source map it names: collectstatic's manifest storage rewrites every
# sourceMappingURL to the hashed map and stops with MissingFileError when the map is absent.
# (tests/test_production.py checks that every named map exists and that collectstatic passes.)
# The Makefile is a prerequisite so that a change to this list rebuilds existing checkouts.
$(VENDOR)/.built: node_modules/.package-lock.json Makefile
	rm -rf $(VENDOR)
	mkdir -p $(VENDOR)/bootstrap $(VENDOR)/chartjs $(VENDOR)/axe
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/bootstrap/
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map $(VENDOR)/chartjs/
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	touch $@

assets: $(VENDOR)/.built

# Spanish: the .po is translated by people and committed; the .mo is built from it, never edited.
# msgfmt is GNU gettext (`apt-get install gettext`; .ci/run installs it).
$(MO): $(PO)
	@command -v msgfmt >/dev/null || { echo "GNU gettext is required: apt-get install gettext"; exit 1; }
	msgfmt --check -o $@ $<

compiled: $(MO)

# After changing patient-facing text: refresh the .po, then translate what is new or changed.
messages: venv
	DEBUG=true $(PY) manage.py patient_messages

migrate: venv compiled
	DEBUG=true $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=true $(PY) manage.py seed_demo

# The web server, and with a broker (REDIS_URL or CELERY_BROKER_URL) a Celery worker with beat
# beside it; Ctrl-C stops both. Without one, background tasks run inline in the web process.
run: venv assets migrate
	DEBUG=true $(PY) manage.py seed_demo
	@if [ -n "$$REDIS_URL$$CELERY_BROKER_URL" ]; then \
	  echo "== Celery worker with beat on $${CELERY_BROKER_URL:-$$REDIS_URL} (Ctrl-C stops it and the web server)"; \
	  DEBUG=true $(VENV)/bin/celery -A config worker --beat --loglevel=INFO & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000; \
	else \
	  echo "== No REDIS_URL: background tasks (alert e-mails) run inline in the web process, and"; \
	  echo "   nothing runs on a schedule. Set REDIS_URL=redis://127.0.0.1:6379/0 for a worker with beat."; \
	  DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000; \
	fi

# A Celery worker alone (production runs several, and one `celery -A config beat`).
worker: venv
	@if [ -z "$$REDIS_URL$$CELERY_BROKER_URL" ]; then \
	  echo "make worker needs a broker: set REDIS_URL (e.g. redis://127.0.0.1:6379/0)"; exit 2; fi
	$(VENV)/bin/celery -A config worker --loglevel=INFO

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check intake config tests bench

test: venv assets compiled lint
	TESTING=true $(PY) manage.py makemigrations --check --dry-run
	# Static security checks: medium severity and up (a justified `# nosec` names its reason).
	$(VENV)/bin/bandit -q -r intake config --severity-level medium
	$(VENV)/bin/pytest -n 2 --dist loadfile -m "not transactional"
	@head -n 1 test-results/bad-input-matrix.txt 2>/dev/null || true
	# Transactional and live-server tests empty the database when they end: a process of
	# their own, so that no other test sees the emptied tables (see tests/conftest.py). The
	# alert delivery tests are among them: on PostgreSQL they start Celery workers on Redis
	# (TEST_REDIS_URL, default db 2) and an SMTP server; on SQLite they skip.
	$(VENV)/bin/pytest -p no:xdist -m transactional

# Back up the database (DATABASE_URL, or the SQLite file) into BACKUP_DIR; restore one with
# `make restore FILE=var/backups/intake-<time>.dump` (asks first; stop the app before).
backup: venv
	$(PY) manage.py backup

restore: venv
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/intake-<time>.dump"; exit 2; }
	$(PY) manage.py restore "$(FILE)"
# Phone and desktop screenshots of the main patient pages, English and Spanish (README).
screenshots: venv assets compiled
	SCREENSHOTS_DIR=docs/screenshots $(VENV)/bin/pytest -p no:xdist -q tests/browser/test_screenshots.py

docs: venv
	TESTING=true $(PY) manage.py routing_docs

# make bench: the app against a bare Django project through gunicorn, PostgreSQL and wrk
# (bench/run.py; docs/performance.md). QUICK=1 for the short run (under 5 minutes).
bench: venv assets
	QUICK=$(QUICK) $(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) staticfiles db.sqlite3 $(MO)
