# Two entry points (see README): `make run` and `make test`. Both install what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# CMS files to load; empty = synthetic demo data (or --download in `make data`).
CMS_DIR ?= $(wildcard ../shared/data/cms)

.PHONY: run test install browser data lint bench

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Debian's chromium for the browser tests (no browser download); poppler-utils (pdftoppm, pdftotext) for
# the executive-summary tests, which render the PDF to PNG and read its text.
browser:
	@{ command -v chromium && command -v pdftoppm; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium poppler-utils >/dev/null; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium poppler-utils >/dev/null; fi; }

data: install
	$(PY) -m data.build $(if $(CMS_DIR),--cms-dir $(CMS_DIR),)

run: install
	ACO_LENS_CMS_DIR="$(CMS_DIR)" $(VENV)/bin/streamlit run app.py

test: install browser
	ACO_LENS_CMS_DIR="$(CMS_DIR)" $(PY) -m pytest -q -n 2 --dist loadfile tests

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) benchmarks/settle.py
