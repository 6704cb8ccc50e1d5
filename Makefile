# `make demo` and `make test` set everything up themselves on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install system-deps test lint demo browse bench bench-quick bench-deps accuracy clean redis redis-stop

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Debian packages (needs root): headless Chromium and a CJK font for the browser tests and for rendering
# JavaScript-only list pages, redis-server for the distributed mode, Tesseract with its Simplified
# Chinese model for OCR, LibreOffice (no GUI) to convert .wps/.doc/.xls.
SYSTEM_PACKAGES := chromium fonts-wqy-zenhei redis-server tesseract-ocr tesseract-ocr-chi-sim libreoffice-writer-nogui libreoffice-calc-nogui

system-deps:
	@if command -v chromium >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q . && command -v redis-server >/dev/null \
		&& command -v soffice >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx chi_sim; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing $(SYSTEM_PACKAGES) with apt-get"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null) \
			|| echo "note: apt-get could not install them: the browser, Redis, OCR and conversion tests will be skipped and JavaScript-only pages not rendered"; \
	else echo "note: chromium, a CJK font, redis-server, tesseract (chi_sim) or libreoffice is missing and we are not root: their tests will be skipped and JavaScript-only pages not rendered"; fi

# Redis for the distributed mode, on loopback only (REDIS_PORT=6379); `make redis-stop` stops it.
REDIS_PORT ?= 6379
redis: system-deps
	mkdir -p output
	redis-server --bind 127.0.0.1 --port $(REDIS_PORT) --daemonize yes --save "" --appendonly no \
		--dir $(CURDIR)/output --logfile $(CURDIR)/output/redis.log --pidfile $(CURDIR)/output/redis.pid
	@echo "redis on redis://127.0.0.1:$(REDIS_PORT)/0 (see README: distributed mode)"

redis-stop:
	@if [ -f output/redis.pid ]; then kill $$(cat output/redis.pid) && rm -f output/redis.pid; fi

lint: install
	$(VENV)/bin/ruff check .

test: install system-deps lint
	$(PY) -m pytest

demo: install system-deps
	$(PY) -m crawler demo

browse: install
	@# a database written by an older version gets the current layout (summary tables) first
	@test ! -f output/reports.db || $(PY) -c 'from crawler.store import open_db; open_db("output/reports.db")'
	$(VENV)/bin/datasette output/reports.db --metadata crawler/datasette.json --plugins-dir crawler/datasette_plugins --root

# nginx serves the generated portal of the portal benchmark (Debian package; needs root).
bench-deps:
	@if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing nginx with apt-get"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null) \
			|| echo "note: apt-get could not install nginx: the portal benchmark serves with Twisted instead"; \
	else echo "note: nginx is missing and we are not root: the portal benchmark serves with Twisted instead"; fi

# Parse, store and portal benchmarks, each figure with its target and whether it holds (about ten
# minutes); bench-quick runs the small sizes only. A failed target does not stop the others.
bench: install bench-deps
	-$(PY) bench/parse_bench.py
	-$(PY) bench/store_bench.py
	-$(PY) bench/portal_bench.py

bench-quick: install bench-deps
	-$(PY) bench/parse_bench.py
	-$(PY) bench/store_bench.py --quick
	-$(PY) bench/portal_bench.py --quick

# Cells right per report with a hand-checked answer file; fails below the recorded floor.
accuracy: install
	$(PY) bench/accuracy.py

clean:
	rm -rf $(VENV) output/*.db*
