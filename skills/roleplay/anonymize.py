"""Take the identity out of real CRM data before it becomes a practice persona.

Company, person and competitor names are replaced by neutral labels, and exact figures (amounts,
percentages, counts, phone numbers, e-mails) by rough words, so a trainee can practise on a
real situation without the persona sheet leaking a customer's name or numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.lang import Language, pick

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s-]{7,}\d")
_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|％|个点)")
_AMOUNT = re.compile(
    r"(?:[¥$€]|USD|CNY|RMB)?\s*\d[\d,]*(?:\.\d+)?\s*(?:万元|亿元|万|亿|元|k\b|K\b|m\b|M\b|million|billion|thousand)?",
)


class Anonymizer:
    """Replaces known names (longest first) and every figure in free text."""

    def __init__(self, replacements: dict[str, str], *, language: Language) -> None:
        self.language = language
        names = sorted((n for n in replacements if n and len(n.strip()) >= 2), key=len, reverse=True)
        self._replacements = {n.lower(): replacements[n] for n in names}
        self._pattern = re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE) if names else None

    def scrub(self, text: str) -> str:
        out = _EMAIL.sub(pick(self.language, "（邮箱已隐去）", "(email removed)"), text or "")
        out = _PHONE.sub(pick(self.language, "（电话已隐去）", "(phone removed)"), out)
        if self._pattern is not None:
            out = self._pattern.sub(lambda m: self._replacements[m.group(0).lower()], out)
        out = _PERCENT.sub(pick(self.language, "一定比例", "a noticeable share"), out)
        out = _AMOUNT.sub(lambda m: pick(self.language, "若干", "some") if m.group(0).strip() else m.group(0), out)
        return re.sub(r"\s{2,}", " ", out).strip()


def rough_amount(amount: float, language: Language) -> str:
    """An order of magnitude instead of the figure: "数千万级" / "tens of millions"."""
    if amount >= 100_000_000:
        return pick(language, "上亿级", "hundreds of millions")
    if amount >= 10_000_000:
        return pick(language, "数千万级", "tens of millions")
    if amount >= 1_000_000:
        return pick(language, "数百万级", "a few million")
    if amount > 0:
        return pick(language, "百万以内", "under a million")
    return pick(language, "未定", "not yet set")


def rough_days(days: int, language: Language) -> str:
    if days <= 31:
        return pick(language, "一个月内", "within a month")
    if days <= 95:
        return pick(language, "一个季度内", "within a quarter")
    if days <= 190:
        return pick(language, "半年内", "within half a year")
    return pick(language, "半年以后", "more than half a year out")


def person_labels(names: Iterable[tuple[str, ...]], language: Language) -> dict[str, str]:
    """Each person's names -> "联系人A" / "Contact A" (stable by order)."""
    out: dict[str, str] = {}
    for i, variants in enumerate(names):
        label = pick(language, f"联系人{_letter(i)}", f"Contact {_letter(i)}")
        for v in variants:
            if v:
                out[v] = label
    return out


def _letter(i: int) -> str:
    return chr(ord("A") + i % 26) + (str(i // 26) if i >= 26 else "")
