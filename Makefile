# Two commands on a fresh machine: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app tracker
PORT   ?= 5000
PYTHON ?= python3

.PHONY: run test install install-test translations extract-messages bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	@touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

## compile the message catalogues (the .mo files are built here, never committed)
translations: $(VENV)/.installed
	@$(VENV)/bin/pybabel -q compile -d tracker/translations

## refresh the catalogues after changing user-visible strings
extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel -q extract -F babel.cfg -k N_ -k _l --no-location --sort-output -o tracker/translations/messages.pot .
	$(VENV)/bin/pybabel -q update -N --ignore-obsolete -w 100 -i tracker/translations/messages.pot -d tracker/translations
	@$(PY) tools/fill_po.py zh_Hans_CN --missing >/dev/null || { echo "untranslated (zh_Hans_CN):"; $(PY) tools/fill_po.py zh_Hans_CN --missing; true; }

run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@# The worker in the background, the server in the foreground; Ctrl-C stops both.
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

## the benchmark table: BENCH_SCALES=city,province, BENCH_DATABASE_URL=postgresql://… adds PostgreSQL, BENCH=--fresh regenerates
bench: install
	$(PY) bench/run_all.py $(BENCH)

clean:
	rm -rf $(VENV) instance/*.db
