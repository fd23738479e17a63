"""``dealpilot eval retrieval``: recall@1, recall@3 and MRR of the case search, overall and per group.

The query set (YAML: ``id``, ``query``, ``expected`` doc ids, ``group``) lives in
``evals/retrieval/queries.yaml``. The corpus is ingested into a cached evaluation index under
``DEALPILOT_HOME/eval-kb`` (content-hash skip makes repeat runs quick), so the eval never touches
the production collection. Queries run as an admin: visibility is tested elsewhere.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import typer

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUERIES = REPO_ROOT / "evals" / "retrieval" / "queries.yaml"
DEFAULT_CORPUS = Path(__file__).resolve().parent / "corpus" / "cases"
TARGET_RECALL_AT_1 = 0.80
TARGET_RECALL_AT_3 = 0.95
FUSIONS = ("zscore", "rrf", "dense")


@dataclass(frozen=True)
class Query:
    id: str
    query: str
    expected: tuple[str, ...]
    group: str


@dataclass
class Scores:
    """Recall@1, recall@3 and MRR (over the top 10) of one group of queries."""

    n: int = 0
    hits1: int = 0
    hits3: int = 0
    rr: float = 0.0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def add(self, rank: int | None) -> None:
        self.n += 1
        if rank is not None:
            self.hits1 += rank == 1
            self.hits3 += rank <= 3
            self.rr += 1.0 / rank

    def as_dict(self) -> dict[str, float | int]:
        n = self.n or 1
        return {"n": self.n, "recall@1": round(self.hits1 / n, 4), "recall@3": round(self.hits3 / n, 4), "mrr": round(self.rr / n, 4)}


def load_queries(path: Path) -> list[Query]:
    """Read and validate the query set; a malformed entry is a clear error naming its index."""
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if isinstance(raw, dict):
        raw = raw.get("queries", [])
    queries: list[Query] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or not item.get("query") or not item.get("expected"):
            raise ValueError(f"{path}: entry {i} needs 'query' and 'expected'")
        expected = item["expected"] if isinstance(item["expected"], list) else [item["expected"]]
        queries.append(Query(str(item.get("id", i)), str(item["query"]), tuple(map(str, expected)), str(item.get("group", "all"))))
    return queries


def evaluate(kb: Any, queries: list[Query], *, top: int = 10) -> dict[str, Any]:
    """Run every query through ``kb.search`` (as admin) and score the ranks of the expected docs."""
    from integrations.crm.viewer import SYSTEM_VIEWER

    overall = Scores()
    groups: dict[str, Scores] = defaultdict(Scores)
    latencies: list[float] = []
    for q in queries:
        started = time.perf_counter()
        hits = kb.search(q.query, viewer=SYSTEM_VIEWER, k=top)
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = [h.doc_id for h in hits]
        rank = next((i + 1 for i, d in enumerate(ranked) if d in q.expected), None)
        overall.add(rank)
        groups[q.group].add(rank)
        if rank != 1:
            overall.misses.append({"id": q.id, "group": q.group, "rank": rank, "expected": list(q.expected), "got": ranked[:3]})
    latencies.sort()
    return {
        "overall": overall.as_dict(),
        "groups": {g: s.as_dict() for g, s in sorted(groups.items())},
        "misses": overall.misses,
        "latency_ms": {"p50": round(latencies[len(latencies) // 2], 1), "p95": round(latencies[int(len(latencies) * 0.95) - 1], 1)}
        if latencies else {},
    }


def open_eval_kb(home: Path, corpus: Path, *, quiet: bool = True) -> Any:
    """The evaluation index for ``corpus`` under ``home`` (created or refreshed incrementally)."""
    from bot.config import Settings
    from knowledge.base import KnowledgeBase

    settings = Settings(_env_file=None, home=home)  # type: ignore[call-arg]
    kb = KnowledgeBase.open(settings)
    report = kb.ingest([corpus], prune=True)
    if not quiet:
        typer.echo(f"index: {report.summary()} in {report.seconds:.1f}s", err=True)
    return kb


def eval_retrieval(
    queries: Path = typer.Option(DEFAULT_QUERIES, help="Query set (YAML)."),
    corpus: Path = typer.Option(DEFAULT_CORPUS, help="Folder of case documents to index."),
    home: Optional[Path] = typer.Option(None, help="Where the evaluation index lives (default: DEALPILOT_HOME/eval-kb)."),
    fusion: str = typer.Option("zscore", help=f"Fusion to measure: {', '.join(FUSIONS)} or 'all'."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
    show_misses: bool = typer.Option(False, "--misses", help="List the queries whose answer was not ranked first."),
) -> None:
    """Measure retrieval quality: recall@1, recall@3 and MRR, overall and per query group."""
    import bot  # noqa: F401  (telemetry-off defaults)
    from bot.config import get_settings
    from knowledge.retrieval import RankConfig

    if fusion != "all" and fusion not in FUSIONS:
        raise typer.BadParameter(f"fusion must be one of {', '.join(FUSIONS)} or 'all'")
    items = load_queries(queries)
    kb = open_eval_kb(home or get_settings().home / "eval-kb", corpus, quiet=as_json)
    results: dict[str, Any] = {}
    for name in FUSIONS if fusion == "all" else (fusion,):
        kb.rank_config = RankConfig(fusion=name)
        results[name] = evaluate(kb, items)
    if as_json:
        typer.echo(json.dumps(results if fusion == "all" else results[fusion], ensure_ascii=False, indent=2))
        return
    typer.echo(f"retrieval eval: {len(items)} queries, corpus {corpus}")
    for name, result in results.items():
        _print(name, result, show_misses=show_misses)


def _print(name: str, result: dict[str, Any], *, show_misses: bool) -> None:
    o = result["overall"]
    typer.echo(f"\nfusion={name}")
    typer.echo(f"{'group':<16}{'n':>5}{'recall@1':>10}{'recall@3':>10}{'MRR':>8}")
    for group, s in [*result["groups"].items(), ("OVERALL", o)]:
        typer.echo(f"{group:<16}{s['n']:>5}{s['recall@1']:>10.3f}{s['recall@3']:>10.3f}{s['mrr']:>8.3f}")
    met1, met3 = o["recall@1"] >= TARGET_RECALL_AT_1, o["recall@3"] >= TARGET_RECALL_AT_3
    typer.echo(
        f"targets: recall@1 {o['recall@1']:.3f} >= {TARGET_RECALL_AT_1} {'MET' if met1 else 'NOT MET'}; "
        f"recall@3 {o['recall@3']:.3f} >= {TARGET_RECALL_AT_3} {'MET' if met3 else 'NOT MET'}; "
        f"query latency p50 {result['latency_ms'].get('p50')} ms, p95 {result['latency_ms'].get('p95')} ms"
    )
    if show_misses:
        for miss in result["misses"]:
            typer.echo(f"  {miss['id']} [{miss['group']}] rank={miss['rank']} expected={miss['expected']} got={miss['got']}")
