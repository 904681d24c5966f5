# Care Tracker. `make run` starts everything locally; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHECKOV_VENV := .venv-checkov
export PYTHONPATH := $(CURDIR)/layers:$(CURDIR)
export AWS_DEFAULT_REGION ?= eu-west-2

.PHONY: run test package bench lint clean venv checkov-venv web

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

checkov-venv: $(CHECKOV_VENV)/.installed
$(CHECKOV_VENV)/.installed: requirements-checkov.txt constraints-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt -c constraints-checkov.txt
	touch $@

## The whole service on 127.0.0.1: the web client on :8080 (API under /api/), local AWS (moto), demo data, API on :8000. Ctrl-C stops it.
## Options after ARGS, e.g. make run ARGS="--web-port 8180 --api-port 8300 --aws-port 4600" (python -m infra.local.stack --help).
run: venv web
	$(PY) -m infra.local.stack --web-port 8080 --api-port 8000 --aws-port 4566 $(ARGS)

## The web client into build/web/ (npm ci when needed, Dart Sass, GOV.UK Frontend's module and our files).
web: venv
	$(PY) -m infra.web_build

## Unit, integration, end-to-end and deployment tests (the last build the package and lint it).
test: venv checkov-venv web
	$(PY) -m pytest

## out/: deployment.zip (app code), layer.zip (dependencies), sam.json (every resource), web/ (the client, if built).
package: venv web
	$(PY) -m infra.package out

## Benchmarks; figures are printed and written to bench/results.json.
bench: venv
	$(PY) -m bench.run

## Static checks (ruff).
lint: venv
	$(VENV)/bin/ruff check app.py functions layers infra tests bench

clean:
	rm -rf build out .pytest_cache
