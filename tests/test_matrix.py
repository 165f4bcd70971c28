"""The version matrix: matrix.json's rows, one version's steps, and the side-by-side page."""
import json
import re
import sys

from tools.matrix import run, table, versions

SUMMARY = {
    "verdict": "FAIL", "counts": {"pass": 1, "fail": 1, "skip": 1},
    "cluster": {"server": "v1.35.4", "nodes": [{"kubelet": "v1.35.4", "runtime": "containerd://1.6.20"}]},
    "behaviours": [{"marker": "lifecycle", "checks": [
        {"title": "Sidecars stop in reverse order", "styles": {
            "classic": {"status": "n/a", "reason": ""},
            "native": {"status": "fail", "reason": "awaited reverse order | saw app first " + "x" * 200}}},
        {"title": "Sidecar restarts", "styles": {
            "classic": {"status": "pass", "reason": ""},
            "native": {"status": "skip", "reason": "native sidecars off: restartPolicy dropped"}}}]}],
    "delays": [{"name": "ConfigMap edit -> new body served", "seconds": {"classic": 6.7}}],
    "tutorial": [],
}


def _folder(root, version, summary=None, result=None):
    folder = root / version
    folder.mkdir()
    if summary:
        (folder / "summary.json").write_text(json.dumps(summary))
    if result:
        (folder / "result.json").write_text(json.dumps(result))
    return folder


def test_every_row_has_a_release_to_build_or_a_reason_and_a_nightly_image_by_digest():
    for row in versions.rows():
        assert row.build is None or re.fullmatch(r"v1\.\d+\.\d+", row.build), row
        assert row.build or row.why, row
        assert re.fullmatch(r"kindest/node:v1\.\d+\.\d+@sha256:[0-9a-f]{64}", row.nightly["image"]), row
        assert row.nightly["image"].startswith(f"kindest/node:{row.nightly['kubernetes']}@")
    assert len({row.minor for row in versions.rows()}) == len(versions.rows())
    assert versions.nightly_include()[0].keys() == {"kubernetes", "kind", "image"}


def test_the_page_shows_each_cell_with_its_reason_and_why_a_version_did_not_run(tmp_path):
    ran = _folder(tmp_path, "v1.35.4", SUMMARY, {"go_build": {"seconds": 480}, "steps": [
        {"name": "build", "exit": 0, "seconds": 500.0, "error": ""},
        {"name": "cluster", "exit": 0, "seconds": 31.0, "error": ""}]})
    unbuilt = _folder(tmp_path, "v1.31.13", None, {"go_build": None, "steps": [
        {"name": "build", "exit": 1, "seconds": 16.0,
         "error": "kubernetes v1.31.13 can not be built here: the Go module proxy does not serve k8s.io/kube-proxy@v0.31.13 (404 Not Found)"}]})
    page = table.markdown([unbuilt, ran], "t", ["preface"],
                          {"lifecycle: Sidecar restarts (native)": "an upstream change"})
    assert "| v1.35.4 | 480 | 500 | 31 | v1.35.4, v1.35.4, containerd://1.6.20 | FAIL: 1 pass, 1 fail, 1 skip | - | - |" in page
    assert "| v1.31.13 | - | - | - | - | build failed: kubernetes v1.31.13 can not be built here" in page
    row = next(line for line in page.splitlines() if line.startswith("| lifecycle: Sidecars stop in reverse order (native)"))
    assert "**FAIL**: awaited reverse order \\| saw app first" in row and "…" in row
    assert "(classic)" not in page.split("Sidecars stop in reverse order")[1].splitlines()[0]  # n/a rows are left out
    assert "| lifecycle: Sidecar restarts (native) | skip: native sidecars off: restartPolicy dropped |" in page
    assert "| ConfigMap edit -> new body served (classic) | 6.70 |" in page
    assert ("- lifecycle: Sidecars stop in reverse order (native), FAIL on v1.35.4: not explained: a bug of ours "
            "until shown otherwise") in page
    assert "an upstream change" not in page  # explained rows are listed only when they are red


def test_a_step_that_runs_out_of_time_is_exit_124_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setitem(run.TIMEOUTS, "suites", 0.5)
    step = run._step("suites", [sys.executable, "-c", "import time; time.sleep(30)"], {}, tmp_path / "log")
    assert (step.exit, step.error) == (124, "suites did not finish within 0.5s")


def test_a_steps_own_error_line_is_kept(tmp_path):
    step = run._step("build", [sys.executable, "-c", "print('progress'); print('ERROR: no go'); raise SystemExit(1)"],
                     {}, tmp_path / "log")
    assert (step.exit, step.error) == (1, "no go")
    assert (tmp_path / "log").read_text() == "progress\nERROR: no go\n"


def _junit(path, *outcomes):
    failure = '<failure message="x"/>'
    cases = "".join(f'<testcase classname="controls.t" name="c{i}">{failure if outcome == "failed" else ""}</testcase>'
                    for i, outcome in enumerate(outcomes))
    path.write_text(f'<testsuites><testsuite name="pytest" tests="{len(outcomes)}">{cases}</testsuite></testsuites>')


def test_a_versions_controls_are_those_run_with_the_others_and_those_run_alone(tmp_path):
    folder = _folder(tmp_path, "v1.35.4", SUMMARY)
    _junit(folder / table.CONTROLS_JUNIT[0], "passed", "passed", "failed")
    _junit(folder / table.CONTROLS_JUNIT[1], "passed", "passed")
    assert [case.outcome for case in table.Column.read(folder).controls] == ["passed", "passed", "failed", "passed",
                                                                              "passed"]
    assert "| FAIL: 1 pass, 1 fail, 1 skip | 4/5 passed |" in table.markdown([folder], "t", [], {})
