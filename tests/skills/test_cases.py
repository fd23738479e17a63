"""The case skill through the console path, on the demo company and a real slice of the case library."""

from __future__ import annotations

import pytest

from bot.runtime import Runtime
from knowledge.api import SERVICE_NAME
from tests.knowledge.kb_helpers import RESTRICTED_EAST, subset_kb

WINBACK_ZH = {"zh-dairy-distributor-competitor-price-cut-winback", "zh-logistics-tms-churned-then-returned"}


@pytest.fixture
def cases_runtime(runtime: Runtime) -> Runtime:
    runtime.service(SERVICE_NAME, subset_kb)
    return runtime


def doc_ids(reply) -> set[str]:  # type: ignore[no-untyped-def]
    return {c.source.rsplit("/", 1)[-1].removesuffix(".md") for c in reply.citations}


def test_chinese_question_gets_cases_with_citations(cases_runtime: Runtime, ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("有没有客户因为竞品降价流失又挽回的案例?", user="li.na")
    assert reply.skill == "cases" and reply.language == "zh"
    assert len(reply.citations) == 3 and all(c.snippet for c in reply.citations)
    assert WINBACK_ZH <= doc_ids(reply)
    assert "相似案例" in reply.text and "结果：" in reply.text and "匹配点：" in reply.text


def test_english_question_includes_chinese_cases(cases_runtime: Runtime, ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("any cases where a customer left for a competitor's price cut and we won them back?", user="bob.smith")
    assert reply.skill == "cases" and reply.language == "en"
    assert doc_ids(reply) & WINBACK_ZH, "cross-language: the Chinese cases are found from English"
    assert "Outcome: won" in reply.text and "Why it matches" in reply.text


def test_slash_command_and_empty_command(cases_runtime: Runtime, ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("/cases 季末折扣审批", user="li.na")
    assert reply.skill == "cases" and "zh-discount-approval-quarter-end" in doc_ids(reply)
    usage = ask("/cases", user="li.na")
    assert usage.skill == "cases" and not usage.citations and "/cases" in usage.text


def test_team_restricted_case_stays_in_its_team(cases_runtime: Runtime, ask) -> None:  # type: ignore[no-untyped-def]
    query = "/cases 纺织出口集团战略客户定价方案"
    assert RESTRICTED_EAST in doc_ids(ask(query, user="li.na"))  # team-east
    assert RESTRICTED_EAST not in doc_ids(ask(query, user="sun.hao"))  # team-south
    assert RESTRICTED_EAST not in doc_ids(ask(query, user="maria.garcia"))  # another team's manager
    assert RESTRICTED_EAST in doc_ids(ask(query, user="admin"))


def test_search_tool_enforces_the_viewer(cases_runtime: Runtime) -> None:
    tool = next(t for t in cases_runtime.tools() if t.name == "search_cases")
    east = cases_runtime.crm.viewer_for("li.na")
    south = cases_runtime.crm.viewer_for("sun.hao")
    args = {"query": "纺织出口集团战略客户定价方案", "k": 5}
    assert RESTRICTED_EAST in [d["doc_id"] for d in tool.run(east, args).data]
    result = tool.run(south, args)
    assert RESTRICTED_EAST not in [d["doc_id"] for d in result.data]
    assert result.citations and {"source", "title", "snippet"} <= set(result.citations[0])


def test_empty_library_says_how_to_fill_it(runtime: Runtime, ask) -> None:  # type: ignore[no-untyped-def]
    reply = ask("/cases competitor price cut", user="li.na")
    assert reply.skill == "cases" and "dealpilot demo" in reply.text and not reply.citations
