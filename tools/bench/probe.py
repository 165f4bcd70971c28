"""pytest plugin of `make bench` (`-p tools.bench.probe`): each test's CPU use by the kind cluster,
and each test's seconds, written to suites/durations.json (later runs start the longest first).

Only for a run with one worker (-n 0): with several, the cluster's CPU cannot be told apart
by test, and tests slow each other down. The cluster is named by SIDECAR_BENCH_KIND_CLUSTER;
the bench subtracts the idle rate.
"""
from __future__ import annotations

import os

import pytest

from helpers.reporting.costs import COST_PREFIX
from helpers.session import durations
from tools.bench.nodecpu import NodeCpu

CLUSTER_ENV = "SIDECAR_BENCH_KIND_CLUSTER"
CLUSTER_CPU = "cluster cpu s"
STARTED = pytest.StashKey[float]()
NODES = pytest.StashKey[NodeCpu]()
SECONDS = pytest.StashKey[dict]()  # setup + call + teardown seconds, by test node id


def pytest_configure(config: pytest.Config) -> None:
    config.stash[NODES] = NodeCpu(os.environ[CLUSTER_ENV])
    config.stash[SECONDS] = {}


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[STARTED] = item.config.stash[NODES].seconds()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    if call.when == "teardown" and STARTED in item.stash:
        used = item.config.stash[NODES].seconds() - item.stash[STARTED]
        item.user_properties.append((COST_PREFIX + CLUSTER_CPU, round(used, 3)))
    report = yield
    seconds = item.config.stash[SECONDS]
    seconds[item.nodeid] = seconds.get(item.nodeid, 0.0) + report.duration
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    if session.config.stash[SECONDS]:
        durations.save(session.config.stash[SECONDS])

