# The two set-up commands of the README:  `make serve`  and  `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

# The browser tests drive Debian's chromium (tests/browser.py); BROWSER_TESTS=no leaves it out (the
# service image: it serves the page, it does not test it).
BROWSER_TESTS ?= yes

.PHONY: serve test lint install browser

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned exactly: the CPU build (a looser pin pulls several GB of CUDA wheels).
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,ray,bench]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP) browser

# Idempotent: nothing to do once chromium is on PATH. Debian's package, never a browser Playwright
# downloads (`playwright install` is not run); CJK fonts, so that screenshots show the Chinese.
browser:
	@if [ "$(BROWSER_TESTS)" = no ] || command -v chromium >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" -ne 0 ]; then \
		echo "chromium is not installed and installing it needs root: run" >&2; \
		echo "  sudo apt-get install -y chromium fonts-noto-cjk" >&2; \
		echo "until then the browser tests (tests/test_page*.py) are skipped" >&2; \
		exit 0; \
	fi; \
	apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk

serve: $(STAMP)
	$(BIN)/finbrief models pull
	$(BIN)/finbrief serve

lint: $(STAMP)
	$(BIN)/ruff check service tests
	$(BIN)/mypy

test: lint browser
	$(BIN)/python -m pytest -q -ra
