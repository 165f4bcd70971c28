# Two commands do everything (see README.md):
#   make e2e   the conformance suites on a throwaway kind cluster (created and deleted)
#   make test  the project's own tests: unit tests, cluster build + smoke check, suites
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
KUBECONFIG_FILE := .cluster/kubeconfig
PYTEST_ARGS ?=
XDIST ?= -n auto

ACTIONLINT_VERSION := v1.7.12
ACTIONLINT := .cluster/tools/actionlint-$(ACTIONLINT_VERSION)

.PHONY: help venv cluster cluster-delete cluster-check e2e e2e-existing bench unit lint test

help:
	@grep -hE '^[a-z0-9-]+:.*## ' Makefile | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(PY) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
	  > $(VENV)/requirements.txt
	$(VENV)/bin/pip install -q -r $(VENV)/requirements.txt
	touch $@

venv: $(VENV)/.installed ## Python virtual environment with the project's dependencies

cluster: venv ## create (or reuse) the kind cluster; writes .cluster/kubeconfig
	$(PY) -m clusterbuild cluster

cluster-delete: venv ## delete the kind cluster (no-op when absent)
	$(PY) -m clusterbuild delete

cluster-check: venv ## smoke-check the cluster of .cluster/kubeconfig
	$(PY) -m clusterbuild check

e2e: venv ## conformance suites on a throwaway kind cluster (PYTEST_ARGS="-k reload" to select)
	$(PY) -m pytest suites $(XDIST) $(PYTEST_ARGS)

e2e-existing: venv ## conformance suites against KUBECONFIG=<path> [CONTEXT=<name>], no kind involved
	$(PY) -m pytest suites $(XDIST) --kubeconfig "$${KUBECONFIG:?set KUBECONFIG=<path>}" $${CONTEXT:+--context "$$CONTEXT"} $(PYTEST_ARGS)

bench: venv ## time cold e2e by phase, the suite alone (-n 0, -n auto), bare kind create; writes reports/bench.*
	$(PY) -m bench

unit: venv ## the project's unit tests (no cluster)
	$(PY) -m pytest tests

$(ACTIONLINT):
	mkdir -p $(dir $@)
	GOBIN=$(abspath $(dir $@)) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	mv $(dir $@)/actionlint $@

lint: $(ACTIONLINT) ## lint the GitHub workflows (actionlint, built with go install)
	$(ACTIONLINT) -no-color

test: venv lint ## unit tests and lint, then build a real cluster, smoke-check it, run the suites on it, delete it
	$(PY) -m pytest tests
	$(MAKE) cluster
	trap '$(MAKE) cluster-delete' EXIT; \
	  $(MAKE) cluster-check && \
	  $(PY) -m pytest suites $(XDIST) --kubeconfig $(KUBECONFIG_FILE) --kind-kubectl-bin .cluster/bin/kubectl $(PYTEST_ARGS)
