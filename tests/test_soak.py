"""Soak reports: per-test pass counts and delay spreads from junit files."""
from tools.soak.report import lines, read_junit, summarize

JUNIT = """<testsuites><testsuite>
<testcase classname="suites.test_a" name="test_x[classic]" time="1">
  <properties><property name="delay:edit -> served" value="{delay}"/>
  <property name="inherent:pod start" value="2.5"/></properties>{outcome}
</testcase>
<testcase classname="suites.test_a" name="test_y[native]" time="1"><skipped/></testcase>
</testsuite></testsuites>"""


def run(tmp_path, number, delay, outcome=""):
    path = tmp_path / f"run-{number}.xml"
    path.write_text(JUNIT.format(delay=delay, outcome=outcome))
    return read_junit(path)


def test_counts_passes_and_spreads_delays_leaving_skips_out(tmp_path):
    summary = summarize([run(tmp_path, 1, 2.0), run(tmp_path, 2, 4.0, "<failure message='boom'/>"),
                         run(tmp_path, 3, 3.0)])
    assert summary["tests"] == {"suites.test_a::test_x[classic]": {"ran": 3, "passed": 2}}
    assert summary["delays"] == {"suites.test_a::test_x[classic] | edit -> served": {
        "n": 3, "min": 2.0, "median": 3.0, "p95": 4.0, "max": 4.0}}  # delay: properties only
    assert lines(summary)[0] == "soak: 3 runs, 1 tests, 1 with failures"


def test_an_errored_test_counts_as_failed(tmp_path):
    summary = summarize([run(tmp_path, 1, 2.0, "<error message='fixture'/>"),
                         run(tmp_path, 2, 2.0, "<skipped/><error message='teardown'/>")])
    assert summary["tests"] == {"suites.test_a::test_x[classic]": {"ran": 2, "passed": 0}}
    assert lines(summary)[1] == "  0/2   suites.test_a::test_x[classic]"
