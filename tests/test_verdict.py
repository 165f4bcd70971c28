"""Every verdict and its exit code (reporting.verdict), without a run."""
from __future__ import annotations

import pytest

from helpers.reporting.verdict import EXIT_CODES, Judgement, Verdict, judge

OLD_SERVER = "native skipped: native sidecars need Kubernetes >= 1.29; the API server drops restartPolicy"


@pytest.mark.parametrize("failures, passed, skips, unselected, verdict, code, text", [
    ([], 20, [], [], Verdict.PASS, 0, "PASS"),
    ([], 10, [], ["native"], Verdict.PASS_PARTIAL, 0, "PASS (partial: not selected: native)"),
    ([], 0, [], [], Verdict.INCONCLUSIVE, 6, "INCONCLUSIVE (nothing passed)"),
    ([], 0, ["classic, native skipped: no nodes"], [], Verdict.INCONCLUSIVE, 6,
     "INCONCLUSIVE (nothing passed; classic, native skipped: no nodes)"),
    ([], 10, [OLD_SERVER], [], Verdict.INCONCLUSIVE, 6, f"INCONCLUSIVE ({OLD_SERVER})"),
    ([], 10, [OLD_SERVER], ["reload"], Verdict.INCONCLUSIVE, 6, f"INCONCLUSIVE ({OLD_SERVER}; not selected: reload)"),
    (["1 check failed"], 19, [], [], Verdict.FAIL, 1, "FAIL (1 check failed)"),
    (["1 check failed", "1 session problem"], 0, [OLD_SERVER], ["native"], Verdict.FAIL, 1,
     "FAIL (1 check failed, 1 session problem)"),
], ids=["pass", "partial by the user's -k", "everything skipped", "nothing ran on the cluster",
        "native skipped by the cluster", "a gap beside a selection", "one failure", "failure wins"])
def test_each_run_gets_its_verdict_and_exit_code(failures, passed, skips, unselected, verdict, code, text):
    judged = judge(failures, passed, skips, unselected)
    assert (judged.verdict, judged.exit_code, judged.text()) == (verdict, code, text)
    assert judged.passed == (code == 0)


def test_a_session_that_could_not_start_exits_as_pytest_usage_error():
    assert Judgement(Verdict.SESSION_PROBLEM, ("no cluster",)).exit_code == pytest.ExitCode.USAGE_ERROR == 4


def test_only_a_pass_exits_zero():
    assert {verdict for verdict, code in EXIT_CODES.items() if code == 0} == {Verdict.PASS, Verdict.PASS_PARTIAL}
    assert set(EXIT_CODES) == set(Verdict)
