"""Language detection and bilingual text selection.

DealPilot answers in the language of the question. Detection is a character-class heuristic:
any meaningful share of CJK ideographs means Chinese, because mixed zh/en messages from Chinese
reps ("ACME 最近怎么样") are Chinese questions with English names in them.
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["zh", "en"]

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str, default: Language = "en") -> Language:
    """Return ``"zh"`` when the text reads as Chinese, ``"en"`` when it reads as English.

    Args:
        text: the user's message.
        default: the answer for text with no letters at all (emoji, numbers).
    """
    cjk = len(_CJK.findall(text))
    if cjk == 0:
        return "en" if _LATIN_WORD.search(text) else default
    latin_words = len(_LATIN_WORD.findall(text))
    # Two CJK characters carry roughly one English word of meaning.
    return "zh" if cjk >= 2 or cjk >= latin_words else "en"


def pick(language: Language, zh: str, en: str) -> str:
    """Choose the string for ``language``: the one-liner behind every bilingual message."""
    return zh if language == "zh" else en
