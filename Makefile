# Every target creates and reuses .venv itself: a fresh machine needs only python3.11 and make.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest-xdist workers: one more than the cores, since a third of the suite waits on real processes
# (sshd, Chromium, LibreOffice, ptys) rather than computing.
WORKERS ?= $(shell echo $$(( $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2) + 1 )))

.PHONY: run test test-all bench clean fixtures screenshots report-pages serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml $(wildcard plugins/*/__init__.py)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/coordtui $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist loadscope

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist loadscope -m ''

# The goals of issue 22 with the figures measured here, at 100,000 records (BENCH_1M=1: and at
# 1,000,000). bench/check.py, bench/records.py, bench/startup.py and bench/seal.py measure more.
bench: $(STAMP)
	$(BIN)/python bench/store.py 100000 $(if $(BENCH_1M),1000000)
	$(BIN)/python bench/goals.py

# The application in a browser at http://127.0.0.1:8000 (ARGS="--port 8080" etc.).
serve: $(STAMP)
	$(BIN)/coordtui serve $(ARGS)

# The README's pictures (docs/images/*.svg), from the application running headless on the examples.
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py

# Page 1 of each model's Word report (docs/images/report-*.png), through LibreOffice and poppler.
report-pages: $(STAMP)
	$(BIN)/python docs/report_pages.py

# The bundled example organizations as import files (a test keeps them in step with the plugins).
fixtures: $(STAMP)
	rm -rf .fixtures-store && $(BIN)/coordtui init --db .fixtures-store --examples >/dev/null
	for org in $$($(BIN)/python -c "from coordtui.store import Store; print(' '.join(o['id'] for o in Store('.fixtures-store').orgs()))"); do \
		$(BIN)/coordtui export --db .fixtures-store --org $$org --out fixtures/$$org.json; done
	rm -rf .fixtures-store

clean:
	rm -rf $(VENV) build src/*.egg-info plugins/*.egg-info
