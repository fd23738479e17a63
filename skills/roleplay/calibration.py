"""``dealpilot eval roleplay``: how well the offline scorer agrees with hand grades.

The set lives in ``evals/roleplay/*.yaml``: transcripts graded by hand, per check and pass/fail.
The report gives agreement per check (share of transcripts where scorer and grader agree on that
check), over all check verdicts, and on the pass/fail decision, against the targets in the issue
(>= 85% per check, >= 90% pass/fail).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typer
import yaml

EVAL_DIR = Path(__file__).resolve().parents[2] / "evals" / "roleplay"
CHECK_TARGET = 0.85
PASS_TARGET = 0.90
# A transcript whose hand-graded score is within this many points of the pass mark is "near" it: one
# check verdict either way (12.5-25 points in the shipped rubrics) can flip its pass/fail. Agreement is
# reported for near and clear transcripts separately because a set of close calls turns pass/fail
# agreement into a test of every single check verdict (docs/roleplay.md, "Calibration").
NEAR_MARGIN = 12.5


@dataclass
class CalibrationReport:
    transcripts: int = 0
    pass_agree: int = 0
    near: list[int] = field(default_factory=lambda: [0, 0])  # [agree, total] within NEAR_MARGIN
    per_check: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def pass_agreement(self) -> float:
        return self.pass_agree / self.transcripts if self.transcripts else 0.0

    @property
    def near_count(self) -> int:
        return self.near[1]

    @property
    def clear_count(self) -> int:
        return self.transcripts - self.near[1]

    @property
    def near_pass_agreement(self) -> float:
        return self.near[0] / self.near[1] if self.near[1] else 0.0

    @property
    def clear_pass_agreement(self) -> float:
        return (self.pass_agree - self.near[0]) / self.clear_count if self.clear_count else 0.0

    @property
    def check_agreement(self) -> float:
        agree = sum(a for a, _ in self.per_check.values())
        total = sum(n for _, n in self.per_check.values())
        return agree / total if total else 0.0

    def per_check_rates(self) -> dict[str, float]:
        return {check: a / n for check, (a, n) in sorted(self.per_check.items())}

    @property
    def min_check_agreement(self) -> float:
        return min(self.per_check_rates().values(), default=0.0)

    @property
    def meets_targets(self) -> bool:
        return self.pass_agreement >= PASS_TARGET and self.min_check_agreement >= CHECK_TARGET

    def to_json(self) -> dict[str, Any]:
        return {
            "transcripts": self.transcripts,
            "pass_fail_agreement": round(self.pass_agreement, 4),
            "near_pass_mark": {"transcripts": self.near_count, "pass_fail_agreement": round(self.near_pass_agreement, 4)},
            "clear_of_pass_mark": {
                "transcripts": self.clear_count,
                "pass_fail_agreement": round(self.clear_pass_agreement, 4),
            },
            "check_agreement_overall": round(self.check_agreement, 4),
            "check_agreement_min": round(self.min_check_agreement, 4),
            "per_check": {k: round(v, 4) for k, v in self.per_check_rates().items()},
            "targets": {"pass_fail": PASS_TARGET, "per_check": CHECK_TARGET},
            "meets_targets": self.meets_targets,
            "disagreements": self.disagreements,
        }


def load_graded(directory: Path = EVAL_DIR) -> list[dict[str, Any]]:
    """Every hand-graded transcript, validated enough to fail loudly on a typo."""
    items = []
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key in ("id", "level", "language", "transcript", "grades", "passed"):
            if key not in data:
                raise ValueError(f"{path.name}: missing '{key}'")
        items.append(data)
    return items


def calibrate(
    directory: Path = EVAL_DIR,
    *,
    heldout_only: bool = False,
    dev_only: bool = False,
    detector: Any = None,
    prefix: str = "",
) -> CalibrationReport:
    """Score every graded transcript (or only the held-out / only the development ones) and compare.

    ``detector`` defaults to the product's.
    """
    report = CalibrationReport()
    for item in load_graded(directory):
        if (heldout_only and not item.get("heldout")) or (dev_only and item.get("heldout")):
            continue
        if prefix and not str(item["id"]).startswith(prefix):
            continue
        add_item(report, item, detector)
    return report


def add_item(report: CalibrationReport, item: dict[str, Any], detector: Any = None) -> CalibrationReport:
    """Score one graded transcript and add its agreement to ``report``."""
    from skills.roleplay.rubric import load_rubric
    from skills.roleplay.scorer import Utterance, score_transcript

    rubric = load_rubric(item["level"])
    transcript = [_utterance(turn, Utterance) for turn in item["transcript"]]
    card = score_transcript(transcript, rubric, language=item["language"], detector=detector)
    verdicts = card.verdicts()
    unknown = set(item["grades"]) - set(verdicts)
    missing = set(verdicts) - set(item["grades"])
    if unknown or missing:
        raise ValueError(f"{item['id']}: grades do not match the rubric (unknown {sorted(unknown)}, missing {sorted(missing)})")
    report.transcripts += 1
    agrees = card.passed == bool(item["passed"])
    report.pass_agree += int(agrees)
    if abs(human_score(rubric, item["grades"]) - rubric.pass_mark) < NEAR_MARGIN:
        report.near[0] += int(agrees)
        report.near[1] += 1
    if not agrees:
        report.disagreements.append({"id": item["id"], "check": "PASS/FAIL", "human": item["passed"], "scorer": card.passed, "score": card.score})
    for check, human in item["grades"].items():
        tally = report.per_check[check]
        tally[0] += int(verdicts[check] == bool(human))
        tally[1] += 1
        if verdicts[check] != bool(human):
            quote = next(c.quote for c in card.checks if c.check_id == check)
            report.disagreements.append({"id": item["id"], "check": check, "human": human, "scorer": verdicts[check], "quote": quote})
    return report


def human_score(rubric: Any, grades: dict[str, bool]) -> float:
    """The score the grader's verdicts give under the rubric's weights (hints play no part), with the
    scorer's own partial-credit rule (``CriterionResult.points``)."""
    from skills.roleplay.scorer import CriterionResult

    return sum(
        CriterionResult(c.id, c.id, c.weight, sum(bool(grades[k.id]) for k in c.checks), len(c.checks)).points
        for c in rubric.criteria
    )


def _utterance(turn: dict[str, str], cls: Any) -> Any:
    (speaker, text), = turn.items()
    return cls(speaker, text)


def eval_roleplay(
    path: Path = typer.Option(EVAL_DIR, help="Directory of hand-graded transcripts."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    heldout: bool = typer.Option(False, "--heldout", help="Only held-out transcripts (never looked at while building the detector)."),
    dev: bool = typer.Option(False, "--dev", help="Only the development transcripts (the detector's design was chosen on these)."),
    prefix: str = typer.Option("", "--prefix", help="Only transcripts whose id starts with this (a batch, e.g. ho4-)."),
) -> None:
    """Agreement of the offline role-play scorer with hand grades (per check and pass/fail)."""
    if heldout and dev:
        raise typer.BadParameter("--heldout and --dev are exclusive")
    report = calibrate(path, heldout_only=heldout, dev_only=dev, prefix=prefix)
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        typer.echo(f"transcripts: {report.transcripts}")
        typer.echo(f"pass/fail agreement: {report.pass_agreement:.1%} (target {PASS_TARGET:.0%})")
        typer.echo(
            f"  near the pass mark (hand score within {NEAR_MARGIN:g}): {report.near_pass_agreement:.1%} (n={report.near_count}); "
            f"clear of it: {report.clear_pass_agreement:.1%} (n={report.clear_count})"
        )
        typer.echo(f"check agreement: overall {report.check_agreement:.1%}, lowest {report.min_check_agreement:.1%} (target {CHECK_TARGET:.0%} per check)")
        for check, rate in report.per_check_rates().items():
            n = report.per_check[check][1]
            typer.echo(f"  {check:<24} {rate:6.1%}  (n={n})")
        for d in report.disagreements:
            typer.echo(f"  disagree: {d['id']} {d['check']} human={d['human']} scorer={d['scorer']} {d.get('quote', '')}")
        typer.echo("targets met" if report.meets_targets else "TARGETS NOT MET")
    if not report.meets_targets:
        raise typer.Exit(code=1)
