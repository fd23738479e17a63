"""Split a document into overlapping passages that end at sentence boundaries, zh and en.

Chinese sentences end at 。！？；(and their ASCII twins followed by CJK text); English ones at
``. ! ?`` followed by a space. Passages never cross a section heading, carry the section's name
for citations, and repeat the previous passage's last sentence so a fact split across the
boundary is still found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# A sentence ends after Chinese 。！？； (plus closing quotes/brackets), or after . ! ? ; followed by space.
_SENTENCE_END = re.compile(r"(?<=[。！？；!?])[”’」』）)]*|(?<=[.!?;])[\"')\]]*(?=\s)")

_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_LIST_MARKER = re.compile(r"^(?:[-*+]|\d+[.)、])\s+")

_ABBREVIATION = re.compile(r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Prof|St|vs|etc|Inc|Ltd|Co|No|approx|e\.g|i\.e|U\.S)\.$", re.I)

DEFAULT_MAX_TOKENS = 180
DEFAULT_OVERLAP_TOKENS = 40


@dataclass(frozen=True)
class Chunk:
    """One passage: its text, the section it belongs to, and its position in the document."""

    text: str
    section: str
    ordinal: int


def estimate_tokens(text: str) -> int:
    """A model-free token estimate: ~0.8 per CJK character, ~1.3 per English word."""
    return int(len(_CJK.findall(text)) * 0.8 + len(_LATIN_WORD.findall(text)) * 1.3) + 1


def split_sections(text: str) -> list[tuple[str, str]]:
    """(section heading, body) pairs; text before the first heading has an empty section name."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        match = _HEADING.match(line.strip())
        if match:
            sections.append((match.group(2).strip(), []))
        else:
            sections[-1][1].append(line)
    return [(name, "\n".join(lines).strip()) for name, lines in sections if "\n".join(lines).strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences of mixed Chinese/English text; list items and paragraphs also end a sentence."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)、])\s)", text):
        block = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), re.sub(r"\s*\n\s*", " ", block)).strip()
        marker = _LIST_MARKER.match(block)
        first = len(out)
        start = marker.end() if marker else 0
        if not block[start:]:
            continue
        for match in _SENTENCE_END.finditer(block):
            end = match.end()
            piece = block[start:end].strip()
            if _ABBREVIATION.search(piece):
                continue  # "Mr. Smith", "e.g. this": not a sentence end
            if piece:
                out.append(piece)
            start = end
        tail = block[start:].strip()
        if tail:
            out.append(tail)
        if marker and out and len(out) > first:
            out[first] = block[: marker.end()] + out[first]
    return out


def _hard_split(sentence: str, max_tokens: int) -> list[str]:
    """Split a single over-long sentence at commas, then at a fixed width, to respect the limit."""
    if estimate_tokens(sentence) <= max_tokens:
        return [sentence]
    parts = [p for p in re.split(r"(?<=[，,、：:])", sentence) if p]
    pieces: list[str] = []
    current = ""
    for part in parts:
        if current and estimate_tokens(current + part) > max_tokens:
            pieces.append(current)
            current = ""
        current += part
    if current:
        pieces.append(current)
    final: list[str] = []
    width = max_tokens if _CJK.search(sentence) else max_tokens * 4
    for piece in pieces:
        if estimate_tokens(piece) <= max_tokens:
            final.append(piece)
        else:
            final.extend(piece[i : i + width] for i in range(0, len(piece), width))
    return final


def _join(sentences: list[str]) -> str:
    text = ""
    for sentence in sentences:
        if text and not (_CJK.search(text[-1]) or _CJK.search(sentence[0])):
            text += " "
        text += sentence
    return text


def chunk_text(
    text: str,
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    overlap_tokens: int = DEFAULT_OVERLAP_TOKENS,
) -> list[Chunk]:
    """Chunk a document's body.

    Args:
        text: markdown-ish text (``#`` headings mark sections).
        max_tokens: the estimated size limit of a passage.
        overlap_tokens: how much of the previous passage's tail (whole sentences) to repeat.
    """
    if max_tokens < 8 or overlap_tokens < 0 or overlap_tokens >= max_tokens:
        raise ValueError("need max_tokens >= 8 and 0 <= overlap_tokens < max_tokens")
    chunks: list[Chunk] = []
    for section, body in split_sections(text):
        sentences = [p for s in split_sentences(body) for p in _hard_split(s, max_tokens)]
        window: list[str] = []
        fresh = 0  # sentences in the window that no earlier chunk has emitted
        for sentence in sentences:
            if window and estimate_tokens(_join([*window, sentence])) > max_tokens:
                chunks.append(Chunk(_join(window), section, len(chunks)))
                window = _overlap_tail(window, overlap_tokens, max_tokens - estimate_tokens(sentence))
                fresh = 0
            window.append(sentence)
            fresh += 1
        if window and fresh:
            chunks.append(Chunk(_join(window), section, len(chunks)))
    return chunks


def _overlap_tail(window: list[str], overlap_tokens: int, room: int) -> list[str]:
    tail: list[str] = []
    for sentence in reversed(window):
        candidate = [sentence, *tail]
        size = estimate_tokens(_join(candidate))
        if size > overlap_tokens or size > room:
            break
        tail = candidate
    return tail
