"""``Reply`` blocks -> Slack Block Kit, always within Slack's limits.

Slack rejects a whole message (``invalid_blocks``) when one limit is broken, so every limit is
enforced here rather than hoped for: 50 blocks per message, 3,000 characters per section text,
10 fields per section, 2,000 characters per field, 25 elements per actions block, 75 characters
per button label, 150 per header, and unique ``action_id``s within one message. Content that does
not fit is split (long sections, big field grids, tables) or paged behind a "show more" button;
nothing is dropped silently and a plain-text fallback always goes with the blocks.

The renderer is pure: it never calls Slack. Uploading local images and storing the pages behind
"show more" belong to the adapter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.lang import Language, pick
from bot.messages import (
    Block,
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

MAX_BLOCKS = 50
MAX_HOME_BLOCKS = 100
SECTION_CHARS = 3000
FIELD_CHARS = 2000
FIELDS_PER_SECTION = 10
ACTIONS_PER_BLOCK = 25
BUTTON_TEXT_CHARS = 75
BUTTON_VALUE_CHARS = 2000
ACTION_ID_CHARS = 255
HEADER_CHARS = 150
CONTEXT_ELEMENTS = 10
ALT_TEXT_CHARS = 2000
FALLBACK_CHARS = 3000
TABLE_CELL_CHARS = 40

MORE_ACTION_ID = "slack:more"
"""The "show more" button; handled by the Slack adapter itself, never routed to a skill."""

_DUPLICATE_SUFFIX = re.compile(r"#\d+$")


@dataclass
class SlackMessage:
    """One Slack message: fallback text, at most ``MAX_BLOCKS`` blocks, and the blocks that did not fit."""

    text: str
    blocks: list[dict[str, Any]]
    overflow: list[dict[str, Any]] = field(default_factory=list)


# --- text helpers -------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when something was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int = SECTION_CHARS) -> list[str]:
    """Split at paragraph, then line, then word boundaries so each piece is <= ``limit`` chars."""
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"))
        if cut < limit // 3:
            cut = window.rfind(" ")
        if cut < limit // 3:
            cut = limit
            amp = window.rfind("&", limit - 6)
            if amp != -1 and ";" not in window[amp:]:
                cut = amp  # never cut an escaped entity (&amp;) in half
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest:
        pieces.append(rest)
    return [p for p in pieces if p]


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


# --- blocks ---------------------------------------------------------------------------------------


def _section(block: Section) -> list[dict[str, Any]]:
    return [{"type": "section", "text": _mrkdwn(piece)} for piece in split_text(escape(block.text)) if piece.strip()]


def _header(block: Header) -> list[dict[str, Any]]:
    text = " ".join(block.text.split()) or "-"
    return [{"type": "header", "text": _plain(clip(text, HEADER_CHARS))}]


def _fields(block: Fields) -> list[dict[str, Any]]:
    rendered = [
        _mrkdwn(clip(f"*{escape(label)}*\n{escape(value) or '-'}", FIELD_CHARS)) for label, value in block.items
    ]
    return [{"type": "section", "fields": list(group)} for group in _chunks(rendered, FIELDS_PER_SECTION)]


def _table(block: Table) -> list[dict[str, Any]]:
    """A table as monospace text (Slack has no table block for bots); header repeated on each piece."""
    columns = [clip(str(c), TABLE_CELL_CHARS) for c in block.columns]
    rows = [[clip(str(cell).replace("\n", " "), TABLE_CELL_CHARS) for cell in row] for row in block.rows]
    ncols = max([len(columns), *(len(r) for r in rows)]) if (columns or rows) else 0
    columns += [""] * (ncols - len(columns))
    rows = [r + [""] * (ncols - len(r)) for r in rows]
    widths = [max([_display_width(columns[i]), *(_display_width(r[i]) for r in rows)]) for i in range(ncols)]

    def line(cells: list[str]) -> str:
        return escape("  ".join(_pad(c, widths[i]) for i, c in enumerate(cells)).rstrip().replace("`", "'"))

    title = f"*{escape(clip(block.title, 200))}*\n" if block.title else ""
    head = [clip(line(columns), 1000), clip(escape("  ".join("-" * w for w in widths)), 1000)]
    budget = SECTION_CHARS - len(title) - 8 - sum(len(h) + 1 for h in head)
    pages: list[list[str]] = [[]]
    used = 0
    for row in rows:
        text = line(row)
        if len(text) + 1 > budget:  # a single absurdly wide row: clip it
            text = clip(text, budget - 1)
        if pages[-1] and used + len(text) + 1 > budget:
            pages.append([])
            used = 0
        pages[-1].append(text)
        used += len(text) + 1
    blocks = []
    for index, chunk in enumerate(pages):
        body = "\n".join([*head, *chunk])
        prefix = title if index == 0 else ""
        blocks.append({"type": "section", "text": _mrkdwn(f"{prefix}```\n{body}\n```")})
    return blocks


def _buttons(block: Buttons) -> list[dict[str, Any]]:
    elements = []
    for button in block.buttons:
        element: dict[str, Any] = {
            "type": "button",
            "text": _plain(clip(button.text, BUTTON_TEXT_CHARS)),
            "action_id": button.action_id[:ACTION_ID_CHARS - 4],
            "value": button.value[:BUTTON_VALUE_CHARS],
        }
        if button.style != "default":
            element["style"] = button.style
        elements.append(element)
    return [{"type": "actions", "elements": list(group)} for group in _chunks(elements, ACTIONS_PER_BLOCK)]


def _image(block: Image) -> list[dict[str, Any]]:
    if block.path.startswith(("http://", "https://")):
        return [{"type": "image", "image_url": block.path, "alt_text": clip(block.alt or "image", ALT_TEXT_CHARS)}]
    described = block.fallback_text or block.alt
    return [{"type": "section", "text": _mrkdwn(piece)} for piece in split_text(f"🖼 _{escape(described)}_")]


def _citations(block: Citations) -> list[dict[str, Any]]:
    elements = []
    for c in block.items:
        title = escape(clip(c.title or c.source, 200))
        label = f"<{c.url}|{title}>" if c.url and c.url.startswith(("http://", "https://")) else title
        elements.append(_mrkdwn(f"📎 {label}"))
    return [{"type": "context", "elements": list(group)} for group in _chunks(elements, CONTEXT_ELEMENTS)]


def _context(block: Context) -> list[dict[str, Any]]:
    pieces = split_text(escape(block.text))
    return [{"type": "context", "elements": [_mrkdwn(piece)]} for piece in pieces if piece.strip()]


_RENDERERS: dict[type, Any] = {
    Section: _section,
    Header: _header,
    Fields: _fields,
    Table: _table,
    Buttons: _buttons,
    Image: _image,
    Citations: _citations,
    Context: _context,
    Divider: lambda _b: [{"type": "divider"}],
}


def render_blocks(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """Every ``Reply`` block as Block Kit, each within per-block limits (the count is not capped here)."""
    out: list[dict[str, Any]] = []
    for block in blocks:
        out.extend(_RENDERERS[type(block)](block))
    return unique_action_ids(out)


def unique_action_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Suffix repeated ``action_id``s with ``#n`` (Slack rejects duplicates; ``base_action_id`` undoes it)."""
    seen: dict[str, int] = {}
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            action_id = element["action_id"]
            count = seen.get(action_id, 0)
            seen[action_id] = count + 1
            if count:
                element["action_id"] = f"{action_id}#{count}"
    return blocks


def base_action_id(action_id: str) -> str:
    """The skill's ``action_id`` behind a possibly de-duplicated one (``insight:open#2`` -> ``insight:open``)."""
    return _DUPLICATE_SUFFIX.sub("", action_id)


def fallback_text(reply: Reply) -> str:
    """The notification / accessibility text that goes with the blocks; never empty."""
    text = reply.text.strip() or next((b.text for b in reply.blocks if isinstance(b, (Header, Section))), "")
    return clip(text or "DealPilot", FALLBACK_CHARS)


def paginate(
    blocks: list[dict[str, Any]], *, language: Language, more_value: str | None, limit: int = MAX_BLOCKS
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The first page (<= ``limit`` blocks) and the rest; the page ends with a "show more" button.

    Without a ``more_value`` (nowhere to keep the rest) the remainder is summarised in a context
    line instead, so the message is still accepted.
    """
    if len(blocks) <= limit:
        return blocks, []
    page = blocks[: limit - 2]
    rest = blocks[limit - 2 :]
    note = pick(language, f"还有 {len(rest)} 项未显示。", f"{len(rest)} more items not shown.")
    page.append({"type": "context", "elements": [_mrkdwn(note)]})
    if more_value is None:
        return page, rest
    label = pick(language, "显示更多", "Show more")
    page.append(
        {"type": "actions", "elements": [{"type": "button", "text": _plain(label), "action_id": MORE_ACTION_ID, "value": more_value}]}
    )
    return page, rest


def render_reply(reply: Reply, *, more_value: str | None = None, limit: int = MAX_BLOCKS) -> SlackMessage:
    """A whole reply as one Slack message (first page) plus the overflow blocks, if any."""
    blocks = render_blocks(reply.blocks)
    if not blocks:
        blocks = [{"type": "section", "text": _mrkdwn(piece)} for piece in split_text(escape(fallback_text(reply)))]
    page, rest = paginate(blocks, language=reply.language, more_value=more_value, limit=limit)
    return SlackMessage(text=fallback_text(reply), blocks=page, overflow=rest)


# --- markdown (streamed answers) --------------------------------------------------------------------

_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")


def mrkdwn_to_markdown(text: str) -> str:
    """Slack-style ``*bold*`` -> standard ``**bold**`` (the streaming API speaks standard markdown)."""
    return _BOLD.sub(r"**\1**", text)


def to_markdown(reply: Reply) -> str:
    """The reply as standard markdown, for ``chat.startStream``/``appendStream`` (buttons excluded)."""
    parts: list[str] = []
    for block in reply.blocks:
        if isinstance(block, Header):
            parts.append(f"**{block.text}**")
        elif isinstance(block, Section):
            parts.append(mrkdwn_to_markdown(block.text))
        elif isinstance(block, Fields):
            parts.append("\n".join(f"- **{label}**: {value}" for label, value in block.items))
        elif isinstance(block, Table):
            rendered = _table(block)
            parts.extend(mrkdwn_to_markdown(_unescape(b["text"]["text"])) for b in rendered)
        elif isinstance(block, Image):
            parts.append(f"![{block.alt}]({block.path})" if block.path.startswith("http") else f"_{block.fallback_text or block.alt}_")
        elif isinstance(block, Citations):
            parts.append(
                "\n".join(f"- [{c.title}]({c.url})" if c.url else f"- {c.title}" for c in block.items)
            )
        elif isinstance(block, Context):
            parts.append(f"_{block.text}_")
        elif isinstance(block, Divider):
            parts.append("---")
    return "\n\n".join(p for p in parts if p.strip()) or reply.text


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def actions_only(reply: Reply) -> list[dict[str, Any]]:
    """Just the buttons of a reply as Block Kit (attached under a streamed answer)."""
    return render_blocks([b for b in reply.blocks if isinstance(b, Buttons)])[: MAX_BLOCKS]
