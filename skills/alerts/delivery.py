"""From a firing to outbox rows: who gets it, in which language, with which buttons.

Recipients are resolved when the alert is created (owner, the owner's manager, the deal's
war-room), each message is written in the recipient's language, and every row goes into the
outbox in the same transaction as the alert, keyed ``alert:<id>:<recipient>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from bot.messages import Button, Buttons, Context, Header, Reply, Section
from bot.outbox import channel_recipient, enqueue, user_recipient
from integrations.crm.local.models import Team, User
from skills.alerts.engine import Firing

SEVERITY_MARK = {"high": "🔴", "medium": "🟠", "low": "🟡"}


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    name_en: str
    language: str
    manager_id: str | None
    active: bool


class Directory:
    """Users and their managers, loaded once per scan (delivery needs names, languages, managers)."""

    def __init__(self, store: Any, *, war_room: Any = None) -> None:
        with store.session() as s:
            users = s.exec(select(User)).all()
            teams = {t.id: t.manager_id for t in s.exec(select(Team)).all()}
        self.people = {
            u.id: Person(u.id, u.name, u.name_en or u.name, u.language if u.language in ("zh", "en") else "zh",
                         u.manager_id or (teams.get(u.team_id) if u.team_id else None), u.active)
            for u in users
        }
        for pid, person in list(self.people.items()):
            if person.manager_id == pid:  # a manager's "manager" is not themselves
                self.people[pid] = Person(pid, person.name, person.name_en, person.language, None, person.active)
        self.war_room = war_room

    def recipients(self, firing: Firing) -> list[str]:
        """Outbox recipients for a firing, de-duplicated, inactive people skipped."""
        owner = self.people.get(firing.row.owner_id)
        out: list[str] = []
        for kind in firing.rule.spec.recipients:
            if kind == "owner" and owner and owner.active:
                out.append(user_recipient(owner.id))
            elif kind == "manager" and owner and owner.manager_id:
                manager = self.people.get(owner.manager_id)
                if manager and manager.active:
                    out.append(user_recipient(manager.id))
            elif kind == "war_room" and firing.row.opportunity_id is not None:
                channel = self._room(firing.row.opportunity_id)
                if channel:
                    out.append(channel_recipient(channel))
                elif owner and owner.active:
                    out.append(user_recipient(owner.id))  # no war-room yet: tell the owner
        return list(dict.fromkeys(out))

    def _room(self, opportunity_id: int) -> str | None:
        finder = getattr(self.war_room, "channel_for_deal", None)
        if not callable(finder):
            return None
        try:
            return finder(opportunity_id)
        except Exception:
            return None

    def language_of(self, recipient: str, firing: Firing) -> str:
        """A person's language; a war room's own language (else the owner's) for a channel."""
        kind, ident = recipient.split(":", 1)
        if kind == "channel":
            finder = getattr(self.war_room, "language_for_channel", None)
            language = finder(ident) if callable(finder) else None
            if language in ("zh", "en"):
                return str(language)
        person = self.people.get(ident if kind == "user" else firing.row.owner_id)
        return person.language if person else "zh"


class _Values(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _shown(value: Any) -> str:
    from skills.alerts.engine import format_value

    return format_value(value)


def render_message(firing: Firing, language: str, directory: Directory | None = None) -> str:
    """The rule's message template in ``language`` with the target's values filled in."""
    row = firing.row
    owner = directory.people.get(row.owner_id) if directory else None
    values = _Values({k: _shown(v) for k, v in row.values.items()})
    values.update({k: _shown(v) for k, v in firing.rule.params.get(firing.arm, {}).items()})
    values.update({
        "account": row.account_name.get(language) or row.account_name.get("zh", ""),
        "deal": row.deal_name.get(language) or row.deal_name.get("zh", ""),
        "owner": (owner.name if language == "zh" else owner.name_en) if owner else row.owner_id,
        "rule": firing.rule.name,
        "amount": row.amount,
    })
    return firing.rule.spec.messages[language].format_map(values)


def alert_reply(firing: Firing, alert_id: int, language: str, directory: Directory | None = None,
                *, recipient: str = "") -> Reply:
    """The alert message: what, why (the values), and the three buttons."""
    zh = language == "zh"
    text = render_message(firing, language, directory)
    spec = firing.rule.spec
    title = f"{SEVERITY_MARK.get(spec.severity, '')} {'提醒' if zh else 'Alert'}: {spec.name}".strip()
    why = firing.rule.explain(firing, language)
    small = (f"规则 {spec.name} v{firing.rule.version_number} · 依据：{why}" if zh
             else f"Rule {spec.name} v{firing.rule.version_number} · because: {why}")
    value = str(alert_id)
    buttons = Buttons(buttons=[
        Button(text="完成 / 会跟进" if zh else "Done / will do", action_id="alerts:ack", value=value, style="primary"),
        Button(text="推迟 7 天" if zh else "Snooze 7 days", action_id="alerts:snooze", value=value),
        Button(text="没有用" if zh else "Not useful", action_id="alerts:not_useful", value=value, style="danger"),
    ])
    is_channel = recipient.startswith("channel:")
    return Reply(
        text=text, language="zh" if zh else "en", skill="alerts",
        blocks=[Header(text=title), Section(text=text), Context(text=small), buttons],
        target="channel" if is_channel else "dm",
        channel=recipient.split(":", 1)[1] if is_channel else None,
        metadata={"alert_id": alert_id, "rule": spec.name, "target": firing.row.target},
    )


def enqueue_alert(session: Any, firing: Firing, alert_id: int, recipients: list[str], directory: Directory) -> None:
    """Queue the alert for each recipient in the caller's transaction (the alert's own)."""
    for recipient in recipients:
        reply = alert_reply(firing, alert_id, directory.language_of(recipient, firing), directory, recipient=recipient)
        enqueue(session, recipient=recipient, reply=reply, idempotency_key=f"alert:{alert_id}:{recipient}",
                source="alerts", capped=recipient.startswith("user:"))
