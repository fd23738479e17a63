"""Reading and writing the import/export files, keeping each record's line number for error reports.

CSV is UTF-8 with a BOM on export (so spreadsheet tools show Chinese correctly; a BOM is optional
on import), RFC 4180 quoting, header on line 1. JSON is a list of objects, one object per line on
export. Both readers return ``(line, record)`` pairs where ``line`` is where the record starts in
the file, which is what a person fixing a spreadsheet needs to see.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from integrations.crm.io_schema import LIST_SEPARATOR, Col


@dataclass(frozen=True)
class RowError:
    """One problem, printed as ``file:line: column: problem``."""

    file: str
    line: int
    column: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.problem}"


@dataclass
class RawFile:
    """A file's records before validation (CSV cells are strings, JSON values keep their types)."""

    name: str
    kind: str  # "csv" | "json"
    header: list[str] = field(default_factory=list)  # CSV only
    records: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _decode(path: Path, errors: list[RowError]) -> str | None:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.append(RowError(path.name, line, "-", "not UTF-8 text (save the file as UTF-8)"))
        return None


def read_csv(path: Path) -> RawFile:
    raw = RawFile(path.name, "csv")
    text = _decode(path, raw.errors)
    if text is None:
        return raw
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        raw.header = next(reader, [])
        if not raw.header:
            raw.errors.append(RowError(path.name, 1, "-", "empty file: a header row is required"))
            return raw
        while True:
            start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not row or all(not cell.strip() for cell in row):
                continue  # blank lines are allowed
            if len(row) != len(raw.header):
                raw.errors.append(RowError(path.name, start, "-",
                                           f"row has {len(row)} fields but the header has {len(raw.header)}"))
                continue
            raw.records.append((start, dict(zip(raw.header, row))))
    except csv.Error as exc:
        raw.errors.append(RowError(path.name, reader.line_num, "-", f"malformed CSV: {exc}"))
    return raw


def read_json(path: Path) -> RawFile:
    raw = RawFile(path.name, "json")
    text = _decode(path, raw.errors)
    if text is None:
        return raw
    decoder = json.JSONDecoder()

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    counted = [0, 1]  # position up to which newlines are counted, and the line there

    def line_at(i: int) -> int:
        """Line of position ``i``; positions only move forward, so counting is linear overall."""
        if i < counted[0]:
            return text.count("\n", 0, i) + 1
        counted[1] += text.count("\n", counted[0], i)
        counted[0] = i
        return counted[1]

    i = skip(0)
    if i >= len(text) or text[i] != "[":
        raw.errors.append(RowError(path.name, line_at(i), "-", "expected a JSON list of objects"))
        return raw
    i = skip(i + 1)
    if i < len(text) and text[i] == "]":
        return raw
    while True:
        start = i
        try:
            obj, i = decoder.raw_decode(text, i)
        except json.JSONDecodeError as exc:
            raw.errors.append(RowError(path.name, exc.lineno, "-", f"invalid JSON: {exc.msg}"))
            return raw
        if isinstance(obj, dict):
            raw.records.append((line_at(start), obj))
        else:
            raw.errors.append(RowError(path.name, line_at(start), "-", "each record must be a JSON object"))
        i = skip(i)
        if i < len(text) and text[i] == ",":
            i = skip(i + 1)
            continue
        if i < len(text) and text[i] == "]":
            if skip(i + 1) < len(text):
                raw.errors.append(RowError(path.name, line_at(skip(i + 1)), "-", "unexpected text after the list"))
            return raw
        raw.errors.append(RowError(path.name, line_at(i), "-", "expected ',' or ']' after a record"))
        return raw


# --- writing ---------------------------------------------------------------------------------------

def _iso(value: date | datetime) -> str:
    return value.isoformat()


def csv_cell(col: Col, value: Any) -> str:
    """A stored value as CSV text; deterministic, so export -> import -> export is identical."""
    if value is None:
        return ""
    if col.type == "bool":
        return "true" if value else "false"
    if col.type == "float":
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    if col.type in ("date", "datetime"):
        return _iso(value)
    if col.type == "list":
        return LIST_SEPARATOR.join(value)
    if col.type == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def json_value(col: Col, value: Any) -> Any:
    if value is None:
        return None
    if col.type in ("date", "datetime"):
        return _iso(value)
    if col.type == "float":
        return float(value)
    return value


def write_csv(path: Path, columns: list[Col], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow([c.name for c in columns])
        for row in rows:
            writer.writerow([csv_cell(c, row[c.name]) for c in columns])


def write_json(path: Path, columns: list[Col], rows: list[dict[str, Any]]) -> None:
    lines = [json.dumps({c.name: json_value(c, row[c.name]) for c in columns}, ensure_ascii=False, sort_keys=False)
             for row in rows]
    body = "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"
    path.write_text(body, encoding="utf-8")
