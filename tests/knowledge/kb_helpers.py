"""A knowledge base over a slice of the shipped corpus, ingested once per test process.

Embedding the whole library takes about a minute on two cores, so the tests share one index of
sixteen cases (both languages, the topics the tests ask about, and team-restricted cases).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import bot  # noqa: F401  (telemetry-off defaults)
from bot.config import Settings
from knowledge.base import KnowledgeBase
from knowledge.demo import CASES_DIR

CORPUS_CASES = CASES_DIR

SUBSET = (
    "zh-dairy-distributor-competitor-price-cut-winback",
    "zh-logistics-tms-churned-then-returned",
    "zh-pharmacy-chain-competitor-price-cut",
    "zh-discount-approval-quarter-end",
    "zh-bank-poc-extension-lost",
    "zh-hospital-his-tender-budget-cycle",
    "zh-supermarket-store-promotion-traffic",
    "zh-east-textile-exporter-strategic-pricing",
    "en-hr-saas-competitor-price-cut-winback",
    "en-quarter-end-discount-precedent-lost",
    "en-warehouse-robotics-pilot-purgatory",
    "en-county-case-management-rfp",
    "en-paid-search-lead-quality",
    "en-saas-renewal-rescue",
    "en-mining-5g-private-network",
    "en-intl-singapore-bank-expansion-pricing",
)
RESTRICTED_EAST = "zh-east-textile-exporter-strategic-pricing"
RESTRICTED_INTL = "en-intl-singapore-bank-expansion-pricing"


def kb_settings(home: Path) -> Settings:
    return Settings(_env_file=None, home=home)  # type: ignore[call-arg]


@lru_cache(maxsize=1)
def subset_corpus_dir() -> Path:
    """The subset's files copied into a private folder (the tests' source paths)."""
    root = Path(tempfile.mkdtemp(prefix="dealpilot-kb-corpus-"))
    atexit.register(shutil.rmtree, root, True)
    for doc_id in SUBSET:
        shutil.copy(CORPUS_CASES / f"{doc_id}.md", root / f"{doc_id}.md")
    return root


@lru_cache(maxsize=1)
def subset_kb() -> KnowledgeBase:
    """The shared, already ingested knowledge base (treat as read-only)."""
    home = Path(tempfile.mkdtemp(prefix="dealpilot-kb-home-"))
    atexit.register(shutil.rmtree, home, True)
    kb = KnowledgeBase.open(kb_settings(home))
    report = kb.ingest([subset_corpus_dir()])
    assert report.summary()["added"] == len(SUBSET), report.outcomes
    return kb
