# `make demo` and `make test` set everything up themselves on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)

.PHONY: install test demo browse bench clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

test: install
	$(PY) -m pytest

demo: install
	$(PY) -m crawler demo

browse: install
	$(VENV)/bin/datasette output/reports.db --metadata crawler/datasette.json

bench: install
	$(PY) bench/parse_bench.py

clean:
	rm -rf $(VENV) output/*.db*
