"""Relative due dates in both languages, against fixed days (no clock involved)."""

from __future__ import annotations

from datetime import date

import pytest

from skills.warroom.dates import find_due_date
from skills.warroom.tasks import match_users, parse_risk, parse_task

WED = date(2026, 12, 2)  # a Wednesday
FRI = date(2026, 12, 4)  # a Friday


@pytest.mark.parametrize(("text", "today", "expected"), [
    ("今天", WED, date(2026, 12, 2)),
    ("明天", WED, date(2026, 12, 3)),
    ("后天", WED, date(2026, 12, 4)),
    ("周五前", WED, date(2026, 12, 4)),
    ("周五前", FRI, date(2026, 12, 4)),  # a bare weekday includes today
    ("星期一", WED, date(2026, 12, 7)),
    ("下周一", WED, date(2026, 12, 7)),
    ("下周五", WED, date(2026, 12, 11)),
    ("本月底", WED, date(2026, 12, 31)),
    ("3天内", WED, date(2026, 12, 5)),
    ("三天内", WED, date(2026, 12, 5)),
    ("12月5日", WED, date(2026, 12, 5)),
    ("1月3号", WED, date(2027, 1, 3)),  # passed this year -> next year
    ("2026-12-05", WED, date(2026, 12, 5)),
    ("today", WED, date(2026, 12, 2)),
    ("tomorrow", WED, date(2026, 12, 3)),
    ("by Friday", WED, date(2026, 12, 4)),
    ("by friday", FRI, date(2026, 12, 4)),
    ("next Monday", WED, date(2026, 12, 7)),
    ("next monday", date(2026, 12, 6), date(2026, 12, 7)),  # said on a Sunday
    ("in 3 days", WED, date(2026, 12, 5)),
    ("within two days", WED, date(2026, 12, 4)),
    ("end of month", WED, date(2026, 12, 31)),
    ("by the end of the month", date(2027, 2, 10), date(2027, 2, 28)),
    ("Dec 24", WED, date(2026, 12, 24)),
])
def test_due_dates(text: str, today: date, expected: date) -> None:
    found = find_due_date(text, today=today)
    assert found is not None and found.day == expected


@pytest.mark.parametrize("text", ["send the quote to Sun Lei", "update the SLA draft", "2026-13-45", "给张总发技术方案"])
def test_no_date_when_none_is_written(text: str) -> None:
    assert find_due_date(text, today=WED) is None


def test_chinese_task_parses_title_due_and_owner() -> None:
    parsed = parse_task("@DealPilot 任务：周五前给张总发技术方案 @李四", today=WED)
    assert parsed.title == "给张总发技术方案" and parsed.due == FRI and parsed.owner == "李四"


def test_english_task_parses_title_due_and_owner() -> None:
    parsed = parse_task("task: send the revised quote to Maria by Friday @bob", today=WED)
    assert parsed.title == "send the revised quote to Maria" and parsed.due == FRI and parsed.owner == "bob"


def test_task_without_date_or_owner() -> None:
    parsed = parse_task("/task ignored", today=WED, command=True)
    assert parsed.due is None and parsed.owner is None


def test_risk_parses_title_and_owner() -> None:
    assert parse_risk("风险：财务总监还没接触 @王伟") == ("财务总监还没接触", "王伟")


def test_mentions_match_ids_names_and_first_names() -> None:
    from integrations.crm.entities import UserRecord

    users = [UserRecord(id="li.si", name="李四", name_en="Li Si", email="li.si@x"),
             UserRecord(id="bob.smith", name="Bob Smith", name_en="Bob Smith", email="bob.smith@x"),
             UserRecord(id="li.na", name="李娜", name_en="Li Na", email="li.na@x")]
    assert [u.id for u in match_users("李四", users)] == ["li.si"]
    assert [u.id for u in match_users("bob", users)] == ["bob.smith"]
    assert [u.id for u in match_users("li.si", users)] == ["li.si"]
    assert {u.id for u in match_users("li", users)} == {"li.si", "li.na"}  # ambiguous: the caller asks
    assert [u.id for u in match_users("U0LISI", users, platform_ids={"U0LISI": "li.si"})] == ["li.si"]
    assert match_users("nobody", users) == []
