"""pytest plugin of `make bench` (`-p bench.probe`): each test's CPU use by the kind cluster.

Only for a run with one worker (-n 0): with several, the cluster's CPU cannot be told apart
by test. The cluster is named by SIDECAR_BENCH_KIND_CLUSTER; the bench subtracts the idle rate.
"""
from __future__ import annotations

import os

import pytest

from bench.nodecpu import NodeCpu
from reporting.costs import COST_PREFIX

CLUSTER_ENV = "SIDECAR_BENCH_KIND_CLUSTER"
CLUSTER_CPU = "cluster cpu s"
STARTED = pytest.StashKey[float]()
NODES = pytest.StashKey[NodeCpu]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[NODES] = NodeCpu(os.environ[CLUSTER_ENV])


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[STARTED] = item.config.stash[NODES].seconds()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    if call.when == "teardown" and STARTED in item.stash:
        used = item.config.stash[NODES].seconds() - item.stash[STARTED]
        item.user_properties.append((COST_PREFIX + CLUSTER_CPU, round(used, 3)))
    return (yield)
