"""Reading files into documents: md, txt, pdf, docx, html, with YAML front-matter for metadata.

Every failure is a ``DocumentError`` with a short reason, so an ingest can report it per file and
carry on with the rest. Headings are kept as markdown ``#`` lines whatever the format, so that
chunking can record each passage's section for citations.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.lang import detect_language

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".md", ".markdown", ".txt", ".pdf", ".docx", ".html", ".htm"})
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_MIN_TEXT_CHARS = 20
_META_KEYS = ("industry", "region", "outcome", "date")


class DocumentError(Exception):
    """A file that cannot become a document; ``reason`` is a short code, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class SourceDocument:
    """A file's text and metadata, ready for chunking."""

    doc_id: str
    source: str
    path: Path
    title: str
    text: str
    language: str
    content_hash: str
    visibility: tuple[str, ...] = ("all",)
    metadata: dict[str, Any] = field(default_factory=dict)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_document(path: Path, *, source: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceDocument:
    """Read one file.

    Args:
        path: the file.
        source: how citations name it (defaults to the path as given).
        max_bytes: larger files are refused before they are read.

    Raises:
        DocumentError: unsupported type, too large, empty, binary or unreadable.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError("unsupported", f"unsupported file type {suffix or '(none)'}")
    size = path.stat().st_size
    if size > max_bytes:
        raise DocumentError("too_large", f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit")
    if size == 0:
        raise DocumentError("empty", "file is empty")
    data = path.read_bytes()
    if suffix == ".pdf":
        front, body = {}, _pdf_text(data)
    elif suffix == ".docx":
        front, body = _docx_text(path)
    else:
        text = _decode_text(data)
        if suffix in (".html", ".htm"):
            front, body = _html_text(text)
        else:
            front, body = _front_matter(text)
    body = body.strip()
    if len(re.sub(r"\s+", "", body)) < _MIN_TEXT_CHARS:
        raise DocumentError("empty", "no readable text")
    return _document(path, source or str(path), front, body, content_hash(data))


def _document(path: Path, source: str, front: dict[str, Any], body: str, digest: str) -> SourceDocument:
    title = str(front.get("title") or _first_heading(body) or path.stem).strip()
    language = str(front.get("language") or "").lower()
    if language not in ("zh", "en"):
        language = detect_language(body[:2000], default="en")
    meta: dict[str, Any] = {k: _scalar(front[k]) for k in _META_KEYS if front.get(k) not in (None, "")}
    if "outcome" in meta:
        meta["outcome"] = str(meta["outcome"]).lower()
    tags = front.get("tags") or []
    meta["tags"] = [str(t) for t in (tags if isinstance(tags, list) else str(tags).split(","))]
    return SourceDocument(
        doc_id=path.stem,
        source=source,
        path=path,
        title=title,
        text=body,
        language=language,
        content_hash=digest,
        visibility=parse_visibility(front.get("visibility")),
        metadata=meta,
    )


def parse_visibility(value: Any) -> tuple[str, ...]:
    """Front-matter ``visibility`` (a list or a comma string of team ids, or ``all``) as a tuple.

    A document without the field is visible to everyone: the case library is company know-how,
    and restricted material must say so explicitly.
    """
    if value in (None, "", []):
        return ("all",)
    items = value if isinstance(value, list) else str(value).split(",")
    teams = tuple(sorted({str(v).strip() for v in items if str(v).strip()}))
    return ("all",) if not teams or "all" in teams else teams


def _scalar(value: Any) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _decode_text(data: bytes) -> str:
    head = data[:8192]
    if b"\x00" in head:
        raise DocumentError("binary", "looks like a binary file, not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:4000] if ord(ch) < 32 and ch not in "\n\r\t\f")
        if controls > 8:
            raise DocumentError("binary", "looks like a binary file, not text")
        return text
    raise DocumentError("binary", "not valid UTF-8 or GB18030 text")


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    if not text.lstrip().startswith("---"):
        return {}, text
    import frontmatter
    import yaml

    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        raise DocumentError("bad_front_matter", f"front-matter is not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(post.metadata, dict):
        raise DocumentError("bad_front_matter", "front-matter must be a mapping")
    return dict(post.metadata), post.content


def _first_heading(body: str) -> str | None:
    match = re.search(r"^#\s+(.+)$", body, flags=re.MULTILINE)
    return match.group(1).strip() if match else None


def _pdf_text(data: bytes) -> str:
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("encrypted", "PDF is encrypted")
        return "\n\n".join((page.extract_text() or "") for page in reader.pages)
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise DocumentError("corrupt", f"cannot read PDF: {type(exc).__name__}") from exc


def _docx_text(path: Path) -> tuple[dict[str, Any], str]:
    import zipfile

    import docx
    from docx.opc.exceptions import OpcError

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, OpcError, KeyError, ValueError) as exc:
        raise DocumentError("corrupt", f"cannot read DOCX: {type(exc).__name__}") from exc
    lines: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name or "").lower() if para.style is not None else ""
        if style.startswith("heading") or style == "title":
            level = 1 if style == "title" else max(1, min(6, int(re.sub(r"\D", "", style) or 2)))
            lines.append(f"{'#' * level} {text}")
        else:
            lines.append(text)
    front = {"title": document.core_properties.title} if document.core_properties.title else {}
    return front, "\n\n".join(lines)


def _html_text(html: str) -> tuple[dict[str, Any], str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    front: dict[str, Any] = {}
    if soup.title and soup.title.string:
        front["title"] = soup.title.string.strip()
    for meta in soup.find_all("meta"):
        name, value = (meta.get("name") or "").lower(), meta.get("content")
        if name in ("industry", "region", "outcome", "date", "language", "visibility", "tags") and value:
            front[name] = value if name not in ("tags", "visibility") else [v.strip() for v in value.split(",")]
    for level in range(1, 7):
        for heading in soup.find_all(f"h{level}"):
            heading.replace_with(f"\n\n{'#' * level} {heading.get_text(' ', strip=True)}\n\n")
    for block in soup.find_all(["p", "li", "tr", "div", "br"]):
        block.insert_after("\n")
    body = soup.body or soup
    text = re.sub(r"\n\s*\n+", "\n\n", body.get_text())
    return front, text
