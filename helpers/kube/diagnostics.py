"""Text snapshots of cluster state for failure messages and evidence."""
from __future__ import annotations

from kubernetes import client

LOG_TAIL_LINES = 60


def container_state(status: client.V1ContainerStatus) -> str:
    """One line: name, state (with reason, exit code, times), readiness, restarts."""
    state = status.state
    if state is None:
        text = "no state"
    elif state.running is not None:
        text = f"running since {state.running.started_at}"
    elif state.terminated is not None:
        t = state.terminated
        text = (f"terminated {t.reason} exit={t.exit_code} started={t.started_at} "
                f"finished={t.finished_at}")
    elif state.waiting is not None:
        text = f"waiting {state.waiting.reason}: {state.waiting.message or ''}".rstrip(": ")
    else:
        text = "unknown state"
    started = "" if status.started is None else f" started={status.started}"
    return f"{status.name}: {text}; ready={status.ready}{started} restarts={status.restart_count}"


def pod_state(pod: client.V1Pod) -> str:
    """The Pod's phase, conditions and every container's state, a few lines."""
    status = pod.status
    lines = [f"pod {pod.metadata.namespace}/{pod.metadata.name}: phase={status.phase}"
             f" node={pod.spec.node_name} podIP={status.pod_ip}"
             + (f" deleting since {pod.metadata.deletion_timestamp}" if pod.metadata.deletion_timestamp else "")]
    for condition in status.conditions or []:
        reason = f" ({condition.reason}: {condition.message})" if condition.reason else ""
        lines.append(f"  condition {condition.type}={condition.status}{reason}")
    for kind, statuses in (("init", status.init_container_statuses), ("container", status.container_statuses)):
        for container in statuses or []:
            lines.append(f"  {kind} {container_state(container)}")
    return "\n".join(lines)


def events(core: client.CoreV1Api, namespace: str, name: str | None = None) -> str:
    """Events of one object (or of the whole namespace), oldest first."""
    selector = f"involvedObject.name={name}" if name else None
    items = core.list_namespaced_event(namespace, field_selector=selector).items

    def when(event):
        return str(event.last_timestamp or event.event_time or event.first_timestamp or "")

    lines = [f"  {when(e)} {e.type} {e.reason} {e.involved_object.kind}/{e.involved_object.name}: "
             f"{e.message}" for e in sorted(items, key=when)]
    return "events:\n" + ("\n".join(lines) if lines else "  (none)")


def pod_report(core: client.CoreV1Api, namespace: str, name: str) -> str:
    """State and events of one Pod, for a failure message."""
    try:
        pod = core.read_namespaced_pod(name, namespace)
    except client.ApiException as exc:
        state = f"pod {namespace}/{name}: cannot read ({exc.status} {exc.reason})"
    else:
        state = pod_state(pod)
    return f"{state}\n{events(core, namespace, name)}"


def container_logs(core: client.CoreV1Api, namespace: str, pod: str, container: str,
                   tail: int = LOG_TAIL_LINES, previous: bool = False) -> str:
    """The last `tail` lines a container (or, `previous`, its last instance) printed, or why not."""
    try:
        response = core.read_namespaced_pod_log(
            pod, namespace, container=container, tail_lines=tail, previous=previous, _preload_content=False
        )
    except client.ApiException as exc:
        return f"(no logs: {exc.status} {exc.reason})"
    return response.data.decode(errors="replace")


def namespace_report(core: client.CoreV1Api, namespace: str) -> str:
    """Everything worth seeing after a failure: Pods, container logs, events."""
    parts = []
    for pod in core.list_namespaced_pod(namespace).items:
        parts.append(pod_state(pod))
        for container in list(pod.spec.init_containers or []) + list(pod.spec.containers):
            logs = container_logs(core, namespace, pod.metadata.name, container.name)
            parts.append(f"--- logs {pod.metadata.name}/{container.name} ---\n{logs.rstrip()}")
    parts.append(events(core, namespace))
    return "\n".join(parts)
