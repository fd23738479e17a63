"""Chunking: Chinese and English sentence ends, size limits, overlap, sections."""

from __future__ import annotations

import re

import pytest

from knowledge.chunking import chunk_text, estimate_tokens, split_sections, split_sentences

ZH = "## 背景\n\n" + "".join(f"第{i}句话讲了客户的情况，细节很多很多很多。" for i in range(30)) + "\n\n## 结果\n\n赢单了！客户很满意？是的；还续约了。"


def test_chinese_sentence_ends_are_boundaries() -> None:
    assert split_sentences("客户流失了。我们挽回了！为什么？因为数据；还有服务") == [
        "客户流失了。", "我们挽回了！", "为什么？", "因为数据；", "还有服务"]


def test_english_sentence_ends_and_abbreviations() -> None:
    assert split_sentences("Mr. Smith left. The deal closed! Did it? Yes, e.g. in Q3.") == [
        "Mr. Smith left.", "The deal closed!", "Did it?", "Yes, e.g. in Q3."]


def test_list_items_and_emphasis() -> None:
    assert split_sentences("1. **不断联。** 每两周拜访。\n2. **算账。** 做对比表。") == [
        "1. 不断联。", "每两周拜访。", "2. 算账。", "做对比表。"]


def test_chunks_respect_limit_end_on_sentences_and_overlap() -> None:
    chunks = chunk_text(ZH, max_tokens=60, overlap_tokens=20)
    body = [c for c in chunks if c.section == "背景"]
    assert len(body) > 3
    for chunk in body:
        assert estimate_tokens(chunk.text) <= 60
        assert chunk.text.endswith("。")
        assert chunk.text.startswith("第")  # never starts mid-sentence
    for first, second in zip(body, body[1:]):
        last_sentence = re.findall(r"第\d+句[^。]*。", first.text)[-1]
        assert second.text.startswith(last_sentence), "the previous chunk's last sentence is repeated"
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))


def test_sections_are_kept_and_never_mixed() -> None:
    chunks = chunk_text(ZH, max_tokens=60, overlap_tokens=20)
    assert chunks[-1].section == "结果"
    assert chunks[-1].text == "赢单了！客户很满意？是的；还续约了。"
    assert all("赢单" not in c.text for c in chunks if c.section == "背景")
    assert split_sections("intro\n# A\ntext a\n## B\ntext b") == [("", "intro"), ("A", "text a"), ("B", "text b")]


def test_overlong_sentence_is_split() -> None:
    sentence = "，".join(["很长的一句话没有句号"] * 40)
    chunks = chunk_text(sentence, max_tokens=40, overlap_tokens=0)
    assert len(chunks) > 1
    assert all(estimate_tokens(c.text) <= 40 for c in chunks)
    assert "".join(c.text for c in chunks) == sentence


def test_english_chunks() -> None:
    text = " ".join(f"Sentence number {i} describes the renewal and the pricing detail." for i in range(40))
    chunks = chunk_text(text, max_tokens=80, overlap_tokens=15)
    assert len(chunks) > 3
    assert all(c.text.endswith(".") and c.text.startswith("Sentence") for c in chunks)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        chunk_text("x", max_tokens=10, overlap_tokens=10)
