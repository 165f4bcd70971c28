"""An in-cluster run, from the operator's machine: create the objects of in-cluster.yaml (and a
ClusterRole with the rules of tools/rbac), stream the runner's output, fetch its results from
the container holding them into a reports folder, and delete everything it created, also on
Ctrl-C, SIGTERM or a runner Pod that failed.

Every wait is bounded by a named Timeout and stops at once on a state the run cannot leave.
"""
from __future__ import annotations

import base64
import io
import json
import shutil
import signal
import sys
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml
from kubernetes import client, config

from helpers.kube import execs
from helpers.kube.apierrors import api_message
from helpers.kube.namespace import RUN_LABEL, delete_namespace
from helpers.kube.pods import all_statuses, status_in, stuck_container
from helpers.kube.timeouts import Timeout
from helpers.kube.waits import wait_until
from helpers.pins import REPO_ROOT
from helpers.reporting.outputs import SUMMARY_JSON
from helpers.reporting.summary import FAIL
from helpers.session.cleanup import new_run_id
from tools.conformance.inpod import FETCHED

RUNNER_LABEL = "sidecar-conformance/in-cluster-run"
NAME_PREFIX = "sidecar-conformance-runner"
TEMPLATE = Path(__file__).with_name("in-cluster.yaml")
RBAC = REPO_ROOT / "tools" / "rbac" / "sidecar-conformance.yaml"
RESULTS = "/results"
RUNNER, HOLDER, JOB = "runner", "results", "runner"

RUNNER_START = Timeout("the runner Pod's runner container started (scheduled, image present)", 300, poll=2)
RUNNER_OUTPUT = Timeout("the runner's output followed until it exited", 3660, poll=2)  # the Job's deadline + 60 s
RUNNER_EXIT = Timeout("the runner container exited after its output ended", 60, poll=2)
FETCH = Timeout("the results fetched from the results container", 120)
GONE = Timeout("everything the in-cluster run created gone", 180, poll=2)
LOG_IDLE = 600  # seconds without a line from the runner before its stream is reopened
API_CONNECT = 15  # seconds to connect to the API server
ABORT_GRACE = 30  # seconds an aborted runner gets to delete the namespaces of its tests


def say(message: str) -> None:
    """A progress line of the operator's command, on stderr (stdout is the runner's own output)."""
    print(f"[in-cluster] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class InClusterRun:
    """One in-cluster run: its id names and labels every object it creates."""

    run_id: str

    @property
    def name(self) -> str:
        """The run's namespace, ClusterRole and ClusterRoleBinding."""
        return f"{NAME_PREFIX}-{self.run_id}"

    @property
    def selector(self) -> str:
        return f"{RUNNER_LABEL}={self.run_id}"

    def objects(self, image: str, pull_policy: str, suite_args: list[str]) -> list[dict]:
        """in-cluster.yaml's documents for this run, and its ClusterRole, in creation order."""
        docs = list(yaml.safe_load_all(TEMPLATE.read_text()))
        rules = next(doc for doc in yaml.safe_load_all(RBAC.read_text()) if doc["kind"] == "ClusterRole")["rules"]
        role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": self.name}, "rules": rules}
        for doc in [role, *docs]:
            doc["metadata"].setdefault("labels", {})[RUNNER_LABEL] = self.run_id
            if doc["kind"] in ("Namespace", "ClusterRoleBinding"):
                doc["metadata"]["name"] = self.name
            elif doc["kind"] != "ClusterRole":
                doc["metadata"]["namespace"] = self.name
            if doc["kind"] == "ClusterRoleBinding":
                doc["roleRef"]["name"] = self.name
                for subject in doc["subjects"]:
                    subject["namespace"] = self.name
            if doc["kind"] == "Job":
                pod = doc["spec"]["template"]
                pod.setdefault("metadata", {}).setdefault("labels", {})[RUNNER_LABEL] = self.run_id
                for container in pod["spec"]["initContainers"] + pod["spec"]["containers"]:
                    container["image"], container["imagePullPolicy"] = image, pull_policy
                runner = next(c for c in pod["spec"]["containers"] if c["name"] == RUNNER)
                runner["args"] += ["--run-id", self.run_id, "--reports-dir", RESULTS, *suite_args]
        return [role, *docs]


def api_for(kubeconfig: str | None, context: str | None) -> client.ApiClient:
    """A client for the operator's cluster (kubectl's default kubeconfig when none is given)."""
    return config.new_client_from_config(config_file=kubeconfig, context=context)


NO_NATIVE_SIDECARS = ("the cluster dropped `restartPolicy: Always` from the results holder: it runs no native"
                      " sidecars (Kubernetes before 1.29, or the SidecarContainers gate off), which an in-cluster"
                      " run needs; run from your machine instead: python -m tools.conformance run --kubeconfig K")


def holder_kept(job: client.V1Job) -> bool:
    """The Job as the API server stored it still makes its results holder a native sidecar."""
    holders = [c for c in job.spec.template.spec.init_containers or [] if c.name == HOLDER]
    return bool(holders) and holders[0].restart_policy == "Always"


def create(api: client.ApiClient, docs: list[dict]) -> None:
    """Create each object; the API server's refusal as one line, and a cluster that would make
    the results holder an ordinary init container (the runner would never start) said at once."""
    makers = {"ClusterRole": client.RbacAuthorizationV1Api(api).create_cluster_role,
              "ClusterRoleBinding": client.RbacAuthorizationV1Api(api).create_cluster_role_binding,
              "Namespace": client.CoreV1Api(api).create_namespace}
    namespaced = {"ServiceAccount": client.CoreV1Api(api).create_namespaced_service_account,
                  "Job": client.BatchV1Api(api).create_namespaced_job}
    for doc in docs:
        what = f"{doc['kind']} {doc['metadata']['name']}"
        try:
            made = (makers[doc["kind"]](doc) if doc["kind"] in makers
                    else namespaced[doc["kind"]](doc["metadata"]["namespace"], doc))
        except client.ApiException as exc:
            raise RuntimeError(f"cannot create {what}: {api_message(exc)}") from None
        if doc["kind"] == "Job" and not holder_kept(made):
            raise RuntimeError(NO_NATIVE_SIDECARS)
    say("created: " + ", ".join(f"{doc['kind']} {doc['metadata']['name']}" for doc in docs))


def runner_pod(core: client.CoreV1Api, run: InClusterRun) -> client.V1Pod | None:
    """The Job's Pod (None before the Job controller made it)."""
    pods = core.list_namespaced_pod(run.name, label_selector=f"job-name={JOB}").items
    return pods[0] if pods else None


def refused(core: client.CoreV1Api, run: InClusterRun) -> str | None:
    """Why the Job controller cannot make the runner Pod (Pod Security, quota...), or None."""
    events = core.list_namespaced_event(run.name, field_selector="reason=FailedCreate").items
    return f"the runner Pod cannot be created: {events[-1].message}" if events else None


def started(pod: client.V1Pod | None) -> bool:
    status = pod and status_in(pod, RUNNER)
    return bool(status and status.state and (status.state.running or status.state.terminated))


def show(pod: client.V1Pod | None) -> str:
    if pod is None:
        return "no runner Pod yet"
    states = [f"{s.name} {next(iter(k for k, v in s.state.to_dict().items() if v), '?')}" for s in all_statuses(pod)]
    return f"Pod {pod.metadata.name} {pod.status.phase}: {', '.join(states) or 'no container status'}"


def wait_started(core: client.CoreV1Api, run: InClusterRun) -> client.V1Pod:
    """The runner Pod once its runner container runs (or already ran)."""
    def cannot(pod: client.V1Pod | None) -> str | None:
        if pod is None:
            return refused(core, run)
        return stuck_container(pod) or (f"Pod {pod.metadata.name} {pod.status.phase}"
                                         if pod.status.phase in ("Succeeded", "Failed") else None)

    return wait_until("the runner to start", lambda: runner_pod(core, run), started, RUNNER_START, show=show,
                      terminal=cannot)


def runner_pod_now(core: client.CoreV1Api, pod: client.V1Pod) -> client.V1Pod | None:
    """The runner Pod as it is now; None once it is gone."""
    try:
        return core.read_namespaced_pod(pod.metadata.name, pod.metadata.namespace)
    except client.ApiException as exc:
        if exc.status == 404:
            return None
        raise


def exited(pod: client.V1Pod | None) -> bool:
    """The runner container has terminated in this Pod object."""
    status = pod and status_in(pod, RUNNER)
    return bool(status and status.state and status.state.terminated)


class RunnerLog:
    """The runner's output, copied line by line to `out` from as many log streams as it takes:
    a stream ends when the runner exits, but also when the node's kubelet restarts (the suites'
    disruptive checks restart it); a reopened stream starts from the log's first line, and the
    lines already copied are skipped."""

    def __init__(self, core: client.CoreV1Api, pod: client.V1Pod, out=sys.stdout):
        self.core, self.pod, self.out = core, pod, out
        self.copied = 0  # complete lines copied
        self.streams = 0

    def follow(self) -> bool:
        """Copy the lines not copied yet until the stream ends; whether that was the last stream
        (the runner had exited, or its Pod was gone, before it was opened: it held everything)."""
        seen = runner_pod_now(self.core, self.pod)
        last = seen is None or exited(seen)
        if self.streams and not last:
            say(f"the runner's output stream ended while it runs (a kubelet restart ends it): reopened,"
                f" its first {self.copied} lines skipped")
        self.streams += 1
        response = self.core.read_namespaced_pod_log(
            self.pod.metadata.name, self.pod.metadata.namespace, container=RUNNER, follow=True,
            _preload_content=False, _request_timeout=(API_CONNECT, LOG_IDLE))
        seen, pending = 0, b""
        try:
            for chunk in response.stream(4096, decode_content=True):
                *lines, pending = (pending + chunk).split(b"\n")
                for line in lines:
                    seen += 1
                    if seen > self.copied:
                        self.out.write(line.decode(errors="replace") + "\n")
                self.out.flush()
        finally:
            response.release_conn()
        self.copied = max(self.copied, seen)
        if last and pending:  # the runner's last words, without a newline
            self.out.write(pending.decode(errors="replace") + "\n")
            self.out.flush()
        return last

    def show(self, last: bool) -> str:
        return f"{self.copied} lines copied from {self.streams} streams; the runner {'done' if last else 'running'}"


def stream_output(core: client.CoreV1Api, pod: client.V1Pod, out=sys.stdout) -> None:
    """Copy the runner's output to `out` as it comes, until it exits, nothing lost to a stream that
    ends early (reopened, also after LOG_IDLE of silence or a broken connection)."""
    log = RunnerLog(core, pod, out)
    wait_until("the runner's output to its end", log.follow, bool, RUNNER_OUTPUT, show=log.show)


def wait_exited(core: client.CoreV1Api, pod: client.V1Pod) -> int:
    """The runner container's exit code, once it has one."""
    seen = wait_until("the runner to exit", lambda: runner_pod_now(core, pod), exited, RUNNER_EXIT, show=show,
                      terminal=lambda seen: f"runner Pod {pod.metadata.name} is gone" if seen is None else None)
    return status_in(seen, RUNNER).state.terminated.exit_code


def fetch(api: client.ApiClient, pod: client.V1Pod, into: Path) -> list[str]:
    """The results folder, as one tarball from the results container, unpacked into `into` (what
    it holds of the same names removed first: an earlier run's results); then the container is
    told they are fetched. The files' names."""
    name, namespace = pod.metadata.name, pod.metadata.namespace
    packed = execs.run(api, namespace, name, HOLDER, ["sh", "-c", f"tar -C {RESULTS} -czf - . | base64 -w0"], FETCH)
    if packed.exit_code != 0:
        raise RuntimeError(f"cannot read the results from {namespace}/{name}/{HOLDER}: {packed.describe()}")
    names = unpack(base64.b64decode(packed.stdout), into)
    execs.run(api, namespace, name, HOLDER, ["touch", f"{RESULTS}/{FETCHED}"], FETCH)
    return names


def unpack(tarball: bytes, into: Path) -> list[str]:
    """Unpack a gzipped tarball into `into`, replacing what it held of the same top-level names;
    the names of the files unpacked."""
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        members = archive.getmembers()
        for top in {Path(member.name).parts[0] for member in members if Path(member.name).parts}:
            earlier = into / top
            if earlier.is_dir() and not earlier.is_symlink():
                shutil.rmtree(earlier)
            else:
                earlier.unlink(missing_ok=True)
        archive.extractall(into, filter="data")
    return [member.name for member in members if member.isfile()]


def left(api: client.ApiClient, run: InClusterRun) -> list[str]:
    """What of this run still exists: its namespace, ClusterRole, ClusterRoleBinding, and the
    namespaces of its tests."""
    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    found = [f"namespace {ns.metadata.name}" for selector in (run.selector, f"{RUN_LABEL}={run.run_id}")
             for ns in core.list_namespace(label_selector=selector).items]
    found += [f"clusterrole {o.metadata.name}" for o in rbac.list_cluster_role(label_selector=run.selector).items]
    found += [f"clusterrolebinding {o.metadata.name}"
              for o in rbac.list_cluster_role_binding(label_selector=run.selector).items]
    return found


def empty_then_delete(api: client.ApiClient, namespace: str) -> None:
    """Delete the namespace's Jobs and Pods (ABORT_GRACE), and the namespace once no Pod is left:
    the namespace controller, finding a Pod still terminating, would wait for its spec's whole
    grace period (the runner's: minutes) before it looks again."""
    core = client.CoreV1Api(api)
    if core.list_namespaced_pod(namespace).items:
        client.BatchV1Api(api).delete_collection_namespaced_job(namespace, propagation_policy="Background")
        core.delete_collection_namespaced_pod(namespace, grace_period_seconds=ABORT_GRACE)
    else:
        delete_namespace(core, namespace)


def delete(api: client.ApiClient, run: InClusterRun) -> None:
    """Delete everything of the run (a runner Pod still running gets ABORT_GRACE to delete its
    tests' namespaces) and wait until nothing of it is left."""
    rbac = client.RbacAuthorizationV1Api(api)
    started, shown = time.monotonic(), [len(left(api, run))]

    def remaining() -> list[str]:
        found = left(api, run)
        if found and len(found) != shown[-1]:
            shown.append(len(found))
            say(f"deleting: {len(found)} left after {time.monotonic() - started:.0f}s")
        for what in found:
            kind, name = what.split(" ", 1)
            try:
                if kind == "namespace":
                    empty_then_delete(api, name)
                elif kind == "clusterrole":
                    rbac.delete_cluster_role(name)
                else:
                    rbac.delete_cluster_role_binding(name)
            except client.ApiException as exc:
                if exc.status != 404:
                    raise
        return found

    wait_until(f"the objects of in-cluster run {run.run_id} to be gone", remaining, lambda found: not found, GONE,
               show=lambda found: ", ".join(found))
    say(f"deleted everything of run {run.run_id} in {time.monotonic() - started:.0f}s: nothing labelled"
        f" {run.selector} or {RUN_LABEL}={run.run_id} left")


@contextmanager
def deleted_at_the_end(api: client.ApiClient, run: InClusterRun) -> Iterator[None]:
    """The block, then `delete` whatever happened in it; Ctrl-C and SIGTERM end the block (not the
    deletion: they are ignored while it runs)."""
    previous = signal.signal(signal.SIGTERM, _interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            delete(api, run)
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, previous)


def _interrupted(signum, _frame) -> None:
    raise KeyboardInterrupt(f"signal {signal.Signals(signum).name}")


def verdict_line(into: Path, fetched: list[str]) -> str:
    """The verdict of the fetched summary.json in one line, then a line per failure (none
    fetched: an earlier run's in `into` is not this run's)."""
    if not any(Path(name).parts == (SUMMARY_JSON,) for name in fetched):
        return "no summary: the runner wrote none (its output above says why)"
    try:
        summary = json.loads((into / SUMMARY_JSON).read_text())
    except (OSError, ValueError):
        return f"no summary.json in {into}"
    counts = ", ".join(f"{n} {what}" for what, n in summary.get("counts", {}).items())
    failed = "".join(f"\n  failed: {what}" for what in failures(summary))
    return f"verdict {summary['verdict']} (exit {summary['exit_code']}; {counts}){failed}"


def failures(summary: dict) -> list[str]:
    """What a summary.json says failed: each failed check and tutorial test with its one-line
    reason, and each session problem."""
    outcomes = [outcome for behaviour in summary.get("behaviours", []) for check in behaviour["checks"]
                for outcome in check["styles"].values()] + summary.get("tutorial", [])
    return ([f"{outcome['test']}: {outcome['reason']}" for outcome in outcomes if outcome["status"] == FAIL]
            + [f"session: {issue}" for issue in summary.get("session_issues", [])])


def follow_and_fetch(api: client.ApiClient, run: InClusterRun, into: Path) -> int:
    """Wait for the runner, stream its output, fetch its results into `into`; its exit code."""
    core = client.CoreV1Api(api)
    pod = wait_started(core, run)
    say(f"runner Pod {run.name}/{pod.metadata.name} started; its output follows")
    stream_output(core, pod)
    code = wait_exited(core, pod)
    names = fetch(api, pod, into)
    say(f"runner exited {code}; fetched {len(names)} files into {into}: {verdict_line(into, names)}")
    return code


def start(api: client.ApiClient, image: str, pull_policy: str, suite_args: list[str]) -> InClusterRun:
    """Create a new run's objects; the run."""
    run = InClusterRun(new_run_id())
    docs = run.objects(image, pull_policy, suite_args)
    try:
        create(api, docs)
    except BaseException:
        delete(api, run)
        raise
    return run


def find_run(api: client.ApiClient, run_id: str | None) -> InClusterRun:
    """The run with this id, or the only run on the cluster."""
    found = sorted({ns.metadata.labels[RUNNER_LABEL]
                    for ns in client.CoreV1Api(api).list_namespace(label_selector=RUNNER_LABEL).items})
    if run_id is not None:
        if run_id not in found:
            raise RuntimeError(f"no in-cluster run {run_id} on this cluster (runs: {', '.join(found) or 'none'})")
        return InClusterRun(run_id)
    if len(found) != 1:
        raise RuntimeError(f"{len(found)} in-cluster runs on this cluster ({', '.join(found) or 'none'}): give --run-id")
    return InClusterRun(found[0])
