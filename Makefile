# Plain shortcuts; bin/setup, bin/demo, bin/test and .ci/run do the work.
PY := .venv/bin/python
# Management commands below need loadable settings; development defaults unless the environment says otherwise.
DEV := DEBUG=$${DEBUG:-true}

.PHONY: setup demo test lint format migrate messages bench ci

setup:
	bin/setup

demo:
	bin/demo

test:
	bin/test

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: setup
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrate: setup
	$(DEV) $(PY) manage.py migrate

messages: setup
	$(DEV) $(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=bench
	$(DEV) $(PY) manage.py compilemessages --ignore=.venv

bench:
	@echo "Benchmarks print figures and are not part of bin/test; bench/README.md says what each measures."
	@echo "Each script's docstring shows how to run it; the scripts here:"
	@for f in bench/*.py; do [ -e "$$f" ] && echo "  .venv/bin/python $$f --help"; done; true

ci:
	bash .ci/run
