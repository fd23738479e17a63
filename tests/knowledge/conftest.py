"""Fixtures of the knowledge-base tests: the shared corpus index and tiny private corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from tests.knowledge.kb_helpers import kb_settings, subset_kb

ZH_CASE = """---
title: 连锁超市被竞品低价挖走后赢回
industry: retail
region: east_china
tags: [competitor_price_cut, win_back]
outcome: won
date: 2024-05-01
language: zh
visibility: [all]
---

## 背景

一家连锁超市因为竞品降价百分之十五而停止续约。我们没有跟价，而是每月上门复盘损耗数据。

## 结果

三个月后客户发现竞品的缺货率很高，重新签回了两年合同。经验是保持联系，用数据说话。
"""

EN_CASE = """---
title: Hospital network renewal saved with an executive sponsor
industry: healthcare
tags: [renewal, multi_stakeholder]
outcome: won
language: en
---

## Background

A regional hospital network planned to cancel our scheduling software after its sponsor retired.

## What we did

We ran an executive briefing, mapped the new committee, and agreed a mutual success plan with clear metrics.
"""


@pytest.fixture(scope="session")
def shared_kb() -> KnowledgeBase:
    return subset_kb()


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "zh-supermarket-winback.md").write_text(ZH_CASE, encoding="utf-8")
    (folder / "en-hospital-renewal.md").write_text(EN_CASE, encoding="utf-8")
    return folder


@pytest.fixture
def kb_home(tmp_path: Path) -> Path:
    return tmp_path / "kbhome"


@pytest.fixture
def tiny_kb(kb_home: Path):  # type: ignore[no-untyped-def]
    kb = KnowledgeBase.open(kb_settings(kb_home))
    yield kb
    kb.close()
