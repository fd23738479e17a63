"""``dealpilot eval``: run the golden conversations on the offline or LLM engine and report.

The run asks every item through the same path a chat user takes (``runtime.handle``), scores the
answers (``evals.scoring``) and writes ``<report>/eval-<engine>.md`` and ``.json``. With ``--gate``
it compares with ``evals/baseline.json`` and exits 1 on any regression (a headline metric below the
baseline, an item that passed there and fails now) or on any leak.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

from evals.dataset import CONVERSATIONS_DIR, EvalItem, load_items
from evals.report import write_report
from evals.scoring import ItemScore, score, summarize

if TYPE_CHECKING:
    from bot.runtime import Runtime

BASELINE = Path(__file__).parent / "baseline.json"
GATED_METRICS = ("routing_accuracy", "fact_recall", "citation_correctness", "language_accuracy")
_PLACEHOLDER = re.compile(r"\{(account|deal):([^}]+)\}")


def resolve_citation(runtime: "Runtime", expected: str) -> str:
    """Replace ``{account:Name}`` / ``{deal:Name}`` with the demo record's id (looked up as admin)."""

    def lookup(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2).strip()
        admin = runtime.crm.viewer_for("admin")
        assert admin is not None, "the demo company has no admin user"
        if kind == "account":
            rows = [a for a in runtime.crm.list_accounts(admin) if name in (a.name_en, a.name_zh)]
        else:
            rows = [o for o in runtime.crm.list_opportunities(admin) if name in (o.name_en, o.name)]
        if not rows:
            raise ValueError(f"eval citation placeholder names no demo record: {match.group(0)}")
        return str(rows[0].id)

    return _PLACEHOLDER.sub(lookup, expected)


def run_item(runtime: "Runtime", item: EvalItem) -> ItemScore:
    """Ask ``item`` (after its prior turns, in its own thread) and score the final answer."""
    from bot.lang import detect_language
    from bot.messages import Message

    thread = f"eval-{item.id}-{time.monotonic_ns()}"

    def message(text: str) -> Message:
        from bot.adapters.console import console_message

        return console_message(text, user=item.user, channel=item.channel, thread=thread)

    for prior in item.prior:
        runtime.handle(message(prior))
    started = time.perf_counter()
    reply = runtime.handle(message(item.question))
    latency = (time.perf_counter() - started) * 1000
    language = item.language or detect_language(item.question)
    result = score(
        item,
        reply,
        citations=[resolve_citation(runtime, c) for c in item.expect_citations],
        latency_ms=latency,
        language=language,
    )
    if reply.skill == "error" and reply.metadata.get("error_ref"):
        result.error = reply.text
    return result


def run_items(runtime: "Runtime", items: list[EvalItem]) -> list[ItemScore]:
    return [run_item(runtime, item) for item in items]


def compare(summary: dict[str, Any], scores: list[ItemScore], baseline: dict[str, Any] | None) -> list[str]:
    """Regressions against ``baseline`` (one engine's entry); leaks always count."""
    problems: list[str] = []
    if summary["leak_count"]:
        problems.append(f"leak_count is {summary['leak_count']} (must be 0)")
    if not baseline:
        return problems
    base = baseline.get("summary", {})
    for metric in GATED_METRICS:
        if metric in base and summary[metric] + 1e-9 < base[metric]:
            problems.append(f"{metric} fell from {base[metric]} to {summary[metric]}")
    now_failing = {s.id for s in scores if not s.passed}
    for item_id in sorted(set(baseline.get("passed_items", [])) & now_failing):
        problems.append(f"item {item_id} passed in the baseline and fails now")
    return problems


def baseline_entry(summary: dict[str, Any], scores: list[ItemScore]) -> dict[str, Any]:
    keep = ("items", "passed", *GATED_METRICS, "leak_count")
    return {"summary": {k: summary[k] for k in keep}, "passed_items": sorted(s.id for s in scores if s.passed)}


def eval_runtime(engine: str, home: Path | None) -> "Runtime":
    """A runtime for the run: a fresh demo workspace in a temporary directory unless ``home`` is given."""
    from bot.config import get_settings
    from bot.logging_setup import configure_logging
    from bot.runtime import Runtime

    configure_logging()
    settings = get_settings()
    updates: dict[str, Any] = {"llm_rate_limit_per_minute": 0}  # an eval is one user asking fast
    if home is None:
        updates.update(home=Path(tempfile.mkdtemp(prefix="dealpilot-eval-")), database_url=None, chroma_url=None)
    else:
        updates["home"] = home
    if engine == "offline":
        updates.update(llm_model=None, llm_base_url=None, llm_api_key=None)
    elif not settings.llm_configured:
        raise typer.BadParameter("--engine llm needs DEALPILOT_LLM_BASE_URL / _API_KEY / _MODEL", param_hint="--engine")
    runtime = Runtime(settings.model_copy(update=updates))
    if home is None:
        from bot.demo_setup import seed_demo_workspace

        seed_demo_workspace(runtime)
    return runtime


def eval_conversations(
    ctx: typer.Context,
    engine: str = typer.Option("offline", help="offline | llm (the configured DEALPILOT_LLM_* endpoint)."),
    report: Path = typer.Option(Path("eval-report"), help="Directory for eval-<engine>.md and .json."),
    gate: bool = typer.Option(False, help="Exit 1 on a regression against evals/baseline.json or any leak."),
    only: Optional[str] = typer.Option(None, help="Only items whose id contains this, or with this tag or file."),
    home: Optional[Path] = typer.Option(None, help="Use this data directory (already seeded) instead of a fresh demo."),
    price_in: float = typer.Option(0.0, help="Price per million input tokens, for the cost column."),
    price_out: float = typer.Option(0.0, help="Price per million output tokens."),
    update_baseline: bool = typer.Option(False, help="Write this run's scores as the engine's baseline."),
) -> None:
    """Golden conversations: routing accuracy, fact recall, leaks, citations, latency, tokens and cost."""
    if ctx.invoked_subcommand is not None:
        return  # `dealpilot eval retrieval` etc.: the sub-command runs, not the conversations
    if engine not in ("offline", "llm"):
        raise typer.BadParameter("choose offline or llm", param_hint="--engine")
    items = load_items(CONVERSATIONS_DIR, only=only)
    if not items:
        raise typer.BadParameter(f"no eval items match {only!r}", param_hint="--only")
    runtime = eval_runtime(engine, home)
    try:
        scores = run_items(runtime, items)
    finally:
        runtime.close()
    summary = summarize(scores, price_in=price_in, price_out=price_out)
    baselines = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    problems = compare(summary, scores, baselines.get(engine)) if (gate and not only) else compare(summary, scores, None)
    md, js = write_report(report, engine=engine, summary=summary, scores=scores, problems=problems)
    typer.echo(f"{summary['passed']}/{summary['items']} passed · routing {summary['routing_accuracy']:.1%} · "
               f"facts {summary['fact_recall']:.1%} · citations {summary['citation_correctness']:.1%} · "
               f"leaks {summary['leak_count']} · p50 {summary['latency_p50_ms']} ms · p95 {summary['latency_p95_ms']} ms")
    typer.echo(f"report: {md} and {js}")
    if update_baseline:
        if only:
            raise typer.BadParameter("--update-baseline needs the full set (no --only)")
        baselines[engine] = baseline_entry(summary, scores)
        BASELINE.write_text(json.dumps(baselines, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
        typer.echo(f"baseline updated: {BASELINE}")
    if problems:
        for p in problems:
            typer.echo(f"REGRESSION: {p}", err=True)
        if gate:
            raise typer.Exit(1)
