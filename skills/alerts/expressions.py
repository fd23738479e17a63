"""Checks on a rule's condition before zen-engine ever sees it.

Why our own pass on top of zen's validator: zen says "Unexpected end of unary expression at (7, 7)";
a sales manager needs "the condition ends with `and`: add the second test or remove `and`", in their
language, and a hint for the mistakes people actually make (full-width ``＞`` from a Chinese IME,
``25%`` written with a percent sign, a field name one letter off, comparing a stage with a number).
This module also enforces the sandbox: only catalog fields and the rule's parameters, no ranges,
no closures (map / filter ...), only a few arithmetic functions.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from skills.alerts.catalog import Feature

#: Full-width characters a Chinese IME produces, and what the rule needs instead.
FULLWIDTH: dict[str, str] = {
    "＞": ">", "＜": "<", "＝": "=", "！": "!", "，": ",", "（": "(", "）": ")", "［": "[", "］": "]",
    "＋": "+", "－": "-", "＊": "*", "／": "/", "％": "%", "“": '"', "”": '"', "‘": "'", "’": "'",
    "：": ":", "？": "?", "。": ".", "　": " ", "≥": ">=", "≤": "<=", "≠": "!=",
}
FULLWIDTH.update({chr(0xFF10 + i): str(i) for i in range(10)})  # ０-９
CHINESE_WORDS = {"且": "and", "并且": "and", "而且": "and", "和": "and", "或": "or", "或者": "or", "不": "not"}

ALLOWED_FUNCTIONS = frozenset({"abs", "round", "floor", "ceil"})
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
BINARY = frozenset({"and", "or", "in", "==", "!=", ">", "<", ">=", "<=", "+", "-", "*", "/", "%", "^", "?", ":"})
COMPARE = frozenset({"==", "!=", ">", "<", ">=", "<="})
ORDERING = frozenset({">", "<", ">=", "<="})
MAX_LENGTH = 500

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+(?:\.\d+)?)
    | (?P<string>"[^"]*"|'[^']*')
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>\.\.|==|!=|>=|<=|&&|\|\||[-+*/%^<>!?:()\[\],#.`$])
    | (?P<other>\S)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # number | string | name | op | other
    text: str
    pos: int


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an expression, in both languages."""

    code: str
    zh: str
    en: str


def tokenize(expression: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(expression):
        m = _TOKEN.match(expression, pos)
        if m is None or m.end() == pos:
            break
        kind = m.lastgroup or "other"
        tokens.append(Token(kind, m.group(kind), m.start(kind)))
        pos = m.end()
    return tokens


def suggest(word: str, candidates: list[str]) -> str | None:
    """The closest candidate to ``word`` (typos, missing parts), or ``None``."""
    best = difflib.get_close_matches(word, candidates, n=1, cutoff=0.55)
    if best:
        return best[0]
    parts = [c for c in candidates if len(word) >= 4 and (word in c or c in word)]
    return parts[0] if parts else None


def _type_of(token: Token, fields: dict[str, Feature]) -> str | None:
    if token.kind == "number":
        return "number"
    if token.kind == "string":
        return "string"
    if token.kind == "name":
        if token.text in ("true", "false"):
            return "bool"
        if token.text in fields:
            return fields[token.text].type
    return None


def check(expression: str, fields: dict[str, Feature], params: dict[str, object]) -> list[Problem]:
    """Everything wrong with ``expression`` that a manager can fix; empty when it is fine."""
    problems: list[Problem] = []
    if not expression or not expression.strip():
        return [Problem("missing", "条件为空：请写一个判断，例如 discount_pct > 25。",
                        "The condition is empty: write a test such as discount_pct > 25.")]
    if len(expression) > MAX_LENGTH:
        problems.append(Problem("too_long", f"条件太长（{len(expression)} 字符，上限 {MAX_LENGTH}）：请拆成几条规则。",
                                f"The condition is too long ({len(expression)} characters, max {MAX_LENGTH}): "
                                "split it into several rules."))
    wide = sorted({ch for ch in expression if ch in FULLWIDTH})
    if wide:
        shown_zh = "、".join(f"“{c}”→“{FULLWIDTH[c]}”" for c in wide)
        shown_en = ", ".join(f"'{c}' -> '{FULLWIDTH[c]}'" for c in wide)
        problems.append(Problem(
            "fullwidth",
            f"条件里有全角符号（中文输入法）：{shown_zh}。请切换到英文输入法重新输入这些符号。",
            f"The condition contains full-width symbols typed with a Chinese IME: {shown_en}. "
            "Retype them with an English keyboard layout.",
        ))
    words = [w for w in CHINESE_WORDS if w in expression]
    if words:
        w = max(words, key=len)
        problems.append(Problem("chinese_operator", f"条件里请用 {CHINESE_WORDS[w]} 代替“{w}”。",
                                f"Use `{CHINESE_WORDS[w]}` instead of '{w}' in the condition."))
    if wide or words:
        return problems  # the rest would only echo the same typo

    tokens = tokenize(expression)
    known = {**{n: f.type for n, f in fields.items()}, **{p: "number" for p in params}}
    names = sorted(known)
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok.kind == "other":
            problems.append(Problem("bad_symbol", f"条件里有无法识别的字符“{tok.text}”。",
                                    f"The condition contains a character I can't read: '{tok.text}'."))
        elif tok.text == "..":
            problems.append(Problem("forbidden", "规则里不允许使用区间（..）：请写成 x >= 10 and x <= 20。",
                                    "Ranges (..) are not allowed in rules: write x >= 10 and x <= 20."))
        elif tok.text in ("#", "`", "$", "."):
            problems.append(Problem("forbidden", f"规则里不允许使用“{tok.text}”（只允许字段、数字、文字和比较）。",
                                    f"'{tok.text}' is not allowed in rules (only fields, numbers, text and comparisons)."))
        elif tok.text in ("&&", "||"):
            word = "and" if tok.text == "&&" else "or"
            problems.append(Problem("operator", f"请用 {word} 代替 {tok.text}。", f"Use `{word}` instead of `{tok.text}`."))
        elif tok.kind == "name" and nxt is not None and nxt.text == "(":
            if tok.text not in ALLOWED_FUNCTIONS:
                problems.append(Problem(
                    "forbidden",
                    f"规则里不允许调用函数 {tok.text}()；可用的只有 {', '.join(sorted(ALLOWED_FUNCTIONS))}。",
                    f"Calling {tok.text}() is not allowed in rules; only {', '.join(sorted(ALLOWED_FUNCTIONS))} are.",
                ))
        elif tok.kind == "name" and tok.text not in KEYWORDS and tok.text not in known:
            hint = suggest(tok.text, names)
            problems.append(Problem(
                "unknown_field",
                f"未知字段 `{tok.text}`" + (f"，你是不是想写 `{hint}`？" if hint else "。")
                + " 可用字段见 /rules fields。",
                f"Unknown field `{tok.text}`" + (f" - did you mean `{hint}`?" if hint else ".")
                + " See /rules fields for the catalog.",
            ))
        elif tok.text == "%" and i > 0 and tokens[i - 1].kind == "number" and (nxt is None or nxt.text in BINARY | {")"}):
            problems.append(Problem(
                "percent_sign",
                f"百分比请直接写数字：把 {tokens[i - 1].text}% 写成 {tokens[i - 1].text}（字段的单位已经是 %）。",
                f"Write percentages as plain numbers: {tokens[i - 1].text} instead of {tokens[i - 1].text}% "
                "(the field is already in %).",
            ))
    if problems:
        return problems
    problems.extend(_dangling(tokens))
    if problems:
        return problems
    problems.extend(_types(tokens, fields, known))
    return problems


def _dangling(tokens: list[Token]) -> list[Problem]:
    """An operator with nothing on one side: ``x > 3 and``, ``and x > 3``, ``x > > 3``, ``(x >)``."""
    if not tokens:
        return []
    last = tokens[-1]
    if last.text in BINARY or last.text == "not":
        return [Problem("dangling_operator",
                        f"条件以运算符 `{last.text}` 结尾：请补上后半部分，或删掉 `{last.text}`。",
                        f"The condition ends with the operator `{last.text}`: add what should follow it or remove it.")]
    first = tokens[0]
    if first.text in BINARY - {"-"}:
        return [Problem("dangling_operator",
                        f"条件以运算符 `{first.text}` 开头：前面缺少内容。",
                        f"The condition starts with the operator `{first.text}`: something is missing before it.")]
    for prev, tok in zip(tokens, tokens[1:]):
        prev_is_op = prev.text in BINARY or prev.text in ("(", ",", "[", "not", "!")
        if tok.text in BINARY - {"-"} and prev_is_op:
            return [Problem("dangling_operator",
                            f"运算符 `{tok.text}` 前面缺少内容（在 `{prev.text}` 之后）。",
                            f"The operator `{tok.text}` has nothing before it (right after `{prev.text}`).")]
        if tok.text in (")", "]", ",") and prev.text in BINARY:
            return [Problem("dangling_operator",
                            f"运算符 `{prev.text}` 后面缺少内容。", f"The operator `{prev.text}` has nothing after it.")]
    return []


def _types(tokens: list[Token], fields: dict[str, Feature], known: dict[str, str]) -> list[Problem]:
    """Comparisons whose two sides cannot match: ``stage > 3``, ``discount_pct == "25"``, bad enum values."""
    problems: list[Problem] = []
    for i, tok in enumerate(tokens):
        if tok.text not in COMPARE and tok.text != "in":
            continue
        left = tokens[i - 1] if i > 0 else None
        j = i + 1
        if j < len(tokens) and tokens[j].text == "-":
            j += 1
        right = tokens[j] if j < len(tokens) else None
        if left is None or right is None:
            continue
        if tok.text == "in":
            problems.extend(_check_in(left, tokens[j:], fields, known))
            continue
        lt = known.get(left.text) if left.kind == "name" and left.text in known else _type_of(left, fields)
        rt = known.get(right.text) if right.kind == "name" and right.text in known else _type_of(right, fields)
        if lt and rt and lt != rt:
            if left.kind == "name" and left.text in known:
                problems.append(_mismatch(left, lt, rt, right))
            else:
                problems.append(_mismatch(right, rt, lt, left))
        elif tok.text in ORDERING and "string" in (lt, rt):
            problems.append(Problem(
                "type_mismatch",
                f"文字字段不能比较大小（`{tok.text}`）：请用 == 或 in，例如 stage in [\"proposal\", \"negotiation\"]。",
                f"Text fields can't be ordered with `{tok.text}`: use == or in, e.g. stage in [\"proposal\", \"negotiation\"].",
            ))
        elif lt == rt == "string":
            problems.extend(_enum_value(left if left.kind == "name" else right, right if left.kind == "name" else left, fields))
    return problems


def _mismatch(field: Token, field_type: str, other_type: str, other: Token) -> Problem:
    names_zh = {"number": "数字", "string": "文字", "bool": "是/否"}
    example = {"number": "25", "string": '"proposal"', "bool": "true"}[field_type]
    return Problem(
        "type_mismatch",
        f"类型不匹配：`{field.text}` 是{names_zh[field_type]}，却和{names_zh[other_type]} {other.text} 比较；"
        f"请写成类似 {example} 的值（数字不加引号，文字加引号）。",
        f"Type mismatch: `{field.text}` is a {field_type} but is compared with the {other_type} {other.text}; "
        f"use a value like {example} (numbers without quotes, text in quotes).",
    )


def _check_in(left: Token, rest: list[Token], fields: dict[str, Feature], known: dict[str, str]) -> list[Problem]:
    if not rest or rest[0].text != "[":
        return [Problem("forbidden", "in 后面请写一个列表，例如 stage in [\"proposal\", \"negotiation\"]。",
                        "Write a list after `in`, e.g. stage in [\"proposal\", \"negotiation\"].")]
    field_type = known.get(left.text) if left.kind == "name" else _type_of(left, fields)
    problems: list[Problem] = []
    for tok in rest[1:]:
        if tok.text == "]":
            break
        if tok.kind not in ("number", "string", "name") or tok.text in ("-",):
            continue
        item_type = _type_of(tok, fields)
        if field_type and item_type and item_type != field_type:
            problems.append(_mismatch(left, field_type, item_type, tok))
        elif field_type == "string" and item_type == "string" and left.kind == "name":
            problems.extend(_enum_value(left, tok, fields))
    return problems


def _enum_value(field: Token, literal: Token, fields: dict[str, Feature]) -> list[Problem]:
    feature = fields.get(field.text)
    value = literal.text[1:-1] if literal.kind == "string" else None
    if feature is None or not feature.values or value is None or value in feature.values:
        return []
    hint = suggest(value, list(feature.values))
    allowed = ", ".join(feature.values)
    return [Problem(
        "unknown_value",
        f"`{field.text}` 没有取值 \"{value}\"" + (f"，你是不是想写 \"{hint}\"？" if hint else "。") + f" 可选：{allowed}。",
        f"`{field.text}` has no value \"{value}\"" + (f" - did you mean \"{hint}\"?" if hint else ".") + f" Allowed: {allowed}.",
    )]


def referenced_fields(expression: str, fields: dict[str, Feature]) -> list[str]:
    """The catalog fields an expression reads, in order of first use."""
    seen: list[str] = []
    for tok in tokenize(expression):
        if tok.kind == "name" and tok.text in fields and tok.text not in seen:
            seen.append(tok.text)
    return seen
