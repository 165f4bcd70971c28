# Two commands do everything (see README.md):
#   make e2e   the conformance suites on a throwaway kind cluster (created and deleted)
#   make test  the project's own tests: unit tests, cluster build + smoke check, suites
SHELL := /bin/bash
.DEFAULT_GOAL := help

include versions.env
# pytest-kind downloads these versions of kind and kubectl on the online path
export KIND_VERSION
export KUBECTL_VERSION := $(KUBERNETES_VERSION)

VENV ?= .venv
PY := $(VENV)/bin/python
KUBECONFIG_FILE := .cluster/kubeconfig
PYTEST_ARGS ?=
XDIST ?= -n auto

.PHONY: help venv cluster cluster-delete cluster-check e2e e2e-existing unit test

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

unit: venv ## the project's unit tests (no cluster)
	$(PY) -m pytest tests

test: venv ## unit tests, then build a real cluster, smoke-check it, run the suites on it, delete it
	$(PY) -m pytest tests
	$(MAKE) cluster
	trap '$(MAKE) cluster-delete' EXIT; \
	  $(MAKE) cluster-check && \
	  $(PY) -m pytest suites $(XDIST) --kubeconfig $(KUBECONFIG_FILE) $(PYTEST_ARGS)
