"""Words for BM25: jieba tokens for Chinese, lower-cased light-stemmed words for English.

Stop words are dropped in both languages, including the question scaffolding reps wrap around a
search ("有没有…的案例", "any cases where…"), so BM25 weighs what the question is about.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
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
def _english(text: str) -> tuple[str, ...]:
    return tuple(_stem(w) for w in _WORD.findall(text.lower()) if w not in EN_STOP)


def tokens(text: str) -> list[str]:
    """BM25 tokens of mixed zh/en text."""
    out: list[str] = []
    for run in re.split(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)", text):
        if not run:
            continue
        if _CJK.match(run):
            out.extend(t for t in _jieba().lcut_for_search(run) if t.strip() and t not in ZH_STOP)
        else:
            out.extend(_english(run))
    return out
