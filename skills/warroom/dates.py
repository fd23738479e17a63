"""Due dates people actually type, in Chinese and English, resolved against an explicit ``today``.

Why ``today`` is a parameter everywhere: "by Friday" means a different day every day, and tests
(and a scheduler in another time zone) must be able to say which day "today" is without mocking
the clock. Conventions (documented in docs/warroom.md):

* a bare weekday ("周五", "by Friday") is the next such day, today included;
* "下周一" / "next Monday" is that weekday in the next calendar week (weeks start on Monday);
* "3天内" / "in 3 days" / "within 3 days" is today + 3;
* "本月底" / "end of month" is the month's last day.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_EN_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "thursday": 3,
    "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sunday": 6,
}
"""Short forms that are also names or words ("Sun Lei", "sat", "mon") are left out on purpose."""
_EN_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name} | {
    name.lower(): i for i, name in enumerate(calendar.month_abbr) if name
}


@dataclass(frozen=True)
class DueDate:
    """A resolved date and the exact text it came from (removed from the task title)."""

    day: date
    matched: str


def zh_number(text: str) -> int | None:
    """``"3"`` / ``"三"`` / ``"十二"`` / ``"二十"`` -> int; ``None`` if it is not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _ZH_DIGITS and ch != "十" for ch in text):
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_ZH_DIGITS[tens] if tens else 1) * 10 + (_ZH_DIGITS[ones] if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _ZH_DIGITS[ch]
    return value


def next_weekday(today: date, weekday: int) -> date:
    """The next ``weekday`` (0 = Monday), today included."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def weekday_next_week(today: date, weekday: int) -> date:
    """``weekday`` in the calendar week after this one."""
    monday_next = today - timedelta(days=today.weekday()) + timedelta(days=7)
    return monday_next + timedelta(days=weekday)


def end_of_month(today: date) -> date:
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(today: date, month: int, day: int) -> date | None:
    """A month/day without a year: this year, or next year when it has passed."""
    found = _safe_date(today.year, month, day)
    if found is not None and found < today:
        found = _safe_date(today.year + 1, month, day)
    return found


_NUM = r"(\d+|[零〇一二两三四五六七八九十]+)"

# (pattern, resolver) in priority order; each resolver gets the match and today.
_RULES: list[tuple[re.Pattern[str], object]] = [
    (re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?"),
     lambda m, t: _safe_date(int(m[1]), int(m[2]), int(m[3]))),
    (re.compile(r"(\d{1,2})月(\d{1,2})[日号]"), lambda m, t: _month_day(t, int(m[1]), int(m[2]))),
    (re.compile(r"(?:本|这个|这)?月底|月末"), lambda m, t: end_of_month(t)),
    (re.compile(r"下(?:个)?(?:周|星期|礼拜)([一二三四五六日天])"), lambda m, t: weekday_next_week(t, _ZH_WEEKDAYS[m[1]])),
    (re.compile(r"(?:本|这)?(?:周|星期|礼拜)([一二三四五六日天末])"), lambda m, t: next_weekday(t, _ZH_WEEKDAYS[m[1]])),
    (re.compile(_NUM + r"\s*(?:个)?(?:天|日)(?:之)?[内后]"), lambda m, t: _plus_days(t, zh_number(m[1]))),
    (re.compile(r"大后天"), lambda m, t: t + timedelta(days=3)),
    (re.compile(r"后天"), lambda m, t: t + timedelta(days=2)),
    (re.compile(r"明天|明日"), lambda m, t: t + timedelta(days=1)),
    (re.compile(r"今天|今日"), lambda m, t: t),
    (re.compile(r"\b(\d{1,2})/(\d{1,2})\b"), lambda m, t: _month_day(t, int(m[1]), int(m[2]))),
    (re.compile(r"\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month\b", re.I), lambda m, t: end_of_month(t)),
    (re.compile(r"\bnext\s+(" + "|".join(_EN_WEEKDAYS) + r")\b", re.I),
     lambda m, t: weekday_next_week(t, _EN_WEEKDAYS[m[1].lower()])),
    (re.compile(r"\b(?:this\s+)?(" + "|".join(_EN_WEEKDAYS) + r")\b", re.I),
     lambda m, t: next_weekday(t, _EN_WEEKDAYS[m[1].lower()])),
    (re.compile(r"\b(?:in|within)\s+(\d+|a|one|two|three|four|five|six|seven|ten)\s+days?\b", re.I),
     lambda m, t: _plus_days(t, _en_number(m[1]))),
    (re.compile(r"\bin\s+(\d+|a|one|two)\s+weeks?\b", re.I), lambda m, t: _plus_days(t, 7 * (_en_number(m[1]) or 0))),
    (re.compile(r"\bday\s+after\s+tomorrow\b", re.I), lambda m, t: t + timedelta(days=2)),
    (re.compile(r"\btomorrow\b", re.I), lambda m, t: t + timedelta(days=1)),
    (re.compile(r"\btoday\b|\btonight\b|\beod\b", re.I), lambda m, t: t),
    (re.compile(r"\b(" + "|".join(_EN_MONTHS) + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b", re.I),
     lambda m, t: _month_day(t, _EN_MONTHS[m[1].lower()], int(m[2]))),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(_EN_MONTHS) + r")\b", re.I),
     lambda m, t: _month_day(t, _EN_MONTHS[m[2].lower()], int(m[1]))),
]

_EN_NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10}


def _en_number(text: str) -> int | None:
    return int(text) if text.isdigit() else _EN_NUMBERS.get(text.lower())


def _plus_days(today: date, days: int | None) -> date | None:
    return None if days is None or days > 3650 else today + timedelta(days=days)


def find_due_date(text: str, *, today: date) -> DueDate | None:
    """The first date expression in ``text`` resolved against ``today``, or ``None``.

    Args:
        text: the task text ("周五前给张总发技术方案", "send the quote by Friday").
        today: the day relative dates count from (the room's local date).
    """
    for pattern, resolve in _RULES:
        match = pattern.search(text)
        if match is None:
            continue
        day = resolve(match, today)  # type: ignore[operator]
        if day is not None:
            return DueDate(day=day, matched=match.group(0))
    return None
