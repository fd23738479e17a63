"""The tuning procedure's selection rules (on hand-made reports: the sweep itself takes minutes)."""

from __future__ import annotations

from skills.roleplay.calibration import CalibrationReport
from skills.roleplay.tuning import Setting, choose, leave_one_out, merge


def _report(pass_ok: bool, agree: int, total: int = 2) -> CalibrationReport:
    r = CalibrationReport(transcripts=1, pass_agree=int(pass_ok))
    r.per_check["c"] = [agree, total]
    return r


def test_choose_prefers_agreement_then_recall() -> None:
    low, high = Setting(0.84), Setting(0.88)
    results = {low: [_report(True, 2), _report(True, 2)], high: [_report(True, 2), _report(True, 2)]}
    assert choose(results) == low  # tie: the lower threshold finds more
    results[low][1] = _report(False, 1)
    assert choose(results) == high


def test_leave_one_out_scores_each_transcript_with_a_setting_chosen_without_it() -> None:
    a, b = Setting(0.84), Setting(0.88)
    # leaving out 0 or 1 picks b (which agrees on them); leaving out 2 picks a, which fails 2
    results = {
        a: [_report(True, 2), _report(True, 2), _report(False, 0)],
        b: [_report(True, 1), _report(True, 1), _report(True, 2)],
    }
    cv = leave_one_out(results)
    assert cv.transcripts == 3 and cv.pass_agree == 2
    assert merge(results[a]).pass_agree == 2
