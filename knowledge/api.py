"""What other skills use: the runtime's knowledge base, built once per process on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge.base import KnowledgeBase
from knowledge.types import Hit

if TYPE_CHECKING:
    from bot.runtime import Runtime

SERVICE_NAME = "kb"

__all__ = ["Hit", "KnowledgeBase", "get_knowledge_base"]


def get_knowledge_base(runtime: "Runtime") -> KnowledgeBase:
    """The shared ``KnowledgeBase`` of ``runtime`` (``runtime.service("kb", ...)``), opened lazily."""
    return runtime.service(SERVICE_NAME, lambda: KnowledgeBase.open(runtime.settings))
