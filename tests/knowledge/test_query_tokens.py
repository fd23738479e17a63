"""Query segmentation without jieba: maximum matching over the index's own vocabulary."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgeBase
from knowledge.tokenize import Vocabulary, query_tokens, tokens

VOCAB = Vocabulary(["报价", "因为", "竞品", "降价", "流失", "挽回", "客户", "续约", "风险", "竞争", "对手", "竞争对手", "低", "renew"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("有没有客户因为竞品降价流失又挽回的案例?", ["客户", "因为", "竞品", "降价", "流失", "挽回"]),  # scaffolding and stop words dropped
        ("竞争对手降价", ["竞争", "对手", "竞争对手", "降价"]),  # search mode: the pieces of a long word too
        ("续约风险 renewal risks", ["续约", "风险", "renewal", "risk"]),  # English is stemmed as before
        ("报价低了", ["报价", "低"]),  # a one-character word between known words stays
        ("客户贪便宜", ["客户"]),  # an unknown word's characters do not match unrelated passages
        ("", []),
    ],
)
def test_query_segmentation_over_the_index_vocabulary(query: str, expected: list[str]) -> None:
    assert query_tokens(query, VOCAB) == expected


def test_backward_matching_resolves_overlaps() -> None:
    vocabulary = Vocabulary(["研究", "研究生", "生命", "起源"])
    assert query_tokens("研究生命起源", vocabulary) == ["研究", "生命", "起源"]


def test_query_tokens_match_jieba_on_indexed_words(shared_kb: KnowledgeBase) -> None:
    snapshot = shared_kb.snapshot()
    vocabulary = snapshot.vocabulary()
    indexed = set(snapshot.bm25.terms())
    for query in ("有没有客户因为竞品降价流失又挽回的案例?", "季末客户压价，我们用条件交换折扣", "银行的模型测试一拖再拖"):
        by_jieba = {t for t in tokens(query) if t in indexed}
        assert by_jieba and by_jieba <= set(query_tokens(query, vocabulary)), query
