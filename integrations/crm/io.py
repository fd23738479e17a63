"""Bring a spreadsheet CRM in (``import_crm``) and take the embedded CRM out (``export_crm``).

Import is all or nothing: every file and row is validated first (types, required fields, allowed
values, references to other files or to rows already in the database, keys, order totals), every
problem is reported as ``file:line: column: problem``, and only a clean batch is written, in one
transaction. The file schema lives in ``io_schema`` and is documented in docs/crm-import.md.
"""

from __future__ import annotations

from collections import defaultdict
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, create_model
from sqlalchemy import func, select
from sqlmodel import Session

from bot.errors import InvalidInput
from bot.store import Store
from integrations.crm.bulk import insert_rows, sync_id_sequences
from integrations.crm.io_files import RawFile, RowError, read_csv, read_json, write_csv, write_json
from integrations.crm.io_schema import ENTITIES, ENTITY_BY_NAME, LIST_SEPARATOR, Col, Entity, key_column

Format = Literal["csv", "json"]
MAX_SHOWN_ERRORS = 200


class ImportFailed(InvalidInput):
    """The batch had problems; nothing was imported. ``errors`` lists each one with file and line."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n".join(str(e) for e in errors[:MAX_SHOWN_ERRORS])
        more = len(errors) - MAX_SHOWN_ERRORS
        tail_zh = f"\n……另有 {more} 个问题" if more > 0 else ""
        tail_en = f"\n... and {more} more" if more > 0 else ""
        super().__init__(zh=f"导入失败，未导入任何数据（{len(errors)} 个问题）：\n{shown}{tail_zh}",
                         en=f"Import failed; nothing was imported ({len(errors)} problems):\n{shown}{tail_en}")


# --- row models ----------------------------------------------------------------------------------------

_PY_TYPES: dict[str, Any] = {"int": int, "float": float, "bool": bool, "date": date, "datetime": datetime,
                             "list": list[str], "json": list[dict[str, str]]}


def _field_type(col: Col) -> Any:
    if col.choices:
        return Literal[col.choices]  # type: ignore[valid-type]
    if col.type == "str":
        return Annotated[str, StringConstraints(pattern=col.pattern)] if col.pattern else str
    return _PY_TYPES[col.type]


def _row_model(entity: Entity) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for col in entity.columns:
        kind = _field_type(col)
        constraint = Field(default=... if col.required else None, ge=col.ge, le=col.le)
        fields[col.name] = (kind if col.required else kind | None, constraint)
    config = ConfigDict(extra="forbid", allow_inf_nan=False)
    return create_model(f"{entity.name}_row", __config__=config, **fields)


_MODELS: dict[str, type[BaseModel]] = {}


def row_model(entity: Entity) -> type[BaseModel]:
    if entity.name not in _MODELS:
        _MODELS[entity.name] = _row_model(entity)
    return _MODELS[entity.name]


# --- reading a directory ---------------------------------------------------------------------------------

def read_directory(directory: Path) -> tuple[dict[str, RawFile], list[RowError]]:
    """The entity files in ``directory`` (``<entity>.csv`` or ``.json``); unknown data files are errors."""
    if not directory.is_dir():
        return {}, [RowError(str(directory), 0, "-", "not a directory")]
    files: dict[str, RawFile] = {}
    errors: list[RowError] = []
    for path in sorted(directory.iterdir()):
        if path.suffix.lower() not in (".csv", ".json") or not path.is_file():
            continue
        entity = path.stem
        if entity not in ENTITY_BY_NAME:
            errors.append(RowError(path.name, 0, "-", "unknown file; expected one of "
                                   + ", ".join(f"{e.name}.csv" for e in ENTITIES)))
            continue
        if entity in files:
            errors.append(RowError(path.name, 0, "-", f"both {entity}.csv and {entity}.json given; keep one"))
            continue
        files[entity] = read_csv(path) if path.suffix.lower() == ".csv" else read_json(path)
    if not files and not errors:
        errors.append(RowError(str(directory), 0, "-", "no import files found (e.g. accounts.csv)"))
    return files, errors


# --- validation ------------------------------------------------------------------------------------------

def _prepare(col: Col, value: Any, csv_text: bool) -> Any:
    """Blank -> None; CSV lists split on ``|``; CSV JSON cells parsed."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if csv_text and col.type == "list":
        return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    if csv_text and col.type == "json":
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"invalid JSON: {exc.msg}") from None
    return value


def _check_row(entity: Entity, raw: RawFile, line: int, record: dict[str, Any],
               errors: list[RowError]) -> dict[str, Any] | None:
    """One record -> a dict of typed values, or ``None`` with its problems appended to ``errors``."""
    before = len(errors)
    values: dict[str, Any] = {}
    for key in record:
        if key not in entity.column_names:
            errors.append(RowError(raw.name, line, str(key), "unknown column"))
    for col in entity.columns:
        if col.name not in record:
            if col.required and raw.kind == "json":
                errors.append(RowError(raw.name, line, col.name, "required value is missing"))
            continue
        try:
            value = _prepare(col, record[col.name], raw.kind == "csv")
        except ValueError as exc:
            errors.append(RowError(raw.name, line, col.name, str(exc)))
            continue
        if value is None:
            if col.required:
                errors.append(RowError(raw.name, line, col.name, "required value is missing"))
            continue
        values[col.name] = value
    if len(errors) > before:
        return None
    try:
        row = row_model(entity).model_validate(values)
    except ValidationError as exc:
        for err in exc.errors():
            column = str(err["loc"][0]) if err["loc"] else "-"
            errors.append(RowError(raw.name, line, column, f"{err['msg']} (got {_shown(values.get(column))})"))
        return None
    out = {k: v for k, v in row.model_dump().items() if v is not None}
    for col in entity.columns:  # a datetime without a zone is taken as UTC
        if col.type == "datetime" and col.name in out and out[col.name].tzinfo is None:
            out[col.name] = out[col.name].replace(tzinfo=timezone.utc)
    return out


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Batch:
    """Validated rows per entity, with their lines, and look-ups of what already exists in the DB."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        self.files: dict[str, str] = {}
        self._existing: dict[tuple[str, str], set[Any]] = {}

    def existing(self, entity_name: str, column: str) -> set[Any]:
        key = (entity_name, column)
        if key not in self._existing:
            model = ENTITY_BY_NAME[entity_name].model
            self._existing[key] = set(self.session.execute(select(getattr(model, column))).scalars())
        return self._existing[key]

    def existing_keys(self, entity: Entity) -> set[tuple[Any, ...]]:
        cols = [getattr(entity.model, k) for k in entity.key]
        return {tuple(r) for r in self.session.execute(select(*cols))}

    def values(self, entity_name: str, column: str) -> set[Any]:
        return {row[column] for _, row in self.rows.get(entity_name, []) if column in row}


def _assign_ids(batch: _Batch, entity: Entity) -> None:
    rows = batch.rows.get(entity.name, [])
    if not entity.auto_id or not any("id" not in r for _, r in rows):
        return
    in_db = batch.session.execute(select(func.max(entity.model.id))).scalar() or 0  # type: ignore[attr-defined]
    next_id = max([in_db, *(r["id"] for _, r in rows if "id" in r)]) + 1
    for _, row in rows:
        if "id" not in row:
            row["id"] = next_id
            next_id += 1


def _check_keys(batch: _Batch, entity: Entity, errors: list[RowError]) -> None:
    file = batch.files[entity.name]
    in_db = batch.existing_keys(entity)
    for columns in (entity.key, *entity.unique):
        seen: dict[tuple[Any, ...], int] = {}
        existing = in_db if columns == entity.key else {
            tuple(r) for r in batch.session.execute(select(*(getattr(entity.model, c) for c in columns)))}
        for line, row in batch.rows[entity.name]:
            value = tuple(row.get(c) for c in columns)
            label = ", ".join(columns)
            if value in seen:
                errors.append(RowError(file, line, label, f"duplicate {value if len(value) > 1 else value[0]!r} "
                                                          f"(also on line {seen[value]})"))
            elif value in existing:
                errors.append(RowError(file, line, label, f"{value if len(value) > 1 else value[0]!r} already exists "
                                                          "in the CRM"))
            seen.setdefault(value, line)


def _check_references(batch: _Batch, entity: Entity, errors: list[RowError]) -> None:
    file = batch.files[entity.name]
    for col in entity.columns:
        if not col.ref:
            continue
        target, column = key_column(col.ref)
        known = batch.values(target, column) | batch.existing(target, column)
        for line, row in batch.rows[entity.name]:
            value = row.get(col.name)
            for item in (value if isinstance(value, list) else [value] if value is not None else []):
                if item not in known:
                    errors.append(RowError(file, line, col.name, f"{item!r} not found in {target}.{column} "
                                                                 "(neither in this import nor in the CRM)"))


def _check_amounts(batch: _Batch, errors: list[RowError]) -> None:
    """Line amount = quantity x unit price; an order's total = the sum of its lines in this import."""
    sums: dict[int, float] = defaultdict(float)
    for line, row in batch.rows.get("order_lines", []):
        if abs(row["quantity"] * row["unit_price"] - row["amount"]) > 0.005:
            errors.append(RowError(batch.files["order_lines"], line, "amount",
                                   f"{row['amount']} is not quantity x unit_price ({row['quantity'] * row['unit_price']})"))
        sums[row["order_id"]] += row["amount"]
    for line, row in batch.rows.get("orders", []):
        if row["id"] in sums and abs(sums[row["id"]] - row["total_amount"]) > 0.005:
            errors.append(RowError(batch.files["orders"], line, "total_amount",
                                   f"{row['total_amount']} is not the sum of its lines ({round(sums[row['id']], 2)})"))


def validate_batch(session: Session, files: dict[str, RawFile]) -> tuple[_Batch, list[RowError]]:
    """Check every file and row; returns the typed rows and every problem found."""
    batch = _Batch(session)
    errors: list[RowError] = []
    for entity in ENTITIES:
        raw = files.get(entity.name)
        if raw is None:
            continue
        batch.files[entity.name] = raw.name
        errors.extend(raw.errors)
        if raw.kind == "csv" and raw.header:
            header_errors = _check_header(entity, raw)
            errors.extend(header_errors)
            if header_errors:
                continue
        for line, record in raw.records:
            row = _check_row(entity, raw, line, record, errors)
            if row is not None:
                batch.rows[entity.name].append((line, row))
    for entity in ENTITIES:
        if entity.name in batch.files:
            _assign_ids(batch, entity)
    for entity in ENTITIES:
        if entity.name in batch.files:
            _check_keys(batch, entity, errors)
            _check_references(batch, entity, errors)
    _check_amounts(batch, errors)
    order = {e.name: i for i, e in enumerate(ENTITIES)}
    by_file = {raw.name: order.get(name, -1) for name, raw in files.items()}
    errors.sort(key=lambda e: (by_file.get(e.file, -1), e.file, e.line))
    return batch, errors


def _check_header(entity: Entity, raw: RawFile) -> list[RowError]:
    errors: list[RowError] = []
    known = entity.column_names
    seen: set[str] = set()
    for name in raw.header:
        if name in seen:
            errors.append(RowError(raw.name, 1, name, "duplicate column"))
        elif name not in known:
            errors.append(RowError(raw.name, 1, name or "-", f"unknown column (expected: {', '.join(known)})"))
        seen.add(name)
    for col in entity.columns:
        if col.required and col.name not in seen:
            errors.append(RowError(raw.name, 1, col.name, "missing required column"))
    return errors


# --- import / export ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: rows per entity file, and every account the new rows belong to."""

    counts: dict[str, int]
    account_ids: frozenset[int]


def import_crm(store: Store, directory: Path, *, dry_run: bool = False) -> dict[str, int]:
    """Validate every file in ``directory`` and, if all is well, write it all in one transaction.

    Returns:
        rows imported (or, with ``dry_run``, that would be) per entity file.

    Raises:
        ImportFailed: with every problem found; the database is unchanged.
    """
    return import_batch(store, directory, dry_run=dry_run).counts


def import_batch(store: Store, directory: Path, *, dry_run: bool = False) -> ImportResult:
    """``import_crm`` that also says which accounts the batch touched (for ``bot.events.crm_changed``)."""
    files, errors = read_directory(Path(directory))
    with store.session() as session:
        batch, row_errors = validate_batch(session, files)
        errors = errors + row_errors
        if errors:
            raise ImportFailed(errors)
        counts = {e.name: len(batch.rows.get(e.name, [])) for e in ENTITIES if e.name in batch.files}
        touched = touched_accounts(batch)
        if dry_run:
            session.rollback()
            return ImportResult(counts, touched)
        for entity in ENTITIES:
            if batch.rows.get(entity.name):
                insert_rows(session, entity.model, [row for _, row in batch.rows[entity.name]])
        sync_id_sequences(session)
    return ImportResult(counts, touched)


def touched_accounts(batch: _Batch) -> frozenset[int]:
    """Accounts of the batch's rows: their own ``account_id``, or through their deal or order."""
    rows = batch.rows
    ids = {row["id"] for _, row in rows.get("accounts", [])}
    ids |= {row["account_id"] for rows_ in rows.values() for _, row in rows_ if row.get("account_id") is not None}
    deal_ids = {row["opportunity_id"] for rows_ in rows.values() for _, row in rows_
                if row.get("opportunity_id") is not None and row.get("account_id") is None}
    order_ids = {row["order_id"] for _, row in rows.get("order_lines", [])}
    for ref_ids, entity_name in ((deal_ids, "opportunities"), (order_ids, "orders")):
        if not ref_ids:
            continue
        in_batch = {row["id"]: row["account_id"] for _, row in rows.get(entity_name, [])}
        ids |= {in_batch[i] for i in ref_ids if i in in_batch}
        missing = ref_ids - in_batch.keys()
        if missing:
            model = ENTITY_BY_NAME[entity_name].model
            ids |= set(batch.session.execute(
                select(model.account_id).where(model.id.in_(sorted(missing)))  # type: ignore[attr-defined]
            ).scalars())
    return frozenset(int(i) for i in ids)


def export_crm(store: Store, directory: Path, *, fmt: Format = "csv") -> dict[str, int]:
    """Write one file per entity (every row, ordered by key) into ``directory``; returns row counts."""
    if fmt not in ("csv", "json"):
        raise InvalidInput(zh=f"不支持的格式：{fmt}（可选 csv 或 json）", en=f"Unknown format {fmt!r} (use csv or json).")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    with store.session() as session:
        for entity in ENTITIES:
            table = entity.model.__table__  # type: ignore[attr-defined]
            order = [table.columns[k] for k in entity.key]
            rows = [dict(r._mapping) for r in session.execute(select(table).order_by(*order))]
            path = directory / f"{entity.name}.{fmt}"
            (write_csv if fmt == "csv" else write_json)(path, list(entity.columns), rows)
            counts[entity.name] = len(rows)
    return counts
