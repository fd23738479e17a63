"""Logging a touch from chat: preview first, written only on Confirm, audited, permission-checked."""

from __future__ import annotations

from bot import audit
from tests.conftest import press


def _touch_count(runtime, user: str, account: str) -> int:  # type: ignore[no-untyped-def]
    viewer = runtime.crm.viewer_for(user)
    [acc] = runtime.crm.find_accounts(viewer, account)
    return len(runtime.crm.list_activities(viewer, account_id=acc.id))


def test_log_previews_and_writes_nothing_yet(ask, runtime) -> None:
    before = _touch_count(runtime, "li.na", "ACME Manufacturing")
    reply = ask("/log 拜访了 ACME 采购负责人，确认续约意向", user="li.na", thread="t1")
    assert reply.skill == "activity" and "确认" in reply.text
    assert [a.action_id for a in reply.actions] == ["activity:confirm", "activity:cancel"]
    assert _touch_count(runtime, "li.na", "ACME Manufacturing") == before


def test_confirm_writes_once_and_audits(ask, runtime) -> None:
    before = _touch_count(runtime, "li.na", "ACME Manufacturing")
    preview = ask("/log visited ACME buyer, renewal confirmed", user="li.na", thread="t2")
    pending = preview.actions[0].value
    done = press(runtime, user="li.na", action_id="activity:confirm", value=pending, thread="t2")
    assert done.text == "Logged."
    assert _touch_count(runtime, "li.na", "ACME Manufacturing") == before + 1
    [entry] = [e for e in audit.entries(runtime.store) if e.action == "crm.log_activity"]
    assert entry.actor == "li.na" and entry.after["kind"] == "visit"
    again = press(runtime, user="li.na", action_id="activity:confirm", value=pending, thread="t2")
    assert "already handled" in again.text
    assert _touch_count(runtime, "li.na", "ACME Manufacturing") == before + 1


def test_cancel_writes_nothing(ask, runtime) -> None:
    before = _touch_count(runtime, "li.na", "ACME Manufacturing")
    preview = ask("/log called ACME about the quote", user="li.na", thread="t3")
    reply = press(runtime, user="li.na", action_id="activity:cancel", value=preview.actions[0].value, thread="t3")
    assert "nothing was written" in reply.text
    assert _touch_count(runtime, "li.na", "ACME Manufacturing") == before


def test_log_on_hidden_account_is_refused(ask) -> None:
    reply = ask("/log visited Globex", user="li.na", thread="t4")
    assert "Which account" in reply.text or "can't find" in reply.text
    assert not reply.actions


def test_log_uses_the_threads_account(ask) -> None:
    ask("brief me on ACME", user="li.na", thread="t5")
    reply = ask("/log called the buyer", user="li.na", thread="t5")
    assert "ACME Manufacturing" in reply.text and reply.actions
