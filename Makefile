# `make demo` and `make test` set everything up themselves on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install system-deps test lint demo browse bench accuracy clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Headless Chromium and a CJK font for the browser tests and for rendering JavaScript-only list pages
# (Debian packages; needs root).
system-deps:
	@if command -v chromium >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium and fonts-wqy-zenhei with apt-get"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null) \
			|| echo "note: apt-get could not install chromium: the browser tests will be skipped and JavaScript-only pages not rendered"; \
	else echo "note: chromium or a CJK font is missing and we are not root: the browser tests will be skipped and JavaScript-only pages not rendered"; fi

lint: install
	$(VENV)/bin/ruff check .

test: install system-deps lint
	$(PY) -m pytest

demo: install system-deps
	$(PY) -m crawler demo

browse: install
	$(VENV)/bin/datasette output/reports.db --metadata crawler/datasette.json --plugins-dir crawler/datasette_plugins --root

bench: install
	$(PY) bench/parse_bench.py

# Cells right per report with a hand-checked answer file; fails below the recorded floor.
accuracy: install
	$(PY) bench/accuracy.py

clean:
	rm -rf $(VENV) output/*.db*
