# AffectRange: the two commands of the README, and a few helpers.
#   make run    set up .venv from uv.lock, migrate var/affectrange.sqlite3, load the demo once, serve
#   make test   lint, type-check, and the whole suite on SQLite and on a throwaway PostgreSQL

PYTHON ?= python3
UV_VERSION := 0.9.30
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test lint typecheck test-sqlite test-postgresql bench-checkins bench-analyze bench-report bench-export bench-directory validate-analysis clean

run: $(VENV)/.synced
	$(BIN)/affectrange migrate
	$(BIN)/affectrange demo --first-run-only
	$(BIN)/affectrange serve --host $(HOST) --port $(PORT)

test: $(VENV)/.synced node_modules/.installed lint typecheck test-sqlite test-postgresql

lint: $(VENV)/.synced
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(VENV)/.synced
	$(BIN)/mypy

test-sqlite: $(VENV)/.synced node_modules/.installed
	$(BIN)/pytest --db=sqlite

test-postgresql: $(VENV)/.synced node_modules/.installed
	$(BIN)/pytest --db=postgresql

bench-checkins: $(VENV)/.synced
	$(BIN)/python bench/checkins.py

bench-analyze: $(VENV)/.synced
	$(BIN)/python bench/analyze.py

bench-report: $(VENV)/.synced
	$(BIN)/python bench/report.py

bench-export: $(VENV)/.synced
	$(BIN)/python bench/export.py

# Needs Debian's postgresql-15-postgis-3 for the baseline (not needed by the tests).
bench-directory: $(VENV)/.synced
	$(BIN)/python bench/directory.py

validate-analysis: $(VENV)/.synced
	$(BIN)/python bench/validate_analysis.py

# uv itself is bootstrapped into .tools with the machine's Python, pinned.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

# axe-core for the accessibility checks in the browser tests (htmx is vendored in src/).
# Without npm those checks are skipped locally, with the reason in the test report (failed under CI).
NPM := $(shell command -v npm 2>/dev/null)
node_modules/.installed: package.json package-lock.json
ifdef NPM
	npm ci --no-audit --no-fund
	touch $@
else
	@echo "npm not found: the accessibility checks will be skipped (install Node.js to run them)"
endif

clean:
	rm -rf $(VENV) $(TOOLS) node_modules .mypy_cache .ruff_cache .pytest_cache
