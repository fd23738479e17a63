"""Loading files: front-matter, every supported format, and the per-file failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.documents import DocumentError, load_document
from tests.knowledge.conftest import EN_CASE, ZH_CASE


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in Helvetica, written by hand (offsets computed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_markdown_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "zh-supermarket-winback.md"
    path.write_text(ZH_CASE, encoding="utf-8")
    doc = load_document(path)
    assert doc.doc_id == "zh-supermarket-winback"
    assert doc.title == "连锁超市被竞品低价挖走后赢回"
    assert doc.language == "zh"
    assert doc.metadata["outcome"] == "won" and doc.metadata["industry"] == "retail"
    assert doc.metadata["date"] == "2024-05-01"
    assert doc.metadata["tags"] == ["competitor_price_cut", "win_back"]
    assert doc.visibility == ("all",)
    assert "## 背景" in doc.text and "---" not in doc.text


def test_visibility_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("---\nvisibility: [team-east, team-gov]\n---\n# Pricing notes\n\nOnly for two teams, with enough words here.", encoding="utf-8")
    doc = load_document(path)
    assert doc.visibility == ("team-east", "team-gov")
    assert doc.title == "Pricing notes" and doc.language == "en"
    path2 = tmp_path / "plain.txt"
    path2.write_text("没有任何前言的纯文本文件，内容足够长，可以被读取和切分。", encoding="utf-8")
    doc2 = load_document(path2)
    assert doc2.title == "plain" and doc2.language == "zh" and doc2.visibility == ("all",)


def test_pdf_docx_html(tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(minimal_pdf("Competitor price cut case study for the renewal"))
    assert "Competitor price cut case study" in load_document(pdf).text

    import docx

    document = docx.Document()
    document.core_properties.title = "Tender lessons"
    document.add_heading("Background", level=2)
    document.add_paragraph("The city tender was won on technical scoring, not on price.")
    path = tmp_path / "tender.docx"
    document.save(str(path))
    doc = load_document(path)
    assert doc.title == "Tender lessons"
    assert "## Background" in doc.text and "technical scoring" in doc.text

    html = tmp_path / "page.html"
    html.write_text(
        "<html><head><title>POC 案例</title><meta name='outcome' content='lost'><script>var x=1;</script></head>"
        "<body><h2>挑战</h2><p>银行的 POC 一再延期，最后没有成交。</p><style>p{}</style></body></html>",
        encoding="utf-8",
    )
    doc = load_document(html)
    assert doc.title == "POC 案例" and doc.metadata["outcome"] == "lost"
    assert "## 挑战" in doc.text and "var x" not in doc.text and doc.language == "zh"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> garbage", "corrupt"),
        ("empty.md", b"", "empty"),
        ("blank.txt", b"   \n\n  ", "empty"),
        ("blob.txt", bytes(range(256)) * 4, "binary"),
        ("image.png", b"\x89PNG\r\n", "unsupported"),
        ("broken.docx", b"PK not really a zip", "corrupt"),
        ("bad-front.md", b"---\ntitle: [unclosed\n---\nbody text that is long enough to count", "bad_front_matter"),
        ("only-front.md", b"---\ntitle: x\n---\n", "empty"),
    ],
)
def test_bad_files_fail_with_a_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError) as info:
        load_document(path)
    assert info.value.reason == reason
    assert str(info.value)


def test_large_file_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB on paper, nothing on disk
    with pytest.raises(DocumentError) as info:
        load_document(path)
    assert info.value.reason == "too_large" and "50" in str(info.value)


def test_english_case_fixture(tmp_path: Path) -> None:
    path = tmp_path / "en-hospital-renewal.md"
    path.write_text(EN_CASE, encoding="utf-8")
    doc = load_document(path)
    assert doc.language == "en" and doc.metadata["tags"] == ["renewal", "multi_stakeholder"]
