# Two commands on a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: install demo test lint clean screenshot load

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(BIN)/reformkg demo

test: install
	$(BIN)/python -m pytest

# The long hardening runs (issue 7): 50 clients x 30 s against a live server, thousands of fuzz
# examples, a bigger corpus killed midway. Prints the load-test numbers (README.md, "Hardening").
load: install
	REFORMKG_LONG_TESTS=1 $(BIN)/python -m pytest tests/hardening -q -s

# Refresh docs/page.png (the README's screenshot) from the browser tests; needs /usr/bin/chromium.
screenshot: install
	UPDATE_SCREENSHOT=1 $(BIN)/python -m pytest tests/browser -q -k screenshot

lint: install
	$(BIN)/ruff check ontology ingest graph api tests

clean:
	rm -rf $(VENV) reformkg-data .pytest_cache
