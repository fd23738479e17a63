"""The offline engine's understanding: entity linking and intent classification, zh and en.

Entity linking finds account, deal and person names in a message (exact, aliases, suffix-less
forms, typos via rapidfuzz). The classifier masks those mentions (``ACME 最近怎么样`` becomes
``<account> 最近怎么样``) and compares the rest with each skill's example utterances by TF-IDF
over character n-grams, which works for Chinese without a tokenizer and tolerates English typos.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.fuzz import partial_ratio_alignment

_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "集团公司", "集团", "公司", "项目",
    " corporation", " corp.", " corp", " co., ltd.", " co., ltd", " co. ltd", " ltd.", " ltd", " inc.", " inc",
    " group", " limited", " llc", " plc", " gmbh", " company", " deal", " project",
)
_PUNCT = re.compile(r"[\s\"'`~!@#$%^&*()_+\-=\[\]{};:,.<>/?\\|，。！？；：、（）【】《》“”‘’…·]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, punctuation folded to single spaces."""
    return _PUNCT.sub(" ", unicodedata.normalize("NFKC", text).lower()).strip()


_WORD_SUFFIXES = (
    " manufacturing", " industries", " industrial", " pharma", " pharmaceutical", " pharmaceuticals", " retail",
    " technologies", " technology", " tech", " networks", " systems", " holdings", " logistics", " energy",
    " bank", " motors", " foods", " health", " healthcare", " telecom", " software", " solutions",
)


def name_variants(names: Iterable[str]) -> set[str]:
    """A name, its aliases and their forms without legal suffixes ("Globex Corporation" -> "globex")."""
    out: set[str] = set()
    for name in names:
        base = unicodedata.normalize("NFKC", name or "").lower().strip()
        if not base:
            continue
        out.add(normalize(base))
        stripped = base
        changed = True
        while changed:
            changed = False
            for suffix in _SUFFIXES:
                if stripped.endswith(suffix) and len(stripped) > len(suffix) + 1:
                    stripped = stripped[: -len(suffix)].strip()
                    changed = True
        out.add(normalize(stripped))
        for suffix in _WORD_SUFFIXES:  # "Huakang Pharma" is also "Huakang", if that is distinctive
            if stripped.endswith(suffix) and len(stripped) - len(suffix) >= 5:
                out.add(normalize(stripped[: -len(suffix)]))
    return {v for v in out if _long_enough(v)}


def _long_enough(name: str) -> bool:
    return len(name) >= 2 if _CJK.search(name) else len(name) >= 3


@dataclass(frozen=True)
class EntityMatch:
    """A name found in a message. ``score`` is 100 for an exact alias hit, lower for fuzzy ones."""

    kind: str  # account | deal | person
    id: str
    name: str
    score: float
    matched: str


@dataclass(frozen=True)
class _Entry:
    kind: str
    id: str
    name: str
    variant: str


class EntityIndex:
    """Names a viewer may see, searchable in messages."""

    def __init__(self, entries: Sequence[tuple[str, str, str, Iterable[str]]]) -> None:
        """``entries``: (kind, id, display name, all names and aliases)."""
        self._entries: list[_Entry] = []
        for kind, ident, display, names in entries:
            for variant in name_variants([display, *names]):
                self._entries.append(_Entry(kind, ident, display, variant))

    def __len__(self) -> int:
        return len(self._entries)

    def link(self, text: str, *, min_score: float = 86.0) -> list[EntityMatch]:
        """Entities mentioned in ``text``, best first; at most one match per entity."""
        norm = normalize(text)
        if not norm:
            return []
        best: dict[tuple[str, str], EntityMatch] = {}
        for entry in self._entries:
            score, span = self._score(entry.variant, norm)
            if score < min_score:
                continue
            # Longer names are more specific: "ACME Retail" beats "ACME" when both occur.
            weighted = score + min(len(entry.variant), 30) / 10
            key = (entry.kind, entry.id)
            if key not in best or weighted > best[key].score:
                best[key] = EntityMatch(entry.kind, entry.id, entry.name, weighted, span)
        matches = sorted(best.values(), key=lambda m: -m.score)
        return _drop_contained(matches)

    @staticmethod
    def _score(variant: str, norm: str) -> tuple[float, str]:
        """(score, the matched text in ``norm``); exact hits score 100, typos a little less."""
        is_cjk = bool(_CJK.search(variant))
        if (variant in norm) if is_cjk else _contains_word(norm, variant):
            return 100.0, variant
        if len(variant) < (4 if is_cjk else 5) or len(variant) > len(norm) + 2:
            return 0.0, ""
        cutoff, discount = (80.0, 0.98) if is_cjk else (86.0, 0.97)
        if fuzz.partial_ratio(variant, norm, score_cutoff=cutoff) == 0:
            return 0.0, ""
        align = partial_ratio_alignment(variant, norm)
        if align is None:
            return 0.0, ""
        span = norm[align.dest_start : align.dest_end] if len(variant) <= len(norm) else norm
        return align.score * discount, span.strip()


def _contains_word(text: str, phrase: str) -> bool:
    """``phrase`` occurs in ``text`` not glued to other Latin letters or digits ("acme最近" contains "acme")."""
    start = text.find(phrase)
    while start != -1:
        end = start + len(phrase)
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        if not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum()):
            return True
        start = text.find(phrase, start + 1)
    return False


def _drop_contained(matches: list[EntityMatch]) -> list[EntityMatch]:
    """Drop a weaker match of the same kind whose text lies inside a stronger one's.

    "ACME Retail 最近怎么样" mentions ACME Retail, not also ACME Manufacturing via "acme".
    """
    kept: list[EntityMatch] = []
    for m in matches:
        if any(
            k.kind == m.kind and m.matched != k.matched and m.matched in k.matched and k.score >= m.score
            for k in kept
        ):
            continue
        kept.append(m)
    return kept


def mask_entities(text: str, matches: Iterable[EntityMatch]) -> str:
    """Replace linked names with ``<kind>`` so intent depends on what is asked, not about whom."""
    norm = normalize(text)
    for m in sorted(matches, key=lambda x: -len(x.matched)):
        if m.matched and m.matched in norm:
            norm = norm.replace(m.matched, f" <{m.kind}> ")
    return re.sub(r"\s+", " ", norm).strip()


# --- intent classification ---------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(account|deal|person)\}")
_TOKEN = re.compile(r"<(?:account|deal|person)>|[a-z0-9]+|[\u3400-\u9fff]")


def normalize_example(example: str) -> str:
    """Normalise an example utterance, keeping its ``{account}`` placeholders as ``<account>`` tokens."""
    parts = _PLACEHOLDER.split(example)
    # split() alternates text and placeholder names: [text, kind, text, kind, text]
    out = [normalize(part) if i % 2 == 0 else f"<{part}>" for i, part in enumerate(parts)]
    return re.sub(r"\s+", " ", " ".join(out)).strip()


def features(text: str) -> Counter[str]:
    """Character n-grams for Chinese, words and word-internal trigrams for English."""
    tokens = _TOKEN.findall(text)
    feats: Counter[str] = Counter()
    cjk_run: list[str] = []

    def flush() -> None:
        for n in (1, 2, 3):
            for i in range(len(cjk_run) - n + 1):
                feats["z:" + "".join(cjk_run[i : i + n])] += 1 if n == 1 else 2
        cjk_run.clear()

    for tok in tokens:
        if _CJK.fullmatch(tok):
            cjk_run.append(tok)
            continue
        flush()
        if tok.startswith("<"):
            feats["e:" + tok] += 2
            continue
        feats["w:" + tok] += 2
        padded = f"#{tok}#"
        for i in range(len(padded) - 2):
            feats["c:" + padded[i : i + 3]] += 1
    flush()
    return feats


@dataclass(frozen=True)
class IntentScore:
    skill: str
    score: float
    example: str


class IntentClassifier:
    """Nearest-example classifier over TF-IDF vectors of the skills' example utterances."""

    def __init__(self, examples: dict[str, Sequence[str]]) -> None:
        prepared = [(skill, ex, features(normalize_example(ex))) for skill, exs in examples.items() for ex in exs]
        doc_freq: Counter[str] = Counter()
        for _, _, feats in prepared:
            doc_freq.update(feats.keys())
        total = max(len(prepared), 1)
        self._idf = {f: math.log((1 + total) / (1 + df)) + 1 for f, df in doc_freq.items()}
        self._default_idf = math.log(1 + total) + 1
        self._examples = [(skill, ex, self._vector(feats)) for skill, ex, feats in prepared]

    def _vector(self, feats: Counter[str]) -> dict[str, float]:
        vec = {f: (1 + math.log(c)) * self._idf.get(f, self._default_idf) for f, c in feats.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {f: v / norm for f, v in vec.items()}

    def coverage(self, text: str) -> IntentScore | None:
        """The example *about an entity* whose own wording ``text`` contains most completely.

        "杭州市数据资源局情况如何" contains all of "{account} 情况如何" but its similarity is diluted
        by a name we could not link (unknown, or hidden from this viewer). Routing such a question to
        the entity's skill lets it answer "I can't find an account you have access to" — the same
        answer for a hidden and a missing name, so nothing leaks.
        """
        query = features(text)
        best: IntentScore | None = None
        for skill, ex, vec in self._examples:
            weights = {f: w for f, w in vec.items() if not f.startswith("e:")}
            if len(weights) == len(vec):
                continue  # only examples with an entity placeholder
            total = sum(weights.values())
            if total <= 0:
                continue
            covered = sum(w for f, w in weights.items() if f in query) / total
            if best is None or covered > best.score:
                best = IntentScore(skill, covered, ex)
        return best

    def classify(self, masked_text: str, *, top: int = 3) -> list[IntentScore]:
        """Skills ranked by their best example's cosine similarity to ``masked_text``."""
        query = self._vector(features(masked_text))
        best: dict[str, IntentScore] = {}
        for skill, ex, vec in self._examples:
            if len(vec) < len(query):
                score = sum(v * query.get(f, 0.0) for f, v in vec.items())
            else:
                score = sum(v * vec.get(f, 0.0) for f, v in query.items())
            if skill not in best or score > best[skill].score:
                best[skill] = IntentScore(skill, score, ex)
        return sorted(best.values(), key=lambda s: -s.score)[:top]
