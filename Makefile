# The two set-up commands of the README:  `make serve`  and  `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-12)

.PHONY: serve test lint install

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first, pinned exactly: the CPU build (a looser pin pulls several GB of CUDA wheels).
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,ray]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/finbrief models pull
	$(BIN)/finbrief serve

lint: $(STAMP)
	$(BIN)/ruff check service tests
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -q -ra
