"""The in-cluster run's pieces without a cluster: its objects, the Pod's kubeconfig, the results
holder, reaching a Pod at its IP, run ids."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml
from kubernetes import client

from helpers.kube.cluster import POD_IP, ClusterTarget
from helpers.kube.reach import DirectPort, pod_url, reach
from helpers.session.cleanup import given_run_id, new_run_id
from helpers.session.preflight import SessionError
from tools.conformance.__main__ import main
from tools.conformance.incluster import RBAC, RESULTS, RUNNER, RUNNER_LABEL, InClusterRun, stream_output, verdict_line
from tools.conformance.inpod import FETCHED, in_cluster_kubeconfig
from tools.conformance.version import DEFAULT_IMAGE


def by_kind(docs: list[dict]) -> dict[str, dict]:
    return {doc["kind"]: doc for doc in docs}


def test_every_object_of_a_run_is_named_and_labelled_by_it():
    run = InClusterRun(new_run_id())
    docs = run.objects("my/suite:1", "Always", ["-m", "network"])
    assert [doc["kind"] for doc in docs] == ["ClusterRole", "Namespace", "ServiceAccount", "ClusterRoleBinding", "Job"]
    for doc in docs:
        assert doc["metadata"]["labels"][RUNNER_LABEL] == run.run_id
        assert doc["metadata"].get("namespace", run.name) == run.name
    kinds = by_kind(docs)
    assert kinds["Namespace"]["metadata"]["name"] == kinds["ClusterRole"]["metadata"]["name"] == run.name
    binding = kinds["ClusterRoleBinding"]
    assert binding["roleRef"]["name"] == run.name and binding["subjects"][0]["namespace"] == run.name
    rbac_rules = next(d for d in yaml.safe_load_all(RBAC.read_text()) if d["kind"] == "ClusterRole")["rules"]
    assert kinds["ClusterRole"]["rules"] == rbac_rules  # the least-privilege rules, nothing more


def test_the_runner_pod_runs_the_image_with_the_run_id_and_holds_its_results_in_a_native_sidecar():
    run = InClusterRun("20261204-000000-abcdef")
    pod = by_kind(run.objects("my/suite:1", "Always", ["-m", "network"]))["Job"]["spec"]["template"]
    assert pod["metadata"]["labels"][RUNNER_LABEL] == run.run_id
    holder, = pod["spec"]["initContainers"]
    runner, = pod["spec"]["containers"]
    assert holder["restartPolicy"] == "Always" and holder["args"][:2] == ["hold-results", RESULTS]
    assert float(holder["args"][-1]) < pod["spec"]["terminationGracePeriodSeconds"]  # it gives up before its SIGKILL
    assert {c["image"] for c in (holder, runner)} == {"my/suite:1"}
    assert {c["imagePullPolicy"] for c in (holder, runner)} == {"Always"}
    assert runner["args"] == ["run", "--in-cluster", "--", "--run-id", run.run_id, "--reports-dir", RESULTS,
                              "-m", "network"]
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True


def test_the_pods_kubeconfig_names_the_api_server_and_the_token_file(tmp_path):
    path = in_cluster_kubeconfig(tmp_path / "kubeconfig", {"KUBERNETES_SERVICE_HOST": "fd00::1",
                                                          "KUBERNETES_SERVICE_PORT": "443"}, tmp_path)
    loaded = yaml.safe_load(path.read_text())
    assert loaded["clusters"][0]["cluster"]["server"] == "https://[fd00::1]:443"
    assert loaded["users"][0]["user"] == {"tokenFile": str(tmp_path / "token")}


def test_outside_a_pod_the_kubeconfig_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="not in a Pod"):
        in_cluster_kubeconfig(tmp_path / "kubeconfig", {}, tmp_path)


def holder(folder, limit: float) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "tools.conformance", "hold-results", str(folder),
                                "--limit", str(limit)], stdout=subprocess.PIPE, text=True)
    assert "holding" in process.stdout.readline()  # its SIGTERM handler is in place
    return process


def test_the_holder_outlives_its_sigterm_until_the_results_are_fetched(tmp_path):
    process = holder(tmp_path, 30)
    process.send_signal(signal.SIGTERM)
    time.sleep(1.5)
    assert process.poll() is None  # still holding
    (tmp_path / FETCHED).touch()
    assert process.wait(timeout=10) == 0


def test_the_holder_gives_up_after_its_limit(tmp_path):
    process = holder(tmp_path, 1)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=10) == 1
    assert "not fetched" in process.stdout.read()


def test_a_pod_ip_run_reaches_the_pod_at_its_ip_without_kubectl():
    target = ClusterTarget("/k", None, None, "r", reach=POD_IP)
    with reach(target, None, "ns", "p", lambda: "10.244.0.7", 8080, lambda: "") as port:
        assert port == DirectPort("http://10.244.0.7:8080") and port.ended() is None and port.transport is None
    with reach(target, None, "ns", "p", lambda: None, 8080, lambda: "", loopback_via="app") as port:
        assert port.url == "http://127.0.0.1:8080" and port.transport.container == "app"
    assert pod_url("fd00::7", 80) == "http://[fd00::7]:80"
    with pytest.raises(AssertionError, match="no IP"), reach(target, None, "ns", "p", lambda: None, 80, lambda: "pod p"):
        pass


def test_a_given_run_id_must_be_a_label_value():
    assert given_run_id(None) is None and given_run_id("20261204-000000-abcdef") == "20261204-000000-abcdef"
    with pytest.raises(SessionError, match="not a label value"):
        given_run_id("no spaces allowed")


def test_the_verdict_line_reads_the_fetched_summary(tmp_path):
    assert "no summary.json" in verdict_line(tmp_path, ["./summary.json"])
    (tmp_path / "summary.json").write_text('{"verdict": "PASS", "exit_code": 0, "counts": {"pass": 3}}')
    assert verdict_line(tmp_path, ["./summary.json"]) == "verdict PASS (exit 0; 3 pass)"
    assert verdict_line(tmp_path, []).startswith("no summary: the runner wrote none")  # an earlier run's is not this one's


def test_the_verdict_line_names_each_failure_with_its_reason(tmp_path):
    check = {"name": "c", "styles": {"native": {"status": "fail", "reason": "timed out [X]", "test": "suites/t.py::c[native]"},
                                     "classic": {"status": "pass", "reason": "", "test": "suites/t.py::c[classic]"}}}
    summary = {"verdict": "FAIL (2 checks failed)", "exit_code": 1, "counts": {"pass": 1, "fail": 1},
               "behaviours": [{"marker": "m", "checks": [check]}],
               "tutorial": [{"example": "e", "status": "fail", "reason": "crashed", "test": "suites/t.py::e"}],
               "session_issues": ["1 namespace left"]}
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    assert verdict_line(tmp_path, ["summary.json"]).splitlines() == [
        "verdict FAIL (2 checks failed) (exit 1; 1 pass, 1 fail)", "  failed: suites/t.py::c[native]: timed out [X]",
        "  failed: suites/t.py::e: crashed", "  failed: session: 1 namespace left"]


class Stream:
    def __init__(self, *chunks: bytes):
        self.chunks = chunks

    def stream(self, _amount, decode_content):
        yield from self.chunks

    def release_conn(self):
        pass


class Core:
    """A runner whose log streams end as given; it has exited once `exited_after` statuses were read."""

    def __init__(self, streams: list[Stream], exited_after: int):
        self.streams, self.exited_after, self.reads = list(streams), exited_after, 0

    def read_namespaced_pod(self, name, namespace):
        self.reads += 1
        state = (client.V1ContainerState(terminated=client.V1ContainerStateTerminated(exit_code=0))
                 if self.reads > self.exited_after else client.V1ContainerState(running=client.V1ContainerStateRunning()))
        status = client.V1ContainerStatus(name=RUNNER, state=state, image="i", image_id="", ready=False, restart_count=0)
        return client.V1Pod(status=client.V1PodStatus(container_statuses=[status]))

    def read_namespaced_pod_log(self, name, namespace, **_options):
        return self.streams.pop(0)


def test_the_runners_output_is_followed_past_a_stream_that_ends_while_it_runs(capsys):
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="runner-x", namespace="ns"))
    ended_by_a_kubelet_restart = Stream(b"one\ntw", b"o\nthr")
    reopened_until_the_exit = Stream(b"one\ntwo\nthree\nfo")
    after_the_exit = Stream(b"one\ntwo\nthree\nfour\n", b"summary")
    core = Core([ended_by_a_kubelet_restart, reopened_until_the_exit, after_the_exit], exited_after=2)
    out = io.StringIO()
    stream_output(core, pod, out)
    assert out.getvalue() == "one\ntwo\nthree\nfour\nsummary\n"  # each line once, the half lines whole
    assert "reopened, its first 2 lines skipped" in capsys.readouterr().err


def test_a_runner_that_exited_before_its_output_was_opened_takes_one_stream():
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="runner-x", namespace="ns"))
    out = io.StringIO()
    stream_output(Core([Stream(b"all\n")], exited_after=0), pod, out)
    assert out.getvalue() == "all\n"


def test_images_for_an_in_cluster_run_add_the_suites_own(capsys):
    assert main(["images", "--in-cluster"]) == 0
    assert DEFAULT_IMAGE in capsys.readouterr().out.split()


def test_in_cluster_without_a_cluster_is_one_line_and_exit_4(tmp_path, capsys):
    assert main(["in-cluster", "--kubeconfig", str(tmp_path / "absent")]) == 4
    assert capsys.readouterr().err.count("\n") == 1


def test_run_in_cluster_outside_a_pod_is_one_line(capsys, monkeypatch):
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert main(["run", "--in-cluster"]) == 1
    assert "not in a Pod" in capsys.readouterr().err
    assert os.environ.get("KUBERNETES_SERVICE_HOST") is None


def test_a_loopback_port_is_asked_with_the_bytes_the_pod_sends_and_its_answer_parsed():
    import base64
    import socket
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import httpx

    from helpers.kube.execport import SEND, parse_answer, raw_request

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self):
            body = f"{self.path} {self.headers['X-Request-Id']}".encode()
            self.send_response(404 if self.path == "/missing" else 200)
            self.send_header("X-Seen", "yes")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for path, status in (("/headers", 200), ("/missing", 404)):
            request = httpx.Request("GET", f"http://127.0.0.1:8080{path}", headers={"X-Request-Id": "r1"})
            sent = subprocess.run([sys.executable, "-c", SEND, base64.b64encode(raw_request(request)).decode(),
                                   str(server.server_address[1]), "5"], capture_output=True, text=True, check=True)
            answer = parse_answer(base64.b64decode(sent.stdout), request)
            assert (answer.status_code, answer.text, answer.headers["x-seen"]) == (status, f"{path} r1", "yes")
        refused = subprocess.run([sys.executable, "-c", SEND, "", str(socket.socket().getsockname()[1] or 9), "1"],
                                 capture_output=True, text=True)
        assert refused.returncode != 0
    finally:
        server.shutdown()
    with pytest.raises(httpx.RemoteProtocolError):
        parse_answer(b"garbage", request)


def summary(path, verdict: str, statuses: dict[str, str]):
    import json

    path.write_text(json.dumps({"verdict": verdict, "behaviours": [{"marker": "network", "checks": [
        {"name": "test_ip", "styles": {style: {"status": status} for style, status in statuses.items()}}]}]}))
    return path


def test_compare_says_same_only_for_the_same_verdict_and_outcomes(tmp_path, capsys):
    here = summary(tmp_path / "here.json", "PASS", {"classic": "pass", "native": "pass"})
    inside = summary(tmp_path / "inside.json", "PASS", {"classic": "pass", "native": "pass"})
    assert main(["compare", str(here), str(inside)]) == 0
    assert capsys.readouterr().out.startswith("same: 2 and 2 check rows")
    failed = summary(tmp_path / "failed.json", "FAIL", {"classic": "pass", "native": "fail"})
    assert main(["compare", str(here), str(failed)]) == 1
    assert "network / test_ip / native: pass in" in capsys.readouterr().out


def test_fetched_results_replace_an_earlier_runs_and_nothing_else(tmp_path):
    import io
    import tarfile

    from tools.conformance.incluster import unpack

    results = tmp_path / "results"
    (results / "allure-results").mkdir(parents=True)
    (results / "allure-results" / "new-result.json").write_text("{}")
    (results / "summary.md").write_text("# new")
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w:gz") as archive:
        archive.add(results, arcname=".")  # as `tar -C /results -czf - .` packs it
    into = tmp_path / "reports"
    (into / "allure-results").mkdir(parents=True)
    (into / "allure-results" / "old-result.json").write_text("{}")
    (into / "summary.md").write_text("# old")
    (into / "mine.txt").write_text("the operator's own")
    names = unpack(packed.getvalue(), into)
    assert sorted(names) == ["./allure-results/new-result.json", "./summary.md"]
    assert sorted(p.name for p in (into / "allure-results").iterdir()) == ["new-result.json"]
    assert (into / "summary.md").read_text() == "# new" and (into / "mine.txt").exists()


def test_a_cluster_dropping_the_holders_restart_policy_is_said_at_once():
    from kubernetes import client

    from tools.conformance.incluster import HOLDER, holder_kept

    def job(policy):
        spec = client.V1PodSpec(containers=[], init_containers=[client.V1Container(name=HOLDER, restart_policy=policy)])
        return client.V1Job(spec=client.V1JobSpec(template=client.V1PodTemplateSpec(spec=spec)))

    assert holder_kept(job("Always")) and not holder_kept(job(None))
