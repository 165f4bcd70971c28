"""Evidence a test leaves in its Allure result: labels, manifests, measured delays, text."""
from __future__ import annotations

import allure
import pytest
import yaml

from helpers.behaviours import BEHAVIOURS, behaviour_of, check_name, check_title, declared_styles
from helpers.kube import observers

DELAY_PREFIX = "delay:"
POD_START_PROPERTY = "inherent:pod start"  # read by `make bench`, not shown in the summary
STYLES_PROPERTY = "sidecar styles"  # the styles a check is written for (the summary's "n/a")


def attach_text(name: str, text: str) -> None:
    """Attach `text` to the current test's Allure result."""
    allure.attach(text, name=name, attachment_type=allure.attachment_type.TEXT)


def attach_manifests(name: str, docs: list[dict]) -> None:
    """Attach the documents a test applied, as YAML."""
    text = yaml.safe_dump_all(docs, sort_keys=False)
    allure.attach(text, name=name, attachment_type=allure.attachment_type.YAML)


def observe(event: observers.Event) -> None:
    """Attach what the cluster layer applied or saw (kube.observers) to the current test's result."""
    if event.what == observers.APPLIED:
        attach_manifests(event.fields["title"], event.fields["docs"])
    elif event.what == observers.TEXT:
        attach_text(event.fields["title"], event.fields["text"])


def label(item: pytest.Item) -> None:
    """Name a scenario's behaviour and check in Allure; record the styles it is written for."""
    behaviour = behaviour_of(item.keywords)
    if behaviour is None:
        return
    item.add_marker(allure.feature(BEHAVIOURS[behaviour]))
    item.add_marker(allure.story(check_title(check_name(item.nodeid))))
    item.user_properties.append((STYLES_PROPERTY, ",".join(declared_styles(item))))


def record_delay(user_properties: list, name: str, seconds: float) -> None:
    """Store a measured delay in a test's user_properties (they travel with xdist reports)."""
    user_properties.append((DELAY_PREFIX + name, round(seconds, 3)))
    allure.dynamic.parameter(f"delay {name} (s)", f"{seconds:.3f}", excluded=True)
    attach_text(f"delay: {name}", f"{seconds:.3f} s")


def record_pod_start(user_properties: list, pods: list) -> None:
    """Store how long the slowest Pod took from creation until all its containers had started.

    That is a wait the cluster imposes (scheduling, sandbox, image, container start), which
    `make bench` subtracts from a test's wall time; Pods deleted before this are not seen.
    """
    seconds = [started - pod.metadata.creation_timestamp for pod in pods
               if (started := _last_container_start(pod)) is not None]
    if seconds:
        user_properties.append((POD_START_PROPERTY, round(max(seconds).total_seconds(), 3)))


def _last_container_start(pod):
    states = [s.state for s in (pod.status.init_container_statuses or []) + (pod.status.container_statuses or [])]
    times = [s.running.started_at if s.running else s.terminated.started_at
             for s in states if s and (s.running or (s.terminated and s.terminated.started_at))]
    return max(times) if times else None
