"""The conformance summary, built from test reports as the xdist controller receives them."""
import json
from types import SimpleNamespace

import pytest

from helpers.behaviours import BEHAVIOURS
from helpers.reporting.clusterfacts import ClusterFacts, NodeFacts
from helpers.reporting.evidence import DELAY_PREFIX, STYLES_PROPERTY
from helpers.reporting.render import markdown, terminal_lines
from helpers.reporting.summary import NOT_SELECTED, PASS, TUTORIAL_PROPERTY, build, reason
from helpers.reporting.verdict import EXIT_CODES, Verdict

EXIT_PASS, EXIT_FAIL, EXIT_INCONCLUSIVE = (EXIT_CODES[v] for v in (Verdict.PASS, Verdict.FAIL, Verdict.INCONCLUSIVE))

FACTS = ClusterFacts("v1.34.11", {"kubectl": "v1.34.11"}, None,
                     [NodeFacts("kind-control-plane", "v1.34.11", "containerd://1.7", "Debian 12", "kindest/node:x")])
OLD_SERVER = "native sidecars need Kubernetes >= 1.29; the server is v1.28.15"
LEFT_BEHIND = ("left behind: timed out after 300s [namespaces gone] waiting for namespaces labelled"
               " sidecar-conformance/run=run-1 to be gone")
TIMEOUT = ("kube.waits.WaitTimeout: timed out after 180s [pod ready] waiting for Pod(ns/logs-demo): Ready\n"
           "last seen: phase=Pending")


def report(nodeid, when="call", outcome="passed", longrepr=None, props=(), line=10):
    """A TestReport as far as the summary reads it."""
    marker, style = nodeid.split("/")[1].removeprefix("test_").split(".")[0], nodeid.split("[")[1].rstrip("]")
    return SimpleNamespace(nodeid=nodeid, when=when, failed=outcome == "failed", skipped=outcome == "skipped",
                           longrepr=longrepr, keywords={marker: 1, style: 1, "suites": 1},
                           user_properties=list(props), location=(nodeid.split("::")[0], line, "x"))


def crash(message):
    return SimpleNamespace(reprcrash=SimpleNamespace(message=message))


def phases(nodeid, line=10, props=(), **call):
    """setup, call and teardown reports of a test whose call ended as `call` says."""
    return [report(nodeid, "setup", props=props, line=line), report(nodeid, props=props, line=line, **call),
            report(nodeid, "teardown", props=props, line=line)]


def skipped(nodeid, why):
    """The reports of a test skipped in its setup."""
    return [report(nodeid, "setup", "skipped", ("x.py", 1, f"Skipped: {why}")), report(nodeid, "teardown")]


def complete(*behaviours, styles=("classic", "native")):
    """Every phase of a passing check of each behaviour (default: all) in each style."""
    return [part for marker in behaviours or BEHAVIOURS
            for style in styles for part in phases(f"suites/test_{marker}.py::test_{marker}_works[{style}]")]


NETWORK = "suites/test_network.py::test_every_container_has_the_pod_ip_on_eth0"
LOGS = "suites/test_logs.py::test_sidecar_ships_every_line_once_and_in_order"
JOB = "suites/test_ordering.py::test_job_with_native_sidecar_completes_when_main_exits"


@pytest.fixture
def reports():
    return [
        *phases(f"{NETWORK}[classic]"), *phases(f"{NETWORK}[native]"),
        *phases(f"{LOGS}[classic]", props=[(DELAY_PREFIX + "logs.yaml propagation p50", 0.5)]),
        *phases(f"{LOGS}[native]", outcome="failed", longrepr=crash(TIMEOUT)),
        *phases(f"{JOB}[native]", props=[(STYLES_PROPERTY, "native"), (DELAY_PREFIX + "job complete", 5.0)],
                line=40),
        report("controls/test_controls.py::test_x[y]", outcome="failed", longrepr=crash("AssertionError: x")),
    ]


@pytest.fixture
def summary(reports):
    return build(reports, FACTS, "run-1")


def test_each_test_gets_its_worst_phase_and_the_first_line_of_why(summary):
    logs = summary.checks[1]
    assert (logs.title, logs.cell("classic").status) == ("Sidecar ships every line once and in order", "pass")
    native = logs.cell("native")
    assert native.status == "fail"
    assert native.reason == "WaitTimeout: timed out after 180s [pod ready] waiting for Pod(ns/logs-demo): Ready"
    assert native.test == f"{LOGS}[native]"


def test_a_failed_setup_or_teardown_fails_the_test():
    failing_teardown = [report(f"{NETWORK}[classic]"),
                        report(f"{NETWORK}[classic]", "teardown", "failed", crash("RuntimeError: gone"))]
    assert build(failing_teardown, FACTS, "r").checks[0].cell("classic").reason == "RuntimeError: gone"


def test_styles_a_check_is_not_written_for_are_na_and_unselected_ones_not_run(summary):
    job = summary.checks[2]
    assert (job.cell("classic").status, job.cell("native").status) == ("n/a", "pass")
    only_classic = build(phases(f"{NETWORK}[classic]"), FACTS, "r")
    assert only_classic.checks[0].cell("native").status == "not run"


def test_behaviour_rows_roll_up_their_checks(summary):
    assert summary.rollup("network", "classic") == "pass (1/1)"
    assert summary.rollup("logs", "native") == "FAIL (1 of 1)"
    assert summary.rollup("ordering", "classic") == "n/a"
    assert summary.rollup("reload", "classic") == "not run"
    skipped = build([report(f"{NETWORK}[native]", "setup", "skipped",
                            ("x.py", 1, "Skipped: native sidecars need Kubernetes >= 1.29"))], FACTS, "r")
    assert skipped.rollup("network", "native") == "skip: native sidecars need Kubernetes >= 1.29"


def test_verdict_counts_and_other_tests(summary):
    assert summary.verdict() == "FAIL (1 check failed, 1 other test failed)"
    assert summary.counts() == {"pass": 4, "fail": 1, "skip": 0}
    assert summary.others == {"fail": 1}
    assert build(phases(f"{NETWORK}[native]"), FACTS, "r").verdict() == (
        "PASS (partial: not selected: classic, logs, proxy, reload, shutdown, ordering, lifecycle, readiness,"
        " scheduling)")


def test_a_complete_run_is_a_plain_pass():
    summary = build(complete(), FACTS, "r")
    assert (summary.verdict(), summary.passed(), summary.to_dict()["passed"]) == ("PASS", True, True)


def test_a_failing_test_without_a_behaviour_fails_the_run():
    failing = report("controls/test_controls.py::test_x[y]", outcome="failed", longrepr=crash("AssertionError: x"))
    summary = build([*complete(), failing], FACTS, "r")
    assert (summary.verdict(), summary.passed()) == ("FAIL (1 other test failed)", False)


def test_an_error_in_the_teardown_of_a_check_fails_the_run():
    broken = report("suites/test_network.py::test_network_works[classic]", "teardown", "failed",
                    crash("RuntimeError: namespace stuck"))
    summary = build([*complete(), broken], FACTS, "r")
    assert (summary.verdict(), summary.passed()) == ("FAIL (1 check failed)", False)


def test_a_session_problem_fails_the_run_and_is_shown_everywhere():
    summary = build(complete(), FACTS, "r", session_issues=[LEFT_BEHIND])
    assert (summary.verdict(), summary.passed()) == ("FAIL (1 session problem)", False)
    assert f"## Session problems\n\n- {LEFT_BEHIND}\n" in markdown(summary)
    lines = terminal_lines(summary)
    assert lines[lines.index("Session problems:") + 1] == f"- {LEFT_BEHIND}"
    data = json.loads(json.dumps(summary.to_dict()))
    assert (data["session_issues"], data["passed"]) == ([LEFT_BEHIND], False)


def test_a_style_the_cluster_skipped_is_inconclusive_says_why_and_never_exits_0():
    native = [part for marker in ("network", "logs") for part in skipped(
        f"suites/test_{marker}.py::test_{marker}_works[native]", OLD_SERVER)]
    summary = build([*complete("network", "logs", styles=["classic"]), *native], FACTS, "r")
    assert summary.verdict() == (f"INCONCLUSIVE (native skipped: {OLD_SERVER};"
                                 " not selected: proxy, reload, shutdown, ordering, lifecycle, readiness, scheduling)")
    assert (summary.passed(), summary.exit_code()) == (False, EXIT_INCONCLUSIVE)


def test_a_style_the_user_left_out_is_a_partial_pass_that_exits_0():
    summary = build(complete(styles=["classic"]), FACTS, "r")
    assert summary.verdict() == "PASS (partial: not selected: native)"
    assert (summary.passed(), summary.exit_code()) == (True, EXIT_PASS)


def test_a_check_skipped_as_not_selected_is_the_users_choice_a_partial_pass_that_exits_0():
    disruptive = [part for style in ("classic", "native") for part in skipped(
        f"suites/test_lifecycle.py::test_after_a_kubelet_restart[{style}]",
        f"{NOT_SELECTED}checks that restart a kubelet (pass --disruptive)")]
    summary = build([*complete(), *disruptive], FACTS, "r")
    assert summary.verdict() == ("PASS (partial: not selected: 1 of 10 classic checks, 1 of 10 native checks,"
                                 " checks that restart a kubelet (pass --disruptive))")
    assert (summary.passed(), summary.exit_code(), summary.counts()["skip"]) == (True, EXIT_PASS, 0)


def test_a_skipped_tutorial_example_is_a_gap():
    example = [part for part in skipped("suites/test_tutorial.py::test_tutorial_example[localhost]", "no nc -z")]
    for part in example:
        part.keywords["tutorial"] = 1
    summary = build([*complete(), *example], FACTS, "r")
    assert summary.verdict() == "INCONCLUSIVE (1 tutorial example skipped: no nc -z)"
    assert summary.exit_code() == EXIT_INCONCLUSIVE


def test_each_verdict_has_its_exit_code(summary):
    assert (build(complete(), FACTS, "r").exit_code(), summary.exit_code()) == (EXIT_PASS, EXIT_FAIL)
    assert build(complete(), FACTS, "r", session_issues=[LEFT_BEHIND]).exit_code() == EXIT_FAIL
    nothing = [part for style in ("classic", "native") for part in skipped(f"{NETWORK}[{style}]", "no cluster")]
    assert build(nothing, FACTS, "r").exit_code() == EXIT_INCONCLUSIVE
    assert build([], FACTS, "r").exit_code() == EXIT_INCONCLUSIVE


def test_some_checks_skipped_or_unselected_in_a_style_are_counted():
    runs = [*complete("network", "logs", "proxy", "reload", "shutdown", "lifecycle", "readiness", "scheduling"),
            *complete("ordering", styles=["classic"]),
            *skipped("suites/test_logs.py::test_logs_rotate[native]", "no log rotation here"),
            *phases("suites/test_logs.py::test_logs_rotate[classic]")]
    assert build(runs, FACTS, "r").verdict() == (
        "INCONCLUSIVE (1 of 10 native checks skipped: no log rotation here; not selected: 1 of 10 native checks)")


def test_behaviours_without_checks_make_the_pass_partial():
    assert build(complete("network", "logs", "proxy", "ordering"), FACTS, "r").verdict() == (
        "PASS (partial: not selected: reload, shutdown, lifecycle, readiness, scheduling)")


def test_a_run_where_everything_skipped_is_inconclusive_and_says_why():
    runs = [part for style in ("classic", "native") for part in skipped(f"{NETWORK}[{style}]", "no cluster")]
    summary = build(runs, FACTS, "r")
    assert summary.verdict() == (
        "INCONCLUSIVE (nothing passed; classic, native skipped: no cluster;"
        " not selected: logs, proxy, reload, shutdown, ordering, lifecycle, readiness, scheduling)")
    assert not summary.passed()


def test_skip_and_assertion_reasons_are_cleaned_up():
    assert reason(SimpleNamespace(longrepr=("x.py", 3, "Skipped: no native sidecars"))) == "no native sidecars"
    assert reason(SimpleNamespace(longrepr=crash("AssertionError: assert 1 == 2\n  where ..."))) == "assert 1 == 2"


def test_markdown_has_a_row_per_behaviour_and_the_failure_reason_in_its_check_row(summary):
    text = markdown(summary)
    assert text.startswith("# Sidecar conformance: FAIL (1 check failed, 1 other test failed)\n")
    assert "| Kubernetes server | v1.34.11 |" in text
    assert "| kind node image | kindest/node:x |" in text
    assert "| Log shipping | pass (1/1) | FAIL (1 of 1) |" in text
    assert "| Config reload | not run | not run |" in text
    assert ("| Log shipping | Sidecar ships every line once and in order | pass | **FAIL: WaitTimeout: timed out"
            " after 180s [pod ready] waiting for Pod(ns/logs-demo): Ready** |") in text
    assert "| Ordering | Job with native sidecar completes when main exits | n/a | pass |" in text
    assert "| job complete |  | 5.000 s |" in text
    assert "Other tests (no behaviour marker): 1 fail" in text


def test_terminal_lines_number_the_reasons_below_the_table(summary):
    lines = terminal_lines(summary)
    assert lines[0] == "Result: FAIL (1 check failed, 1 other test failed)"
    assert lines[1].startswith("4 passed, 1 failed, 0 skipped; run run-1, finished ")
    row = next(line for line in lines if "Sidecar ships every line" in line)
    assert row.split()[-3:] == ["pass", "FAIL", "[1]"]
    note = lines.index("[1] WaitTimeout: timed out after 180s [pod ready] waiting for Pod(ns/logs-demo): Ready")
    assert lines[note + 1].strip() == f"{LOGS}[native]"


def test_json_has_every_behaviour_and_cell(summary):
    data = json.loads(json.dumps(summary.to_dict()))
    assert [b["marker"] for b in data["behaviours"]] == ["network", "logs", "proxy", "reload", "shutdown", "ordering",
                                                         "lifecycle", "readiness", "scheduling"]
    logs = data["behaviours"][1]
    assert logs["styles"] == {"classic": "pass (1/1)", "native": "FAIL (1 of 1)"}
    assert logs["checks"][0]["styles"]["classic"]["delays"] == {"logs.yaml propagation p50": 0.5}
    assert data["cluster"]["nodes"][0]["kind_image"] == "kindest/node:x"
    assert (data["verdict"], data["passed"], data["session_issues"]) == (
        "FAIL (1 check failed, 1 other test failed)", False, [])


TUTORIAL = "suites/test_tutorial.py::test_tutorial_example"
NOW_WORKS = "AssertionError: tutorial example config-reload now works: update its expectation (was: broken: no reload)"


def tutorial_reports():
    """Four tutorial tests: two as expected, one that now works, one that ended before a verdict."""
    def observed(example, verdict):
        return [(TUTORIAL_PROPERTY, f"{example}: {verdict}")]

    return [
        *phases(f"{TUTORIAL}[localhost]", props=observed("localhost", "broken: curl: (7) Failed to connect")),
        *phases(f"{TUTORIAL}[logging-sidecar]", props=observed("logging-sidecar", "works")),
        *phases(f"{TUTORIAL}[config-reload]", props=observed("config-reload", "works"), outcome="failed",
                longrepr=crash(NOW_WORKS)),
        report(f"{TUTORIAL}[init-container]", "setup", "failed", crash(TIMEOUT)),
    ]


def test_tutorial_examples_have_a_section_of_their_own_and_a_failing_one_fails_the_run():
    summary = build([*complete(), *tutorial_reports()], FACTS, "r")
    assert (summary.verdict(), summary.others, summary.counts()[PASS]) == ("FAIL (2 tutorial tests failed)", {}, 18)
    rows = [(example.name, example.seen, example.as_expected, example.expectation, example.outcome.reason)
            for example in summary.tutorial]
    assert rows == [
        ("config-reload", "works", False, "NOT as expected", NOW_WORKS.removeprefix("AssertionError: ")),
        ("init-container", "no verdict", None, "FAIL",
         "WaitTimeout: timed out after 180s [pod ready] waiting for Pod(ns/logs-demo): Ready"),
        ("localhost", "broken: curl: (7) Failed to connect", True, "as expected", ""),
        ("logging-sidecar", "works", True, "as expected", ""),
    ]


def test_tutorial_examples_as_expected_leave_the_verdict_as_it_was():
    passing = tutorial_reports()[:6]
    assert build([*complete(), *passing], FACTS, "r").verdict() == "PASS"
    assert build(passing, FACTS, "r").verdict() == (  # no check ran: as before, when they were "other tests"
        "INCONCLUSIVE (nothing passed; not selected: network, logs, proxy, reload, shutdown, ordering, lifecycle,"
        " readiness, scheduling)")


def test_tutorial_section_in_the_terminal_markdown_and_json():
    summary = build([*complete("network"), *tutorial_reports()], FACTS, "r")
    lines = terminal_lines(summary)
    start = lines.index("Tutorial examples (as written)")
    assert lines[start + 1:start + 4] == [
        "Example          Expected?        Observed",
        "config-reload    NOT as expected  works",
        f"      {NOW_WORKS.removeprefix('AssertionError: ')}"]
    assert lines[start + 6].split() == ["localhost", "as", "expected", "broken:", "curl:", "(7)", "Failed", "to",
                                        "connect"]
    assert not any(line.startswith("Other tests") for line in lines)
    text = markdown(summary)
    assert "\n## Tutorial examples (as written)\n\n| Example | Observed | Expected? |\n|---|---|---|\n" in text
    assert ("| config-reload | works | **NOT as expected: tutorial example config-reload now works: update its"
            " expectation (was: broken: no reload)** |") in text
    assert "| logging-sidecar | works | as expected |" in text
    data = json.loads(json.dumps(summary.to_dict()))
    assert data["tutorial"][2] == {"example": "localhost", "observed": "broken: curl: (7) Failed to connect",
                                   "as_expected": True, "status": "pass", "reason": "",
                                   "test": f"{TUTORIAL}[localhost]"}
    assert data["tutorial"][1]["as_expected"] is None


def test_a_run_without_tutorial_tests_has_no_tutorial_section(summary):
    assert "Tutorial examples (as written)" not in terminal_lines(summary)
    assert "Tutorial" not in markdown(summary)
    assert summary.to_dict()["tutorial"] == []
