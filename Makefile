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

# Where `make run` listens: this machine only (127.0.0.1) unless ACO_LENS_HOST says otherwise, e.g.
# `ACO_LENS_HOST=0.0.0.0 make run` to serve every interface when hosting (README: Serving). On loopback the
# websocket also accepts only the local host names (a web page rebinding its own name to 127.0.0.1 cannot
# reach the app). XSRF and CORS protection stay on either way (.streamlit/config.toml).
ACO_LENS_HOST ?= 127.0.0.1
LOOPBACK_ONLY := --server.allowedHosts localhost --server.allowedHosts 127.0.0.1

run: install
	ACO_LENS_CMS_DIR="$(CMS_DIR)" $(VENV)/bin/streamlit run app.py --server.address $(ACO_LENS_HOST) \
	  $(if $(filter 127.0.0.1 localhost,$(ACO_LENS_HOST)),$(LOOPBACK_ONLY))

test: install browser
	ACO_LENS_CMS_DIR="$(CMS_DIR)" ACO_LENS_DOWNLOAD=0 $(PY) -m pytest -q -n 2 --dist loadfile tests

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) benchmarks/settle.py
