"""A playback must repeat what the customer said (``grounded`` moves), zh and en."""

from __future__ import annotations

from skills.roleplay.grounding import content_terms, echoes
from skills.roleplay.moves import default_detector, load_moves
from skills.roleplay.rubric import load_rubric
from skills.roleplay.scorer import Utterance, score_transcript


def test_english_terms_are_stemmed_and_stop_words_dropped() -> None:
    assert content_terms("The stores were missing refills") == {"store", "miss", "refill"}


def test_chinese_terms_are_character_pairs_without_pure_function_pairs() -> None:
    terms = content_terms("我们的门店")
    assert "门店" in terms and "我们" not in terms


def test_a_sentence_sharing_a_content_word_echoes() -> None:
    heard = content_terms("Our stores lose about 20k a month to stock-outs.")
    assert echoes("so stock-outs are the big one", heard)
    assert not echoes("I'll email you the brochure this afternoon", heard)


def test_summarize_is_the_only_grounded_move() -> None:
    assert {m.id for m in load_moves().values() if m.grounded} == {"summarize"}


def test_a_playback_needs_the_customers_words_only_when_there_is_context() -> None:
    sentence = "所以您的意思是老板拍板，对吧？"
    detector = default_detector()
    assert "summarize" in {m for c in detector.clauses(sentence) for m in c.moves}
    assert not any("summarize" in c.moves for c in detector.clauses(sentence, content_terms("我们用的是老系统。")))
    assert any("summarize" in c.moves for c in detector.clauses(sentence, content_terms("最后得老板拍板。")))


def _summarize_verdict(customer: str, rep: str) -> bool:
    transcript = [Utterance("customer", customer), Utterance("rep", rep)]
    return score_transcript(transcript, load_rubric("discovery"), language="en").verdicts()["summarize"]


def test_the_scorer_credits_a_playback_of_what_the_customer_said() -> None:
    customer = "We lose about two days every month reconciling store stock by hand, and the CFO signs off on tools."
    assert _summarize_verdict(customer, "So if I've got it: two days a month lost to reconciling stock, and the CFO signs, right?")


def test_the_scorer_does_not_credit_a_recap_of_things_the_customer_never_said() -> None:
    customer = "We lose about two days every month reconciling store stock by hand, and the CFO signs off on tools."
    assert not _summarize_verdict(customer, "So if I've got it: you want faster coupon campaigns and a new loyalty app, right?")
