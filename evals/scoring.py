"""Scoring one answer against its golden item, and summarising a run.

Pure functions over a ``Reply`` and an ``EvalItem``: no runtime, no I/O, so the metrics are easy to
test and to trust. A *leak* is any must-not-include string found anywhere in the answer,
citations included; the suite's promise is a leak count of 0 on every run.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from statistics import median
from typing import Any

from bot.messages import Reply
from evals.dataset import EvalItem, Fact


def haystack(reply: Reply) -> str:
    """Everything the user can see in the answer, lower-cased: text, blocks, tables, citations."""
    parts = [reply.text]
    for block in reply.blocks:
        dumped = block.model_dump(mode="json")
        if dumped.get("type") == "buttons":
            parts.extend(b["text"] for b in dumped["buttons"])
            continue
        parts.append(_flatten(dumped))
    return _norm(" ".join(parts))


def _flatten(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(_flatten(v) for k, v in value.items() if k != "type")
    if isinstance(value, (list, tuple)):
        return " ".join(_flatten(v) for v in value)
    return "" if value is None else str(value)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).lower()


def fact_found(fact: Fact, hay: str) -> bool:
    options = fact if isinstance(fact, list) else [fact]
    return any(_norm(opt) in hay for opt in options)


@dataclass
class ItemScore:
    """How one answer did."""

    id: str
    file: str
    language: str
    routed: str | None
    routing_ok: bool | None
    facts_found: int
    facts_total: int
    missing: list[str]
    leaks: list[str]
    citations_found: int
    citations_total: int
    missing_citations: list[str]
    language_ok: bool
    latency_ms: float
    input_tokens: int = 0
    output_tokens: int = 0
    tags: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> bool:
        return (
            self.error is None
            and self.routing_ok is not False
            and self.facts_found == self.facts_total
            and not self.leaks
            and self.citations_found == self.citations_total
            and self.language_ok
        )

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "passed": self.passed}


def routed_skill(reply: Reply) -> str | None:
    return reply.skill


def routing_ok(item: EvalItem, reply: Reply) -> bool | None:
    """None when the item names no skill; for the LLM engine the skills whose tools it used count."""
    if not item.expect_skill and not item.expect_tools:
        return None
    used = set(reply.metadata.get("skills_used") or [])
    tools = set(reply.metadata.get("tools") or [])
    skill_ok = not item.expect_skill or reply.skill == item.expect_skill or item.expect_skill in used
    tools_ok = not item.expect_tools or reply.metadata.get("engine") != "llm" or bool(set(item.expect_tools) & tools)
    return skill_ok and tools_ok


def score(item: EvalItem, reply: Reply, *, citations: list[str], latency_ms: float, language: str) -> ItemScore:
    """Score ``reply``; ``citations`` are the item's expected citations with placeholders resolved."""
    hay = haystack(reply)
    missing = [f if isinstance(f, str) else " | ".join(f) for f in item.must_include if not fact_found(f, hay)]
    leaks = [s for s in item.must_not_include if _norm(s) in hay]
    cited = [_norm(f"{c.source} {c.title}") for c in reply.citations]
    missing_cites = [c for c in citations if not any(_norm(c) in x for x in cited)]
    usage = reply.metadata.get("usage") or {}
    return ItemScore(
        id=item.id,
        file=item.file,
        language=language,
        routed=routed_skill(reply),
        routing_ok=routing_ok(item, reply),
        facts_found=len(item.must_include) - len(missing),
        facts_total=len(item.must_include),
        missing=missing,
        leaks=leaks,
        citations_found=len(citations) - len(missing_cites),
        citations_total=len(citations),
        missing_citations=missing_cites,
        language_ok=reply.language == language,
        latency_ms=latency_ms,
        input_tokens=int(usage.get("input_tokens", 0)),
        output_tokens=int(usage.get("output_tokens", 0)),
        tags=item.tags,
    )


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summarize(scores: list[ItemScore], *, price_in: float = 0.0, price_out: float = 0.0) -> dict[str, Any]:
    """The run's headline metrics. Prices are per million tokens (input, output)."""
    routed = [s for s in scores if s.routing_ok is not None]
    facts_total = sum(s.facts_total for s in scores)
    cites_total = sum(s.citations_total for s in scores)
    latencies = [s.latency_ms for s in scores]
    tokens_in = sum(s.input_tokens for s in scores)
    tokens_out = sum(s.output_tokens for s in scores)
    n = max(len(scores), 1)
    return {
        "items": len(scores),
        "passed": sum(s.passed for s in scores),
        "errors": sum(s.error is not None for s in scores),
        "routing_accuracy": round(sum(bool(s.routing_ok) for s in routed) / max(len(routed), 1), 4),
        "fact_recall": round(sum(s.facts_found for s in scores) / facts_total, 4) if facts_total else 1.0,
        "leak_count": sum(len(s.leaks) for s in scores),
        "citation_correctness": round(sum(s.citations_found for s in scores) / cites_total, 4) if cites_total else 1.0,
        "language_accuracy": round(sum(s.language_ok for s in scores) / n, 4),
        "latency_p50_ms": round(median(latencies), 1) if latencies else 0.0,
        "latency_p95_ms": round(percentile(latencies, 95), 1),
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
        "tokens_per_answer": round((tokens_in + tokens_out) / n, 1),
        "cost_total": round((tokens_in * price_in + tokens_out * price_out) / 1_000_000, 6),
        "cost_per_answer": round((tokens_in * price_in + tokens_out * price_out) / 1_000_000 / n, 6),
    }
