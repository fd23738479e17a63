"""Words for BM25: jieba tokens for Chinese, lower-cased light-stemmed words for English.

Stop words are dropped in both languages, including the question scaffolding reps wrap around a
search ("有没有…的案例", "any cases where…"), so BM25 weighs what the question is about.

Documents are cut by jieba at ingest (``tokens``). Queries are cut without jieba (``query_tokens``):
loading jieba's dictionary costs ~0.8 s per process, and a query term can only score BM25 if it is
one of the indexed tokens anyway. So a Chinese query run is segmented by maximum matching over the
index's own vocabulary (the tokens jieba produced at ingest) plus the stop words, forward and
backward, keeping the segmentation with fewer words; like jieba's search mode, the 2- and 3-character
pieces of a long word that are indexed words are added too.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from functools import lru_cache

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_WORD = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_lock = threading.Lock()
_ready = False

EN_STOP = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been being it its this that
    these those there their they them we our us you your he she his her i me my do does did done have has had
    not no so than then too very can could would should will may might must about into over under after before
    any some all more most such what which who whom how why when where while also just only other same each
    case cases example examples story stories similar similarly like find show give tell me please any anything
    there's what's how's where we've did we ever time times one ones got get""".split()
)
ZH_STOP = frozenset(
    """的 了 和 是 在 也 有 没有 有没有 吗 呢 吧 啊 我 我们 你 你们 他 他们 她 它 这 那 这个 那个 这些 那些 就 都 而 及
    与 或 被 把 让 给 对 从 到 为 以 于 上 下 中 里 后 前 又 还 但 并 很 最 一个 一些 什么 怎么 怎么样 如何 哪些 哪个 能 会 要
    可以 之 其 该 等 个 案例 例子 类似 相似 相关 情况 经验 一下 请 帮 找 找找 看看 说说 讲讲 过 着 么 曾经 时候 关于 过去
    分享 有关 哪 吗？ 呢？ ， 。 ？ ！ ； ： 、 “ ” （ ）""".split()
)


def _jieba():  # type: ignore[no-untyped-def]
    """jieba, initialised once (its dictionary load logs to stderr and takes ~1 s)."""
    global _ready
    import jieba

    if not _ready:
        with _lock:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _ready = True
    return jieba


def _stem(word: str) -> str:
    """A tiny English stemmer: plurals and common verb endings, enough for BM25 matching."""
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            stem = word[: -len(suffix)] + repl
            if suffix in ("ing", "ed"):
                if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                    stem = stem[:-1]  # cutting -> cut
                elif stem[-1] in "cvz":
                    stem += "e"  # pricing -> price
            return stem
    return word


@lru_cache(maxsize=4096)
def english_terms(text: str) -> tuple[str, ...]:
    """Light-stemmed English words of ``text``, stop words dropped (shared with the role-play grounding check)."""
    return tuple(_stem(w) for w in _WORD.findall(text.lower()) if w not in EN_STOP)


def tokens(text: str) -> list[str]:
    """BM25 tokens of mixed zh/en text (documents: Chinese is cut by jieba)."""
    out: list[str] = []
    for run in _CJK_RUNS.split(text):
        if not run:
            continue
        if _CJK.match(run):
            out.extend(t for t in _jieba().lcut_for_search(run) if t.strip() and t not in ZH_STOP)
        else:
            out.extend(english_terms(run))
    return out


class Vocabulary:
    """The Chinese words a query may be segmented into: the index's tokens plus the stop words."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.words: set[str] = {t for t in terms if _CJK.search(t)}
        self.words.update(w for w in ZH_STOP if _CJK.search(w))
        self.max_len = max((len(w) for w in self.words), default=1)

    def __contains__(self, word: str) -> bool:
        return word in self.words


def query_tokens(text: str, vocabulary: Vocabulary) -> list[str]:
    """BM25 tokens of a query, without jieba: Chinese by maximum matching over ``vocabulary``."""
    out: list[str] = []
    for run in _CJK_RUNS.split(text):
        if not run:
            continue
        if _CJK.match(run):
            out.extend(t for t in _segment(run, vocabulary) if t not in ZH_STOP)
        else:
            out.extend(english_terms(run))
    return out


def _segment(run: str, vocabulary: Vocabulary) -> list[str]:
    """Search-mode words of one Chinese run: the better of forward/backward maximum matching."""
    forward, backward = _max_match(run, vocabulary, backward=False), _max_match(run, vocabulary, backward=True)
    # Fewer words, then fewer unknown single characters; ties go to backward matching (more often right for Chinese).
    cost = lambda words: (len(words), sum(1 for w in words if len(w) == 1 and w not in vocabulary))  # noqa: E731
    words = forward if cost(forward) < cost(backward) else backward
    out: list[str] = []
    for word in _drop_unknown_spans(words):
        for size in (2, 3):  # what jieba's lcut_for_search adds for long words
            if len(word) > size:
                out.extend(word[i : i + size] for i in range(len(word) - size + 1) if word[i : i + size] in vocabulary)
        out.append(word)
    return out


def _drop_unknown_spans(words: list[str]) -> list[str]:
    """Drop runs of two or more single characters (stop words aside).

    Such a run is a word the index does not know (jieba would have kept it whole, e.g. 挽回 when no
    document contains it); its characters alone would match unrelated passages. A lone character
    between known words (低 in 报价低了) is a word of its own and stays. Measured on the retrieval
    eval: keeping the runs lost one recall@1 hit; dropping them matches jieba's numbers.
    """
    single = [len(w) == 1 and w not in ZH_STOP for w in words]
    return [
        word for i, word in enumerate(words)
        if not (single[i] and ((i > 0 and single[i - 1]) or (i + 1 < len(words) and single[i + 1])))
    ]


def _max_match(run: str, vocabulary: Vocabulary, *, backward: bool) -> list[str]:
    """Greedy longest known words from the start (or the end); unknown characters stand alone."""
    words: list[str] = []
    if backward:
        end = len(run)
        while end > 0:
            size = next((n for n in range(min(vocabulary.max_len, end), 1, -1) if run[end - n : end] in vocabulary), 1)
            words.append(run[end - size : end])
            end -= size
        words.reverse()
        return words
    start = 0
    while start < len(run):
        size = next((n for n in range(min(vocabulary.max_len, len(run) - start), 1, -1) if run[start : start + n] in vocabulary), 1)
        words.append(run[start : start + size])
        start += size
    return words
