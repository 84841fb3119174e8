# cascadelab: the two commands of the README are `make lab` and `make test`.
# Both create .venv on first use (python3 >= 3.11 and make are all you need) and are fast afterwards.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.cascadelab-installed
PORT   ?= 8888
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-k cascade"`.
PYTEST_ARGS ?=
NOTEBOOK_DIRS := $(wildcard notebooks exercises solutions)

.PHONY: setup lab test lint bench exercises site clean help

help:
	@echo "make lab    - set up .venv and open the course in JupyterLab (NO_BROWSER=1 to only serve)"
	@echo "make test   - set up .venv, lint, and run every test (unit, property, widget, notebook, browser)"
	@echo "make bench  - run the benchmarks and print their tables"
	@echo "make lint   - ruff over the package, tests and benchmarks"
	@echo "make exercises - regenerate exercises/ from solutions/ (the one source of truth)"
	@echo "make site   - execute the chapters into static HTML in _build/site/ (open _build/site/index.html)"
	@echo "make clean  - remove .venv and caches"

$(STAMP): pyproject.toml $(wildcard share/jupyter/voila/templates/cascadelab/*)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cascadelab needs Python >= 3.11, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing cascadelab and the course dependencies into $(VENV) (first run only, a few minutes)..."
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet --editable '.[dev]'
	@$(PY) -m cascadelab.course.voila > /dev/null  # the Voila template (an editable install skips it)
	@touch $(STAMP)

setup: $(STAMP)

lab: setup
	@echo "Starting JupyterLab on http://127.0.0.1:$(PORT)/ - the URL with its token is printed below."
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.root_dir=$(CURDIR) $(if $(NO_BROWSER),--no-browser,) \
		$(if $(filter 0,$(shell id -u)),--allow-root,) $(wildcard notebooks/00_essence.ipynb)

lint: setup
	$(VENV)/bin/ruff check cascadelab tests benchmarks

test: setup lint
	$(PY) -m pytest -n 2 --dist loadscope tests $(NOTEBOOK_DIRS) \
		--nbval-lax --nbval-current-env -p no:cacheprovider $(PYTEST_ARGS)

bench: setup
	$(PY) -m benchmarks

exercises: setup
	$(PY) -m cascadelab.course build-exercises

site: setup
	$(PY) -m cascadelab.course.site

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis _build test-artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
