"""The delivery timeline as a picture: planned vs actual per milestone, late ones in red, today marked.

Matplotlib runs headless (Agg) and is imported inside the function so ``dealpilot ask`` does not
pay for it. Labels use a CJK font when one is installed, otherwise the English milestone names
(a box-filled label helps nobody).
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

from skills.warroom.deal import MilestoneView

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN")
ON_TIME, LATE, PLANNED, TODAY = "#2e7d32", "#c62828", "#90a4ae", "#1565c0"


def _cjk_font() -> str | None:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def timeline_hash(milestones: list[MilestoneView], today: date) -> str:
    """Changes when the picture would change (dates, statuses, which ones are overdue)."""
    parts = [f"{m.milestone.id}|{m.milestone.planned_date}|{m.milestone.actual_date}|{m.milestone.status}|{m.overdue}"
             for m in milestones]
    return hashlib.sha256(("\n".join(parts) + f"|{today}").encode()).hexdigest()[:16]


def render_gantt(
    milestones: list[MilestoneView], *, today: date, title_zh: str, title_en: str, path: Path, language: str = "en"
) -> Path:
    """Draw the timeline to ``path`` (PNG, ~1200 px wide) and return it.

    Each row is a milestone: a grey diamond at the planned date, a green dot at the actual date
    (red when late), a red bar from plan to today for overdue ones, and a blue line for today.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    font = _cjk_font()
    use_zh = language == "zh" and font is not None
    rows = list(reversed(milestones))  # first milestone on top
    height = max(3.0, 0.42 * len(rows) + 1.4)
    with plt.rc_context({"font.family": [font] if font else ["DejaVu Sans"], "axes.unicode_minus": False}):
        fig, ax = plt.subplots(figsize=(12, height), dpi=100)
        for y, view in enumerate(rows):
            m = view.milestone
            planned = m.planned_date
            if m.actual_date is not None:
                color = LATE if view.late_days > 0 else ON_TIME
                ax.plot([planned, m.actual_date], [y, y], color=color, linewidth=3, alpha=0.6, solid_capstyle="round")
                ax.scatter([m.actual_date], [y], color=color, s=60, zorder=3)
            elif view.overdue:
                ax.barh(y, (today - planned).days, left=planned, height=0.35, color=LATE, alpha=0.75)
                ax.annotate(f"+{view.late_days}d", (today, y), xytext=(4, -4), textcoords="offset points",
                            color=LATE, fontsize=8, fontweight="bold")
            elif m.status == "in_progress":
                ax.barh(y, max((planned - today).days, 1), left=today, height=0.25, color=PLANNED, alpha=0.5)
            ax.scatter([planned], [y], marker="D", facecolor="white", edgecolor="#455a64", s=45, zorder=4)
            if m.actual_date is not None and view.late_days > 0:
                ax.annotate(f"+{view.late_days}d", (m.actual_date, y), xytext=(6, -4), textcoords="offset points",
                            color=LATE, fontsize=8, fontweight="bold")
        ax.axvline(today, color=TODAY, linestyle="--", linewidth=1.2)
        ax.text(today, len(rows) - 0.4, " today" if not use_zh else " 今天", color=TODAY, fontsize=9, va="bottom")
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([view.name("zh" if use_zh else "en") for view in rows], fontsize=9)
        ax.set_ylim(-0.8, len(rows) - 0.2)
        if rows:
            dates = [v.milestone.planned_date for v in rows] + [v.milestone.actual_date for v in rows if v.milestone.actual_date]
            ax.set_xlim(min(min(dates), today) - timedelta(days=10), max(max(dates), today) + timedelta(days=14))
        ax.xaxis.set_major_locator(mdates.MonthLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        ax.grid(axis="x", color="#eceff1")
        ax.set_title(title_zh if use_zh else title_en, fontsize=12, loc="left")
        legend = [
            plt.Line2D([], [], marker="D", color="w", markeredgecolor="#455a64", label="planned" if not use_zh else "计划"),
            plt.Line2D([], [], marker="o", color="w", markerfacecolor=ON_TIME, markersize=8, label="done on time" if not use_zh else "按期完成"),
            plt.Line2D([], [], marker="o", color="w", markerfacecolor=LATE, markersize=8, label="late / overdue" if not use_zh else "延期 / 逾期"),
        ]
        ax.legend(handles=legend, loc="upper right", fontsize=8, frameon=False)
        fig.autofmt_xdate()
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
        plt.close(fig)
    return path
