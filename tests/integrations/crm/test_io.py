"""CRM import/export: round trips, and malformed batches that report file:line and change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.store import Store
from integrations.crm.bulk import crm_counts
from integrations.crm.io import ImportFailed, export_crm, import_crm
from integrations.crm.io_schema import ENTITIES, schema_markdown
from integrations.crm.local.crm import LocalCRM
from integrations.crm.local.models import Account, Contact

REPO = Path(__file__).resolve().parents[3]

# A tiny valid spreadsheet CRM; each malformed case below breaks exactly one thing in it.
VALID: dict[str, str] = {
    "teams.csv": "id,name_zh,name_en,manager_id\nt1,一组,Team One,boss\n",
    "users.csv": (
        "id,name,name_en,email,role,title,team_id,manager_id,language,active\n"
        "boss,老板,Boss,boss@x.example,manager,manager,t1,,zh,true\n"
        "ann,Ann Lee,Ann Lee,ann@x.example,rep,sales,t1,boss,en,true\n"
    ),
    "products.csv": "id,sku,name_zh,name_en,category,list_price\n1,SW-1,交换机,Switch,switching,1000\n",
    "accounts.csv": (
        "id,name_zh,name_en,aliases,industry,region,tier,owner_id,team_id,country,created_at,updated_at\n"
        "1,甲公司,Alpha Co,Alpha|甲,retail,east_china,A,ann,t1,CN,2024-01-02T03:04:05+00:00,\n"
        "2,乙公司,Beta Inc,,finance,emea,B,ann,t1,DE,,\n"
    ),
    "contacts.csv": (
        "id,account_id,name,name_en,title,email,phone,committee_role,influence,attitude,reports_to_id\n"
        '1,1,张三,Zhang San,"IT 总监\n（兼采购）",z@alpha.example,,technical_buyer,high,supporter,\n'
        "2,1,李四,Li Si,CEO,,,economic_buyer,high,neutral,\n"
    ),
    "opportunities.csv": (
        "id,account_id,name,name_en,stage,amount,currency,expected_close,owner_id,discount_pct,is_key,products,"
        "created_at,stage_changed_at,updated_at\n"
        "1,1,甲扩容,Alpha Expansion,proposal,500000,CNY,2030-06-30,ann,10,false,SW-1,,,\n"
    ),
    "orders.csv": "id,account_id,order_date,total_amount,currency\n1,1,2024-05-01,3000,CNY\n",
    "order_lines.csv": "id,order_id,product_id,quantity,unit_price,amount\n1,1,1,3,1000,3000\n",
}


def write_dir(path: Path, files: dict[str, str]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).write_text(text, encoding="utf-8")
    return path


def with_change(tmp_path: Path, name: str, text: str | None) -> Path:
    files = dict(VALID)
    if text is None:
        files.pop(name)
    else:
        files[name] = text
    return write_dir(tmp_path / "batch", files)


def counts(store: Store) -> dict[str, int]:
    with Session(store.engine) as s:
        return crm_counts(s)


def failed(store: Store, directory: Path) -> list[str]:
    before = counts(store)
    with pytest.raises(ImportFailed) as err:
        import_crm(store, directory)
    assert counts(store) == before  # nothing was written
    return [str(e) for e in err.value.errors]


def test_valid_batch_imports_and_line_numbers_survive_multiline_cells(empty_store: Store, tmp_path: Path) -> None:
    result = import_crm(empty_store, write_dir(tmp_path / "ok", VALID))
    assert result["accounts"] == 2 and result["order_lines"] == 1
    with Session(empty_store.engine) as s:
        alpha = s.get(Account, 1)
        assert alpha is not None and alpha.aliases == ["Alpha", "甲"] and alpha.created_at.tzinfo is not None
        assert s.get(Contact, 1).title == "IT 总监\n（兼采购）"  # type: ignore[union-attr]
    # The importer's rows are ordinary CRM rows: visible to their owner through LocalCRM.
    crm = LocalCRM(empty_store)
    viewer = crm.viewer_for("ann")
    assert viewer is not None
    assert [a.name_en for a in crm.list_accounts(viewer)] == ["Alpha Co", "Beta Inc"]


def test_bad_date(empty_store: Store, tmp_path: Path) -> None:
    bad = VALID["opportunities.csv"].replace("2030-06-30", "2030-13-45")
    errors = failed(empty_store, with_change(tmp_path, "opportunities.csv", bad))
    assert len(errors) == 1 and errors[0].startswith("opportunities.csv:2: expected_close: ")
    assert "date" in errors[0]


def test_unknown_enum_value(empty_store: Store, tmp_path: Path) -> None:
    bad = VALID["accounts.csv"].replace(",finance,", ",mining,")
    errors = failed(empty_store, with_change(tmp_path, "accounts.csv", bad))
    assert errors == [e for e in errors if e.startswith("accounts.csv:3: industry: ")] and len(errors) == 1
    assert "'manufacturing'" in errors[0] and "'mining'" in errors[0]


def test_missing_required_column(empty_store: Store, tmp_path: Path) -> None:
    lines = VALID["contacts.csv"].replace(",committee_role", "").replace(",technical_buyer", "").replace(",economic_buyer", "")
    errors = failed(empty_store, with_change(tmp_path, "contacts.csv", lines))
    assert "contacts.csv:1: committee_role: missing required column" in errors


def test_dangling_reference(empty_store: Store, tmp_path: Path) -> None:
    bad = VALID["contacts.csv"].replace("\n2,1,李四", "\n2,99,李四")
    errors = failed(empty_store, with_change(tmp_path, "contacts.csv", bad))
    # line 4: the header is line 1 and the first contact's quoted title spans lines 2-3
    assert errors == ["contacts.csv:4: account_id: 99 not found in accounts.id (neither in this import nor in the CRM)"]


def test_row_with_wrong_column_count(empty_store: Store, tmp_path: Path) -> None:
    bad = VALID["accounts.csv"].replace(",DE,,", ",DE,,,extra")
    errors = failed(empty_store, with_change(tmp_path, "accounts.csv", bad))
    assert errors == ["accounts.csv:3: -: row has 13 fields but the header has 12"]


def test_every_problem_is_reported_at_once(empty_store: Store, tmp_path: Path) -> None:
    files = dict(VALID)
    files["accounts.csv"] = files["accounts.csv"].replace(",A,ann,", ",Z,ann,")
    files["orders.csv"] = "id,account_id,order_date,total_amount,currency\n1,1,yesterday,3000,CNY\n"
    files["users.csv"] = files["users.csv"] + "ann,Dup,Dup,dup@x.example,rep,sales,t1,,en,maybe\n"
    errors = failed(empty_store, write_dir(tmp_path / "many", files))
    assert any(e.startswith("accounts.csv:2: tier: ") for e in errors)
    assert any(e.startswith("orders.csv:2: order_date: ") for e in errors)
    assert any(e.startswith("users.csv:4: active: ") for e in errors)


def test_duplicate_keys_and_wrong_totals(empty_store: Store, tmp_path: Path) -> None:
    files = dict(VALID)
    files["products.csv"] += "2,SW-1,交换机2,Switch 2,switching,10\n"
    files["order_lines.csv"] = "id,order_id,product_id,quantity,unit_price,amount\n1,1,1,3,1000,2999\n"
    errors = failed(empty_store, write_dir(tmp_path / "dups", files))
    assert "products.csv:3: sku: duplicate 'SW-1' (also on line 2)" in errors
    assert any(e.startswith("order_lines.csv:2: amount: 2999") for e in errors)
    assert any(e.startswith("orders.csv:2: total_amount: 3000") for e in errors)


def test_rows_that_already_exist_are_refused(demo_copy: Store, tmp_path: Path) -> None:
    directory = write_dir(tmp_path / "again", {"teams.csv": "id,name_zh,name_en,manager_id\nteam-east,华东,East,\n"})
    assert failed(demo_copy, directory) == ["teams.csv:2: id: 'team-east' already exists in the CRM"]


def test_unknown_file_and_non_utf8(empty_store: Store, tmp_path: Path) -> None:
    directory = write_dir(tmp_path / "odd", {"acounts.csv": "id\n1\n"})
    (directory / "teams.csv").write_bytes("id,name_zh,name_en,manager_id\nt1,一组,One,\n".encode("gbk"))
    errors = failed(empty_store, directory)
    assert any(e.startswith("acounts.csv:0: -: unknown file") for e in errors)
    assert "teams.csv:2: -: not UTF-8 text (save the file as UTF-8)" in errors


def test_json_batch_reports_lines(empty_store: Store, tmp_path: Path) -> None:
    records = [{"id": "t1", "name_zh": "一组", "name_en": "One"}, {"id": "t2", "name_zh": "二组"}]
    text = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]\n"
    directory = write_dir(tmp_path / "json", {"teams.json": text})
    assert failed(empty_store, directory) == ["teams.json:3: name_en: required value is missing"]
    write_dir(directory, {"teams.json": '[\n{"id": "t1", "name_zh": "一组", "name_en": "One"},\n{"id": \n]'})
    errors = failed(empty_store, directory)
    assert len(errors) == 1 and errors[0].startswith("teams.json:4: -: invalid JSON")


def test_dry_run_writes_nothing(empty_store: Store, tmp_path: Path) -> None:
    result = import_crm(empty_store, write_dir(tmp_path / "dry", VALID), dry_run=True)
    assert result["accounts"] == 2
    assert counts(empty_store)["crm_account"] == 0


def test_contacts_for_existing_accounts_get_fresh_ids(demo_copy: Store, tmp_path: Path) -> None:
    before = counts(demo_copy)["crm_contact"]
    directory = write_dir(tmp_path / "more", {"contacts.csv": (
        "account_id,name,committee_role,influence,attitude\n1,新联系人,finance,medium,neutral\n")})
    assert import_crm(demo_copy, directory) == {"contacts": 1}
    with Session(demo_copy.engine) as s:
        new = s.exec(select(Contact).where(Contact.name == "新联系人")).one()
    assert new.id == before + 1 and new.account_id == 1


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_is_identical(demo_store: Store, empty_store: Store, tmp_path: Path, fmt: str) -> None:
    first = export_crm(demo_store, tmp_path / "first", fmt=fmt)  # type: ignore[arg-type]
    assert first["order_lines"] >= 20000
    assert import_crm(empty_store, tmp_path / "first") == first
    export_crm(empty_store, tmp_path / "second", fmt=fmt)  # type: ignore[arg-type]
    for entity in ENTITIES:
        name = f"{entity.name}.{fmt}"
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name


def test_schema_covers_every_column() -> None:
    for entity in ENTITIES:
        table_columns = [c.name for c in entity.model.__table__.columns]  # type: ignore[attr-defined]
        assert sorted(entity.column_names) == sorted(table_columns), entity.name


def test_docs_match_the_schema() -> None:
    doc = (REPO / "docs" / "crm-import.md").read_text(encoding="utf-8")
    assert schema_markdown() in doc


def test_dealpilot_crm_import_exits_non_zero_with_file_and_line(tmp_path: Path) -> None:
    """The real console entry point (``dealpilot crm`` is mounted by bot.cli) in a fresh process."""
    home = tmp_path / "home"
    home.mkdir()
    bad = with_change(tmp_path, "accounts.csv", VALID["accounts.csv"].replace(",finance,", ",mining,"))
    env = {**os.environ, "DEALPILOT_HOME": str(home)}
    env.pop("DEALPILOT_DATABASE_URL", None)
    run = subprocess.run([sys.executable, "-m", "bot.cli", "crm", "import", str(bad)], cwd=home, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "accounts.csv:3: industry:" in run.stderr and "nothing was imported" in run.stderr


def test_cli_import_then_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from bot.config import get_settings
    from integrations.crm.cli import app

    monkeypatch.setenv("DEALPILOT_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DEALPILOT_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        run = runner.invoke(app, ["import", str(write_dir(tmp_path / "good", VALID))])
        assert run.exit_code == 0, run.output
        assert "accounts" in run.output and "total" in run.output
        run = runner.invoke(app, ["export", str(tmp_path / "out"), "--format", "json"])
        assert run.exit_code == 0, run.output
        accounts = json.loads((tmp_path / "out" / "accounts.json").read_text(encoding="utf-8"))
        assert [a["name_en"] for a in accounts] == ["Alpha Co", "Beta Inc"]
        assert runner.invoke(app, ["export", str(tmp_path / "x"), "--format", "xml"]).exit_code == 2
    finally:
        get_settings.cache_clear()
