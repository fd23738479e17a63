"""Event triggers: a CRM import or a confirmed activity re-checks the alert rules on the touched accounts
in the same call (``bot.events.crm_changed`` -> the alerts skill's hook -> ``rescan_accounts``)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.adapters.console import console_message
from bot.config import get_settings
from bot.messages import Action, Message, Reply
from bot.outbox import OutboxMessage
from bot.runtime import Runtime
from bot.store import Store
from integrations.crm.viewer import Viewer
from skills.alerts.models import Alert
from skills.alerts.ruleset import spec_from_dict
from skills.alerts.engine import compile_rules
from skills.alerts.scan import local_today, run_scan
from skills.alerts.versions import active_rules, save_rule

MANAGER = Viewer(user_id="zhao.lei", role="manager", team_id="team-east", managed_team_ids=frozenset({"team-east"}))
# A new proposal on Huakang (the healthy control, id 7) quoted at 28 %: above the 25 % approval line.
DEEP_DISCOUNT = (
    "account_id,name,name_en,stage,amount,currency,expected_close,owner_id,discount_pct,is_key\n"
    "7,华康 冷链仓储网络,Huakang Cold-Chain Network,proposal,1800000,CNY,,zhou.xin,28,false\n"
)


def _rows(store: Store, model: type) -> list:
    with store.session() as s:
        return list(s.execute(select(model).order_by(model.id)).scalars())  # type: ignore[attr-defined]


@pytest.fixture
def cli_home(demo_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``dealpilot`` commands in this process work on the demo copy at ``demo_home``."""
    for name in [k for k in os.environ if k.startswith("DEALPILOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DEALPILOT_HOME", str(demo_home))
    monkeypatch.chdir(demo_home)  # no developer .env
    get_settings.cache_clear()
    yield demo_home
    get_settings.cache_clear()


def _import(home: Path, tmp_path: Path, *args: str) -> str:
    from integrations.crm.cli import app

    batch = tmp_path / "batch"
    batch.mkdir(exist_ok=True)
    (batch / "opportunities.csv").write_text(DEEP_DISCOUNT, encoding="utf-8")
    run = CliRunner().invoke(app, ["import", str(batch), *args])
    assert run.exit_code == 0, run.output
    return run.output


def test_an_import_that_makes_a_deal_match_a_rule_queues_the_alert_in_the_same_call(cli_home: Path, tmp_path: Path) -> None:
    output = _import(cli_home, tmp_path)
    assert "Reported the change on 1 account(s)" in output and "1 new alerts" in output
    store = Store.open(f"sqlite:///{cli_home / 'dealpilot.db'}")
    try:
        [alert] = _rows(store, Alert)  # only the imported deal: Huakang's other rules stay quiet
        assert alert.rule_name == "discount_approval" and alert.account_id == 7
        rows = _rows(store, OutboxMessage)
        assert sorted(r.recipient for r in rows) == ["user:chen.jing", "user:zhou.xin"]  # owner + manager
        reply = Reply.model_validate(rows[0].reply)
        assert reply.language == "zh" and "华康 冷链仓储网络" in reply.text and "28" in reply.text
        assert [b.action_id for b in reply.actions] == ["alerts:ack", "alerts:snooze", "alerts:not_useful"]
    finally:
        store.dispose()


@pytest.mark.parametrize("flag", ["--no-events", "--dry-run"])
def test_no_alert_without_events_or_on_a_dry_run(cli_home: Path, tmp_path: Path, flag: str) -> None:
    output = _import(cli_home, tmp_path, flag)
    assert "Reported the change" not in output
    store = Store.open(f"sqlite:///{cli_home / 'dealpilot.db'}")
    try:
        assert _rows(store, Alert) == [] and _rows(store, OutboxMessage) == []
    finally:
        store.dispose()


def _press(runtime: Runtime, user: str, action_id: str, value: str) -> Reply:
    return runtime.handle(Message(platform="console", user=user, channel="console",
                                  action=Action(action_id=action_id, value=value)))


@pytest.mark.parametrize(("text", "done"), [("/log 电话：客户说今年的财政预算年底前必须用完", "已记录"),
                                            ("/log call: the buyer says the budget must be spent by fiscal year end", "Logged")])
def test_a_confirmed_activity_rechecks_the_rules_at_once(runtime: Runtime, text: str, done: str) -> None:
    """A team rule ("budget talk at a manufacturer") fires the moment li.na confirms such a note on ACME."""
    spec = spec_from_dict({
        "name": "budget_talk", "description": "budget deadline mentioned at a manufacturer", "target": "account",
        "condition": 'industry == "manufacturing" and budget_deadline_notes_180d > 0',
        "messages": {"zh": "预算期限：{account}", "en": "Budget deadline: {account}"}, "recipients": ["owner"],
        "triggers": ["activity"],
    })
    save_rule(runtime.store, spec, viewer=MANAGER)
    [rule] = [r for r in compile_rules(active_rules(runtime.store))[0] if r.name == "budget_talk"]
    before = run_scan(runtime.store, today=local_today(runtime), runtime=runtime, account_ids=[1],
                      rules=[rule], write=False)
    assert before.fired == 0  # ACME has no budget talk yet
    preview = runtime.handle(console_message(f"{text} ACME", user="li.na"))
    assert preview.skill == "activity" and _rows(runtime.store, Alert) == []  # nothing before the confirm
    confirm = next(b for b in preview.actions if b.action_id == "activity:confirm")
    answer = _press(runtime, "li.na", confirm.action_id, confirm.value)
    assert done in answer.text
    [alert] = [a for a in _rows(runtime.store, Alert) if a.rule_name == "budget_talk"]
    assert alert.target == "account:1"
    assert [r.recipient for r in _rows(runtime.store, OutboxMessage) if r.idempotency_key.startswith(f"alert:{alert.id}:")] == ["user:li.na"]
