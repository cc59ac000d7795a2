# batchscore: `make run` and `make test` are all a newcomer needs; both install what they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/lock.txt 2>/dev/null | md5sum | cut -c1-8)
PYTEST_WORKERS ?= 2
STAGE ?= dev
ROWS ?= 10000,100000,1000000
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: bench-e2e loadtest help install run test test-unit test-integration test-e2e test-browser lint fmt sample bench model score schema build size deploy user smoke retrain destroy cost clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): requirements/lock.txt client/pyproject.toml
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements/lock.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e ./client
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP) ## create .venv with the pinned dependencies

run: install ## the whole product on 127.0.0.1, no Docker, no AWS account
	$(PY) -m infra.local

test: install ## every test: unit, integration (moto), end-to-end, browser
	bash infra/ci/system-deps.sh
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup tests

test-unit: install ## unit tests only (no AWS)
	$(PY) -m pytest -n $(PYTEST_WORKERS) tests/unit

test-integration: install ## integration tests under moto
	$(PY) -m pytest -n $(PYTEST_WORKERS) tests/integration

test-e2e: install ## end-to-end tests over the local runtime
	$(PY) -m pytest tests/e2e

test-browser: install ## the web page in Chromium
	bash infra/ci/system-deps.sh
	$(PY) -m pytest tests/browser

lint: install ## ruff, mypy, cfn-lint (plain and SAM-transformed), template checks
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy layers/core/batchscore_core layers/model/batchscore_model functions infra training client bench
	$(PY) -m infra.build.lint_template template.yaml

fmt: install ## format the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

model: install ## train the seed models: layers/model/bundle, models/*/* (FORCE=1 to replace a better one)
	PYTHONPATH=layers/model:. $(PY) -m training.train $(if $(FORCE),--force,)
	PYTHONPATH=layers/model:. $(PY) -m training.registry_models $(if $(FORCE),--force,)

score: install ## score a local CSV: make score IN=input.csv OUT=output.xlsx
	@test -n "$(IN)" -a -n "$(OUT)" || { echo "usage: make score IN=input.csv OUT=output.xlsx"; exit 2; }
	@PYTHONPATH=layers/model $(PY) -m batchscore_model.cli score "$(IN)" "$(OUT)"

schema: install ## print the model's input schema (the GET /model shape)
	@PYTHONPATH=layers/model $(PY) -m batchscore_model.cli schema

# ROWS given to make (or in the environment) is the sample's size; else SAMPLE_ROWS, else 1000.
SAMPLE_SIZE = $(if $(filter command line environment%,$(origin ROWS)),$(ROWS),$(or $(SAMPLE_ROWS),1000))

sample: install ## write build/sample.csv: make sample ROWS=5 (default 1000; says when it replaces one)
	@PYTHONPATH=layers/model:. $(PY) -m bench.sample build/sample.csv --rows $(SAMPLE_SIZE)

bench: install ## engine vs the floor and naive pandas->openpyxl, numeric and mixed files (ROWS=...)
	PYTHONPATH=layers/model:. $(PY) -m bench.bench --rows $(ROWS)

# SIZES (or ROWS given to make) picks bench-e2e's job sizes.
E2E_DEFAULT_SIZES := 1000,100000,1000000
E2E_SIZES = $(or $(SIZES),$(if $(filter command line environment%,$(origin ROWS)),$(ROWS)),$(E2E_DEFAULT_SIZES))
bench-e2e: install ## 1k, 100k, 1M-row jobs through a fresh `make run`, time per stage (upload, ingest, queue, score, finish; 1M: 54-61 s, 36-42 s of it scoring, here) (SIZES=...)
	PYTHONPATH=layers/model:. $(PY) -m bench.e2e --sizes $(E2E_SIZES)

loadtest: install ## JOBS (default 1000) jobs at once through a fresh local runtime: API, web-style and drop folder
	$(PY) -m bench.loadtest --jobs $(or $(JOBS),1000)

.PHONY: coldstart
coldstart: install ## each handler's import + init in fresh processes, beside import boto3 (BUILD_DIR=.aws-sam/build)
	PYTHONPATH=. $(PY) -m bench.coldstart $(if $(BUILD_DIR),--build-dir $(BUILD_DIR) --python $(or $(PYTHON312),python3.12),)

build: install ## sam build for python3.12, then check the 250 MB unzipped limit
	bash infra/build/sam-build.sh

size: ## print function + layer sizes of the last build against the 250 MB limit
	$(PY) -m infra.build.size_check .aws-sam/build

deploy: build ## sam deploy (STAGE=dev|prod), then the web page to the site bucket
	bash infra/build/deploy.sh $(STAGE)

user: install ## a user of the stack's pool: make user EMAIL=you@example.com [ADMIN=1] [PASSWORD=...] [STAGE=dev|prod|local]
	@test -n "$(EMAIL)" || { echo "usage: make user EMAIL=you@example.com [ADMIN=1] [STAGE=dev|prod|local]"; exit 2; }
	$(PY) -m infra.build.user --stage $(STAGE) --email "$(EMAIL)" $(if $(ADMIN),--admin,) $(if $(PASSWORD),--password "$(PASSWORD)",)

smoke: install ## one job end to end through a stack's public API (STAGE=dev|prod|local)
	$(PY) -m infra.build.smoke --stage $(STAGE)

retrain: install ## retrain a model now and print the gate's checks: make retrain MODEL=breast-cancer [STAGE=local|dev|prod]
	@test -n "$(MODEL)" || { echo "usage: make retrain MODEL=name [STAGE=local|dev|prod]"; exit 2; }
	$(PY) -m infra.build.retrain --model "$(MODEL)" --stage $(if $(filter command line environment%,$(origin STAGE)),$(STAGE),local)

destroy: install ## empty the stack's buckets and delete it (STAGE=dev|prod; YES=1 skips the question)
	$(PY) -m infra.build.destroy --stage $(STAGE) $(if $(YES),--yes,)

clean: ## remove build output and local state (keeps .venv)
	rm -rf .aws-sam .local build .pytest_cache .mypy_cache .ruff_cache

cost: install ## cost per 1,000 jobs of 1k/100k/1M rows from a fresh local measurement (COST_ROWS=...)
	PYTHONPATH=layers/model:. $(PY) -m bench.cost --rows $(or $(COST_ROWS),1000,100000,1000000)
