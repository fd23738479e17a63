"""PNG charts of role-play scores over time (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path


def scores_chart(
    series: Mapping[str, Sequence[tuple[datetime, float, str]]],
    *,
    path: Path,
    title: str,
    pass_mark: float = 80,
) -> Path:
    """Draw one line per rep (attempt number on x, score on y) with the pass mark, and save a PNG.

    The x axis is the attempt number rather than the date so that reps who practise in bursts
    still get a readable line; the dates are in the table next to the chart.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=100)
    try:
        for name, points in series.items():
            if points:
                ax.plot(range(1, len(points) + 1), [p[1] for p in points], marker="o", label=name)
        ax.axhline(pass_mark, color="grey", linestyle="--", linewidth=1, label=f"pass {pass_mark:g}")
        ax.set_ylim(0, 100)
        ax.set_xlabel("attempt")
        ax.set_ylabel("score")
        ax.set_title(title)
        ax.legend(loc="lower right", fontsize=8)
        fig.tight_layout()
        fig.savefig(path, format="png")
    finally:
        plt.close(fig)
    return path
