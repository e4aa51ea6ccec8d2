# Two commands on a fresh machine:  `make demo`  and  `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= out/demo

.PHONY: setup demo test lint clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -c constraints.txt -e '.[dev]'
	touch $@

setup: $(BIN)/.installed

demo: setup
	$(BIN)/residency demo --output-dir $(OUT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup
	./scripts/system-deps.sh
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n 2
	PYTHON=$(PYTHON) ./scripts/wheel-smoke.sh

clean:
	rm -rf $(VENV) out .pytest_cache
