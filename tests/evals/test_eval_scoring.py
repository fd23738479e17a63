"""Scoring and gating of the conversation eval: pure functions, checked on hand-made replies."""

from __future__ import annotations

from bot.messages import Citation, Citations, Fields, Reply, Section, Table
from evals.dataset import EvalItem
from evals.runner import baseline_entry, compare
from evals.scoring import haystack, percentile, score, summarize


def _reply(**kw) -> Reply:  # type: ignore[no-untyped-def]
    blocks = [
        Section(text="艾克米制造：负责人 李娜"),
        Fields(items=[("Owner", "Li Na")]),
        Table(columns=["商机", "金额"], rows=[["ACME 工厂网络扩容", "CNY 3,600,000"]]),
        Citations(items=[Citation(source="crm://account/1", title="ACME Manufacturing")]),
    ]
    return Reply(text="summary", blocks=blocks, language="zh", skill="insight", **kw)


def test_haystack_covers_text_fields_tables_and_citations() -> None:
    hay = haystack(_reply())
    for needle in ("李娜", "li na", "cny 3,600,000", "crm://account/1", "acme manufacturing"):
        assert needle in hay


def test_score_counts_facts_any_of_leaks_and_citations() -> None:
    item = EvalItem(
        id="x", question="ACME 最近怎么样", expect_skill="insight",
        must_include=["李娜", ["4800万", "3,600,000"], "凌云通信"],
        must_not_include=["Bob Smith", "ACME Manufacturing"],
        expect_citations=["crm://account/1", "crm://opportunity/1"],
    )
    s = score(item, _reply(), citations=item.expect_citations, latency_ms=12.0, language="zh")
    assert (s.facts_found, s.facts_total, s.missing) == (2, 3, ["凌云通信"])
    assert s.leaks == ["ACME Manufacturing"]  # found in a citation title: citations count as leaks too
    assert (s.citations_found, s.missing_citations) == (1, ["crm://opportunity/1"])
    assert s.routing_ok is True and s.language_ok and not s.passed


def test_routing_for_the_llm_engine_uses_the_skills_whose_tools_ran() -> None:
    item = EvalItem(id="x", question="q", expect_skill="insight", expect_tools=["crm_account_brief"])
    llm = _reply(metadata={"engine": "llm", "skills_used": ["insight"], "tools": ["crm_account_brief"]})
    llm.skill = "agent"
    assert score(item, llm, citations=[], latency_ms=1, language="zh").routing_ok is True
    llm.metadata["tools"] = ["find_accounts"]
    assert score(item, llm, citations=[], latency_ms=1, language="zh").routing_ok is False


def test_summary_metrics_and_cost() -> None:
    item = EvalItem(id="a", question="q", expect_skill="insight", must_include=["李娜"])
    scores = [
        score(item, _reply(metadata={"usage": {"input_tokens": 1000, "output_tokens": 200}}), citations=[], latency_ms=v, language="zh")
        for v in (10.0, 20.0, 30.0, 400.0)
    ]
    summary = summarize(scores, price_in=2.0, price_out=8.0)
    assert summary["routing_accuracy"] == 1.0 and summary["fact_recall"] == 1.0 and summary["leak_count"] == 0
    assert summary["latency_p50_ms"] == 25.0 and summary["latency_p95_ms"] == 400.0
    assert summary["tokens_per_answer"] == 1200.0
    assert summary["cost_total"] == round((4000 * 2.0 + 800 * 8.0) / 1_000_000, 6)
    assert percentile([], 95) == 0.0


def test_gate_flags_metric_drops_newly_failing_items_and_any_leak() -> None:
    good = EvalItem(id="good", question="q", must_include=["李娜"])
    bad = EvalItem(id="bad", question="q", must_include=["凌云通信"])
    scores = [score(i, _reply(), citations=[], latency_ms=1, language="zh") for i in (good, bad)]
    summary = summarize(scores)
    assert compare(summary, scores, baseline_entry(summary, scores)) == []
    better_before = {"summary": {**summary, "fact_recall": 1.0}, "passed_items": ["good", "bad"]}
    problems = compare(summary, scores, better_before)
    assert any("fact_recall fell" in p for p in problems) and any("item bad" in p for p in problems)
    leaky = EvalItem(id="leak", question="q", must_not_include=["李娜"])
    leak_scores = [score(leaky, _reply(), citations=[], latency_ms=1, language="zh")]
    assert compare(summarize(leak_scores), leak_scores, None) == ["leak_count is 1 (must be 0)"]
