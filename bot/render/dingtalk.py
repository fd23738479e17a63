"""Reply -> DingTalk: its markdown subset, byte-bounded message parts, and AI-card data.

Why a renderer of its own: DingTalk markdown supports headings, ``**bold**``, ``*italic*``,
links, images, lists and quotes, but no tables and no Slack-style ``*bold*``/``_italic_`` that
skills write; and one message parameter (``msgParam`` / webhook text) is limited to 15,000
bytes, so long answers are split on paragraph boundaries, and beyond a few parts cut with a note.
Buttons cannot live in markdown: they become AI-card buttons whose callbacks carry the
``"<skill>:<verb>"`` action id back to the router.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.lang import Language, pick
from bot.messages import (
    Button,
    Buttons,
    Citations,
    Context,
    Divider,
    Fields,
    Header,
    Image,
    Reply,
    Section,
    Table,
)

__all__ = [
    "MAX_PARAM_BYTES",
    "MAX_PARTS",
    "AICardStatus",
    "ai_card_data",
    "card_buttons",
    "json_size",
    "split_markdown",
    "title_of",
    "to_dingtalk_markdown",
    "to_markdown",
]

MAX_PARAM_BYTES = 15_000
"""DingTalk's limit for one message parameter, counted on the JSON-encoded UTF-8 text."""

MAX_PARTS = 5
"""More parts than this flood a chat; the rest is cut and the last part says so."""

TITLE_CHARS = 30

# ASCII-only word boundaries: "请看*重点*内容" is bold in Chinese text, "snake_case_name" is not italic.
_BOLD = re.compile(r"(?<![*A-Za-z0-9])\*(?![\s*])([^*\n]+?)(?<![\s*])\*(?![*A-Za-z0-9])")
_ITALIC = re.compile(r"(?<![A-Za-z0-9_])_(?![\s_])([^_\n]+?)(?<![\s_])_(?![A-Za-z0-9_])")
_SLACK_LINK = re.compile(r"<(https?://[^|>\s]+)\|([^>]+)>")
_BULLET = re.compile(r"^(\s*)[•·▪]\s*", re.MULTILINE)
_STRIP_MARKUP = re.compile(r"[*_#>`\[\]]")


class AICardStatus:
    """``flowStatus`` values of the AI card template (strings on the wire)."""

    PROCESSING = "1"
    INPUTING = "2"
    FINISHED = "3"
    EXECUTING = "4"
    FAILED = "5"


def to_dingtalk_markdown(text: str) -> str:
    """Convert the lightweight markup skills write (Slack style) into DingTalk markdown.

    ``*bold*`` -> ``**bold**``, ``_italic_`` -> ``*italic*``, ``<url|label>`` -> ``[label](url)``,
    ``•`` bullets -> ``-``, and single newlines become hard breaks (DingTalk joins them otherwise).
    """
    out = _SLACK_LINK.sub(lambda m: f"[{m.group(2)}]({m.group(1)})", text)
    out = _BOLD.sub(r"**\1**", out)
    out = _ITALIC.sub(r"*\1*", out)
    out = _BULLET.sub(r"\1- ", out)
    return _hard_breaks(out)


def _hard_breaks(text: str) -> str:
    lines = text.split("\n")
    result: list[str] = []
    for i, line in enumerate(lines):
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if line.strip() and nxt.strip() and not line.endswith("  "):
            result.append(line + "  ")
        else:
            result.append(line)
    return "\n".join(result)


def _cell(value: str) -> str:
    return value.replace("\n", " ").strip() or "–"


def _table(block: Table) -> str:
    lines = [f"**{block.title}**"] if block.title else []
    for row in block.rows:
        first = _cell(row[0]) if row else "–"
        rest = [f"{col}: {_cell(val)}" for col, val in zip(block.columns[1:], row[1:], strict=False)]
        lines.append(f"- **{first}**" + (" — " + " · ".join(rest) if rest else ""))
    return "\n".join(lines)


def _image(block: Image, language: Language) -> str:
    if block.path.startswith(("http://", "https://")):
        return f"![{block.alt}]({block.path})"
    note = block.fallback_text or block.alt
    return f"*{pick(language, '[图]', '[image]')} {note}*"


def _citations(block: Citations, language: Language) -> str:
    lines = [f"**{pick(language, '来源', 'Sources')}**"]
    for i, c in enumerate(block.items, 1):
        label = f"[{c.title}]({c.url})" if c.url else c.title
        lines.append(f"{i}. {label}")
    return "\n".join(lines)


def to_markdown(reply: Reply) -> str:
    """The whole reply as DingTalk markdown; buttons are left to the card (see ``card_buttons``)."""
    language = reply.language
    parts: list[str] = []
    for block in reply.blocks:
        if isinstance(block, Header):
            parts.append(f"### {block.text.strip()}")
        elif isinstance(block, Section):
            parts.append(to_dingtalk_markdown(block.text.strip()))
        elif isinstance(block, Fields):
            parts.append("\n".join(f"- **{label}**: {_cell(value)}" for label, value in block.items))
        elif isinstance(block, Table):
            parts.append(_table(block))
        elif isinstance(block, Image):
            parts.append(_image(block, language))
        elif isinstance(block, Citations):
            if block.items:
                parts.append(_citations(block, language))
        elif isinstance(block, Context):
            parts.append("> " + to_dingtalk_markdown(block.text.strip()).replace("\n", "\n> "))
        elif isinstance(block, Divider):
            parts.append("---")
        elif isinstance(block, Buttons):
            continue
    if not parts:
        parts.append(to_dingtalk_markdown(reply.text.strip()))
    return "\n\n".join(p for p in parts if p.strip())


def title_of(reply: Reply) -> str:
    """The notification title: the header if any, else the start of the plain-text answer."""
    header = next((b.text for b in reply.blocks if isinstance(b, Header)), None)
    raw = header or reply.text or "DealPilot"
    plain = _STRIP_MARKUP.sub("", raw).strip().splitlines()[0] if raw.strip() else "DealPilot"
    return plain[:TITLE_CHARS] or "DealPilot"


def json_size(text: str) -> int:
    """Bytes ``text`` takes inside a JSON string (UTF-8, escapes counted): what DingTalk measures."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8")) - 2


def split_markdown(
    text: str,
    *,
    limit_bytes: int = MAX_PARAM_BYTES,
    max_parts: int = MAX_PARTS,
    language: Language = "en",
) -> list[str]:
    """Split ``text`` into parts of at most ``limit_bytes`` each (JSON-encoded UTF-8).

    Splits between paragraphs, then between lines, then inside a line; never inside a
    multi-byte character. When more than ``max_parts`` parts would be needed, the last kept part
    ends with a note saying how much was left out (the answer is summarised, not silently lost).
    """
    if limit_bytes < 64:
        raise ValueError("limit_bytes must be at least 64")
    if json_size(text) <= limit_bytes:
        return [text]
    parts: list[str] = []
    current = ""
    for piece in _pieces(text, limit_bytes):
        candidate = piece if not current else current + piece
        if json_size(candidate) <= limit_bytes:
            current = candidate
        else:
            parts.append(current.rstrip())
            current = piece.lstrip("\n")
    if current.strip():
        parts.append(current.rstrip())
    if len(parts) <= max_parts:
        return parts
    kept = parts[:max_parts]
    left_out = sum(len(p) for p in parts[max_parts:])
    note = "\n\n> " + pick(
        language,
        f"（内容过长，已省略约 {left_out} 字。请缩小问题范围。）",
        f"(Answer too long: about {left_out} characters left out. Please narrow the question.)",
    )
    last = kept[-1]
    while json_size(last + note) > limit_bytes and last:
        last = last[: max(0, len(last) - max(1, len(note)))]
    kept[-1] = last.rstrip() + note
    return kept


def _pieces(text: str, limit_bytes: int) -> list[str]:
    """Paragraphs (with their separators), each one further cut to fit ``limit_bytes``."""
    pieces: list[str] = []
    for para in re.split(r"(?<=\n\n)", text):
        if json_size(para) <= limit_bytes:
            pieces.append(para)
            continue
        for line in para.splitlines(keepends=True):
            if json_size(line) <= limit_bytes:
                pieces.append(line)
                continue
            chunk, size = "", 0
            for ch in line:
                ch_size = json_size(ch)
                if size + ch_size > limit_bytes:
                    pieces.append(chunk)
                    chunk, size = "", 0
                chunk += ch
                size += ch_size
            if chunk:
                pieces.append(chunk)
    return pieces


_COLORS = {"primary": "blue", "danger": "red", "default": "gray"}


def card_buttons(buttons: list[Button], *, extra: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """AI-card ``msgButtons`` whose callback carries the action id and value (plus ``extra`` params).

    DingTalk returns a pressed button's ``id`` in ``cardPrivateData.actionIds`` and its ``params``
    in ``cardPrivateData.params``; the adapter reads both back into ``Action``.
    """
    return [
        {
            "text": b.text[:20],
            "color": _COLORS.get(b.style, "gray"),
            "id": b.action_id,
            "request": True,
            "params": {"action_id": b.action_id, "value": b.value, **(extra or {})},
        }
        for b in buttons
    ]


def ai_card_data(
    *,
    content: str,
    title: str,
    status: str | None = None,
    buttons: list[dict[str, Any]] | None = None,
) -> dict[str, str]:
    """``cardParamMap`` for the AI card template: every value is a string on the wire."""
    order = ["msgTitle", "msgContent", "msgButtons"]
    full: dict[str, Any] = {"order": order}
    if buttons:
        full["msgButtons"] = buttons
    data = {
        "msgTitle": title,
        "msgContent": content,
        "sys_full_json_obj": json.dumps(full, ensure_ascii=False),
    }
    if status is not None:
        data["flowStatus"] = status
    return data
