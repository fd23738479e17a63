"""Whether a rep sentence repeats something the customer said.

A playback ("so what I'm hearing is…", "我捋一下：…") restates the customer's own words; the
sentence embedding reads its form ("so…, right?") well but cannot see that the content came from
the customer. Sentences of playback form that say nothing the customer said ("I'll send you the
deck later", an either/or question about a new topic, the rep's own agenda) are not playbacks, so a
move marked ``grounded`` in moves.yaml counts only where the sentence shares at least one content
term with the customer's earlier turns: a stemmed English word (stop words dropped) or a Chinese
character pair free of function characters (particles, pronouns, 是/有/的...).
"""

from __future__ import annotations

import re
from itertools import pairwise

from knowledge.tokenize import english_terms

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Particles, pronouns, and other function characters: a pair with one of them
# ("是老" in "是老板" / "是老系统") says nothing about content.
_ZH_FUNCTION = frozenset("的了是在我您你他她它们这那吗呢吧啊嘛哈呀哦就都还也有和与及把被给对从到为以于上下中里后前又但并很最么咱些一")


def content_terms(text: str) -> frozenset[str]:
    """The content terms of ``text`` (mixed zh/en)."""
    terms = set(english_terms(text))
    for run in _CJK_RUN.findall(text):
        terms.update(a + b for a, b in pairwise(run) if a not in _ZH_FUNCTION and b not in _ZH_FUNCTION)
    return frozenset(terms)


def echoes(sentence: str, heard: frozenset[str]) -> bool:
    """Whether ``sentence`` repeats at least one content term of what the customer said."""
    return bool(content_terms(sentence) & heard)
