# Two commands do everything (see README.md):
#   make e2e   the conformance suites on a throwaway kind cluster (created and deleted)
#   make test  the project's own tests: unit tests, cluster build + smoke check, suites,
#              controls, least privilege, the online rehearsal
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
KUBECONFIG_FILE := .cluster/kubeconfig
PYTEST_ARGS ?=
XDIST ?= -n 14  # measured here (2 cores, 70 tests, kubelet restart round first): make e2e -n 10 92.2 s, -n 14 81.9 s
# the cluster of controls, least-privilege and soak: KUBECONFIG=<path>, else `make cluster`'s
CLUSTER_KUBECONFIG = $(or $(KUBECONFIG),$(KUBECONFIG_FILE))
# the kubectl the cluster was made with, when `make cluster` made it (else kubectl on PATH)
KUBECTL_FLAG = $(if $(wildcard .cluster/bin/kubectl),--kubectl .cluster/bin/kubectl)

CLUSTER_NAME := $(shell sed -n 's/^CLUSTER_NAME=//p' clusters/versions.env)

RUFF_VERSION := 0.17.6
RUFF := $(VENV)/bin/ruff
RUFF_INSTALLED := $(VENV)/.ruff-$(RUFF_VERSION)
ACTIONLINT_VERSION := v1.7.12
ACTIONLINT := .cluster/tools/actionlint-$(ACTIONLINT_VERSION)

# `make report`: Allure 3 from the npm registry, installed once into .cluster/tools
ALLURE_VERSION := 3.18.0
ALLURE_DIR := .cluster/tools/allure-$(ALLURE_VERSION)
ALLURE := $(ALLURE_DIR)/node_modules/.bin/allure
REPORTS_DIR ?= reports

.PHONY: help venv image in-cluster cluster cluster-delete cluster-check e2e e2e-existing controls least-privilege online-rehearsal matrix soak bench cleanup images unit lint test report

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
	$(PY) -m clusters cluster

cluster-delete: venv ## delete the kind cluster (no-op when absent)
	$(PY) -m clusters delete

cluster-check: venv ## smoke-check the cluster of .cluster/kubeconfig
	$(PY) -m clusters check

e2e: venv ## conformance suites on a throwaway kind cluster (PYTEST_ARGS="-k reload" to select)
	$(PY) -m tools.conformance run -- $(XDIST) $(PYTEST_ARGS)

e2e-existing: venv ## conformance suites against KUBECONFIG=<path> [CONTEXT=<name>], no kind involved
	$(PY) -m tools.conformance run --kubeconfig "$${KUBECONFIG:?set KUBECONFIG=<path>}" $${CONTEXT:+--context "$$CONTEXT"} -- $(XDIST) $(PYTEST_ARGS)

controls: venv ## negative controls (broken Pods the checks must fail on) against KUBECONFIG (default: make cluster's); DISRUPTIVE=--disruptive: those restarting a kubelet too
	$(PY) -m pytest controls $(XDIST) -m "not alone" --kubeconfig "$(CLUSTER_KUBECONFIG)" $(KUBECTL_FLAG) $(DISRUPTIVE) \
	  --reports-dir reports/controls --junitxml=reports/controls-junit.xml
	$(PY) -m pytest controls -m alone --kubeconfig "$(CLUSTER_KUBECONFIG)" $(KUBECTL_FLAG) \
	  --reports-dir reports/controls-alone --junitxml=reports/controls-alone-junit.xml

least-privilege: venv ## one scenario as a ServiceAccount bound to tools/rbac/sidecar-conformance.yaml only
	$(PY) -m tools.rbac --kubeconfig "$(CLUSTER_KUBECONFIG)" $(KUBECTL_FLAG) -- -m reload --reports-dir reports/least-privilege

online-rehearsal: venv ## the online path (stock kind, node image by digest) against a local registry and file server
	$(PY) -m tools.rehearsal $(PYTEST_ARGS)

VERSIONS ?=
matrix: venv ## build and run each Kubernetes version (VERSIONS="v1.30.14 ..."; default: tools/matrix/matrix.json); docs/matrix.md
	$(PY) -m tools.matrix run $(VERSIONS)

N ?= 10
soak: venv ## the suites N times (N=10) against KUBECONFIG (default: make cluster's); reports/soak.json
	$(PY) -m tools.soak $(N) $(XDIST) --kubeconfig "$(CLUSTER_KUBECONFIG)" $(KUBECTL_FLAG) $(PYTEST_ARGS)

bench: venv ## what a run costs: make e2e warm, cluster creation, suite walls at -n 2/4/6/8, CPU and per test; reports/bench.*
	$(PY) -m tools.bench $(XDIST) $(BENCH_ARGS)

cleanup: venv ## delete what runs left on KUBECONFIG's cluster (default: make cluster's): namespaces labelled by a run or kept from one
	$(PY) -m tools.conformance cleanup --kubeconfig "$(CLUSTER_KUBECONFIG)"

image: venv ## the suite's image (offline here: from the pinned Python image built from Debian's packages); build time, size, --help and version
	$(PY) -m tools.image $(IMAGE_BUILD_ARGS)

in-cluster: venv ## the suites in a Pod of make cluster's cluster (the image built and loaded into it); results in reports/in-cluster
	$(PY) -m tools.image --kind-cluster $(CLUSTER_NAME) --kind .cluster/bin/kind
	$(PY) -m tools.conformance in-cluster --kubeconfig $(KUBECONFIG_FILE) -- $(PYTEST_ARGS)

images: venv ## every image the suites pull (IMAGE_ARGS="--image-registry R" to see them as a mirror serves them)
	$(PY) -m tools.conformance images $(IMAGE_ARGS)

unit: venv ## the project's unit tests (no cluster)
	$(PY) -m pytest tests

$(RUFF_INSTALLED): $(VENV)/.installed
	$(VENV)/bin/pip install -q ruff==$(RUFF_VERSION)
	touch $@

$(ACTIONLINT):
	mkdir -p $(dir $@)
	GOBIN=$(abspath $(dir $@)) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)
	mv $(dir $@)/actionlint $@

$(ALLURE):
	@command -v npm >/dev/null || { echo "make report needs Node.js and npm (Debian: apt-get install npm)" >&2; exit 1; }
	npm install --prefix $(ALLURE_DIR) --save-exact --no-audit --no-fund --loglevel=error allure@$(ALLURE_VERSION)

report: $(ALLURE) ## HTML report of the last suites run: reports/allure-report/index.html (offline, one file)
	@ls $(REPORTS_DIR)/allure-results/*-result.json >/dev/null 2>&1 || \
	  { echo "no test results in $(REPORTS_DIR)/allure-results: run the suites first (make e2e)" >&2; exit 1; }
	$(ALLURE) generate $(REPORTS_DIR)/allure-results --config tools/allurerc.json --output $(REPORTS_DIR)/allure-report
	@echo "report: $(REPORTS_DIR)/allure-report/index.html (summary: $(REPORTS_DIR)/summary.md)"

lint: $(RUFF_INSTALLED) $(ACTIONLINT) ## lint the Python (ruff, settings in pyproject.toml) and the GitHub workflows (actionlint)
	$(RUFF) check .
	$(ACTIONLINT) -no-color

test: venv lint ## unit tests and lint, a real cluster (smoke check, suites from here and in-cluster, controls, least privilege), the online rehearsal
	$(PY) -m pytest tests
	$(MAKE) cluster
	trap '$(MAKE) cluster-delete' EXIT; \
	  $(MAKE) cluster-check && \
	  $(PY) -m tools.conformance run -- $(XDIST) --keep-cluster --disruptive $(PYTEST_ARGS) && \
	  $(MAKE) in-cluster PYTEST_ARGS=--disruptive && \
	  $(PY) -m tools.conformance compare reports/summary.json reports/in-cluster/summary.json && \
	  $(MAKE) controls least-privilege KUBECONFIG=$(KUBECONFIG_FILE) DISRUPTIVE=--disruptive && \
	  $(MAKE) cleanup KUBECONFIG=$(KUBECONFIG_FILE)
	$(MAKE) online-rehearsal
