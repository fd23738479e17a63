"""The eval report: a markdown page for people and a JSON file for CI and dashboards."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from evals.scoring import ItemScore, summarize


def _pct(value: float) -> str:
    return f"{value:.1%}"


def write_report(
    directory: Path, *, engine: str, summary: dict[str, Any], scores: list[ItemScore], problems: list[str]
) -> tuple[Path, Path]:
    """Write ``eval-<engine>.md`` and ``eval-<engine>.json`` into ``directory``; return both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    js = directory / f"eval-{engine}.json"
    js.write_text(
        json.dumps(
            {"engine": engine, "at": stamp, "summary": summary, "problems": problems,
             "items": [s.to_json() for s in scores]},
            ensure_ascii=False,
            indent=2,
        )
    )
    md = directory / f"eval-{engine}.md"
    md.write_text(render_markdown(engine=engine, stamp=stamp, summary=summary, scores=scores, problems=problems))
    return md, js


def render_markdown(*, engine: str, stamp: str, summary: dict[str, Any], scores: list[ItemScore], problems: list[str]) -> str:
    lines = [
        f"# DealPilot eval — {engine} engine",
        "",
        f"{stamp} · {summary['items']} items · {summary['passed']} passed · {summary['errors']} errors",
        "",
        "| metric | value |",
        "|---|---|",
        f"| routing accuracy | {_pct(summary['routing_accuracy'])} |",
        f"| fact recall | {_pct(summary['fact_recall'])} |",
        f"| leak count | {summary['leak_count']} |",
        f"| citation correctness | {_pct(summary['citation_correctness'])} |",
        f"| answer language | {_pct(summary['language_accuracy'])} |",
        f"| latency p50 / p95 | {summary['latency_p50_ms']} ms / {summary['latency_p95_ms']} ms |",
        f"| tokens per answer | {summary['tokens_per_answer']} |",
        f"| cost per answer / total | {summary['cost_per_answer']} / {summary['cost_total']} |",
        "",
    ]
    if problems:
        lines += ["## Gate problems", "", *(f"- {p}" for p in problems), ""]
    by_file: dict[str, list[ItemScore]] = defaultdict(list)
    by_lang: dict[str, list[ItemScore]] = defaultdict(list)
    for s in scores:
        by_file[s.file].append(s)
        by_lang[s.language].append(s)
    lines += ["## By set", "", "| set | items | passed | routing | facts | citations | leaks |", "|---|---|---|---|---|---|---|"]
    for name, group in sorted({**by_file, **{f"language: {k}": v for k, v in by_lang.items()}}.items()):
        part = summarize(group)
        lines.append(
            f"| {name} | {part['items']} | {part['passed']} | {_pct(part['routing_accuracy'])} | "
            f"{_pct(part['fact_recall'])} | {_pct(part['citation_correctness'])} | {part['leak_count']} |"
        )
    failing = [s for s in scores if not s.passed]
    if failing:
        lines += ["", "## Items that did not pass", ""]
        for s in failing:
            why = []
            if s.error:
                why.append(f"error: {s.error}")
            if s.routing_ok is False:
                why.append(f"routed to `{s.routed}`")
            if s.missing:
                why.append("missing facts: " + ", ".join(f"`{m}`" for m in s.missing))
            if s.leaks:
                why.append("**LEAKED**: " + ", ".join(f"`{m}`" for m in s.leaks))
            if s.missing_citations:
                why.append("missing citations: " + ", ".join(f"`{m}`" for m in s.missing_citations))
            if not s.language_ok:
                why.append("answered in the wrong language")
            lines.append(f"- `{s.id}` ({s.file}): " + "; ".join(why))
    return "\n".join(lines) + "\n"
