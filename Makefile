# The two commands of the README: `make demo` and `make test`. Everything they need is
# installed here, into .venv, from the package registry; the pages' browser code (hls.js, htmx) comes
# from the npm registry into node_modules and is copied to web/static/vendor (never committed).
# axe-core (a devDependency) stays in node_modules: the accessibility test injects it into pages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
NPM ?= npm
VENDOR := src/livebazaar/web/static/vendor
NPM_STAMP := node_modules/.livebazaar-npm-ci

.PHONY: demo test install install-dev install-bench frontend lint typecheck pytest bench clean messages

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

# npm ci runs again only when node_modules (and so the stamp) is gone or the lock file changed.
$(NPM_STAMP): package.json package-lock.json
	@command -v $(NPM) >/dev/null 2>&1 || { echo "make frontend: npm is not installed." \
	  "The viewer page's video player (hls.js) comes from the npm registry:" \
	  "install Node.js 18 or newer (it brings npm), then run make again." >&2; exit 1; }
	$(NPM) ci --no-audit --no-fund
	touch $@

$(VENDOR)/hls.min.js: $(NPM_STAMP)
	mkdir -p $(VENDOR)
	cp node_modules/hls.js/LICENSE $(VENDOR)/hls.js.LICENSE
	cp node_modules/hls.js/dist/hls.min.js $@.tmp
	mv $@.tmp $@

# htmx runs the seller dashboard's forms (web/pages/seller.py); only the seller pages load it.
$(VENDOR)/htmx.min.js: $(NPM_STAMP)
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/LICENSE $(VENDOR)/htmx.LICENSE
	cp node_modules/htmx.org/dist/htmx.min.js $@.tmp
	mv $@.tmp $@

frontend: $(VENDOR)/hls.min.js $(VENDOR)/htmx.min.js

install: $(BIN)/uv frontend
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e .

install-dev: $(BIN)/uv frontend
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'

# The peers the benchmarks measure ours against (Django Channels + channels-redis), from PyPI.
install-bench: $(BIN)/uv frontend
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev,bench]'

demo: install
	$(BIN)/livebazaar demo --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

# The suite runs on the embedded SQLite default; with LIVEBAZAAR_TEST_DATABASE_URL set (CI sets
# it) it runs a second time, whole, with every test on its own PostgreSQL database.
pytest: install-dev
	env -u LIVEBAZAAR_TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)
	@if [ -n "$$LIVEBAZAAR_TEST_DATABASE_URL" ]; then \
	  echo "== the same suite on PostgreSQL ($$LIVEBAZAAR_TEST_DATABASE_URL)"; \
	  $(BIN)/pytest $(PYTEST_ARGS); \
	fi

test: lint typecheck pytest

# bench/video_latency.py needs nginx with the RTMP module for its peer; run it by hand.
# flash_sale, broker_publish and fanout need PostgreSQL and Redis (flash_sale: about 10 minutes,
# 500 and 5,000 claimers on four servers; fanout: about 10 minutes, 20,000 sockets).
bench: install-bench
	$(BIN)/python bench/flash_sale.py
	$(BIN)/python bench/broker_publish.py
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/frame_writes.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache node_modules $(VENDOR)

# After changing page text: find the msgids (babel.cfg) and add the new ones to every .po, then
# translate them (tests/web/test_i18n.py fails on an empty or fuzzy entry). Nothing is compiled.
LOCALE := src/livebazaar/locale
messages:
	$(BIN)/pybabel extract -F babel.cfg -o $(LOCALE)/messages.pot --project=Livebazaar \
	  --sort-by-file --no-wrap --add-comments=Translators: .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-wrap --ignore-obsolete
