# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# pytest-xdist workers; CI machines have 2 cores.
WORKERS ?= 2
FUZZ_EXAMPLES ?= 5000

.PHONY: run test lint fuzz bench bench-large bench-smoke browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/rehab demo --if-empty
	$(BIN)/rehab user demo-accounts
	$(BIN)/rehab serve --port $(PORT)

# Debian's chromium, for the browser tests; Playwright cannot download its own browser here.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; \
	else echo "chromium is missing and apt-get is not available: the browser tests will fail in CI" >&2; fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

test: $(VENV)/.installed-test browser lint
	$(BIN)/pytest -n $(WORKERS) --dist loadfile

fuzz: $(VENV)/.installed-test
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/test_fuzz_import.py -p no:randomly

bench: $(VENV)/.installed-test browser
	$(BIN)/python -m bench

# The 30,000-patient clinic (about an hour; outside CI), into bench/large/.
bench-large: $(VENV)/.installed-test
	$(BIN)/python -m bench --large

# The tiny version CI runs through tests/test_bench_smoke.py; reports numbers, asserts none.
bench-smoke: $(VENV)/.installed-test browser
	$(BIN)/python -m bench --smoke --out bench/out/smoke

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis screenshots
