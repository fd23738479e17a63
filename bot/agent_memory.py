"""The agent's memory of a thread: its history from the store, trimmed to a token budget.

Tokens are estimated without a tokenizer (tiktoken would download its tables at run time): one
token per CJK character, one per four other characters. Over-estimating is the safe side.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, trim_messages

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def estimate_tokens(text: str) -> int:
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4 + 1


def count_message_tokens(messages: list[BaseMessage]) -> int:
    return sum(estimate_tokens(m.text) + 4 for m in messages)


def history_messages(history: list[dict[str, Any]], *, budget: int) -> list[BaseMessage]:
    """The newest turns of ``history`` that fit ``budget`` tokens, starting on a user turn."""
    messages: list[BaseMessage] = []
    for item in history:
        text = str(item.get("text") or "")
        if not text:
            continue
        messages.append(HumanMessage(text) if item.get("role") == "user" else AIMessage(text))
    if not messages or budget <= 0:
        return []
    return trim_messages(
        messages,
        max_tokens=budget,
        token_counter=count_message_tokens,
        strategy="last",
        start_on="human",
        allow_partial=False,
    )
