"""``/warroom health``: which rooms are going quiet, for a manager's weekly look.

Per room: days since anything happened (CRM activity on the deal or a message in the room),
participation balance across our roles (who is carrying the deal), stakeholder coverage (share of
customer stakeholders touched in 90 days, committee roles missing), overdue tasks. Only rooms
whose deal the viewer can see are listed, and only these numbers, never room content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.lang import pick
from bot.messages import Context, Header, Reply, Section, Table
from skills.warroom.deal import ROLE_NAMES, TEAM_ROLE_NAMES, DealSnapshot, label
from skills.warroom.models import WarRoom, WarRoomMember, WarRoomTask

QUIET_DAYS = 14
WINDOW_DAYS = 30


@dataclass(frozen=True)
class RoomHealth:
    room: WarRoom
    deal_name: str
    quiet_days: int | None
    by_role: dict[str, int]
    coverage_pct: int
    missing_roles: list[str]
    overdue_tasks: int

    @property
    def status(self) -> str:
        """``red`` quiet or overdue work, ``yellow`` lopsided or thin coverage, else ``green``."""
        if self.quiet_days is None or self.quiet_days >= QUIET_DAYS or self.overdue_tasks >= 2:
            return "red"
        active_roles = sum(1 for n in self.by_role.values() if n > 0)
        if self.overdue_tasks or self.coverage_pct < 60 or self.missing_roles or active_roles <= 1:
            return "yellow"
        return "green"


def room_health(
    room: WarRoom, snapshot: DealSnapshot, members: list[WarRoomMember], tasks: list[WarRoomTask], *, today: date
) -> RoomHealth:
    since = today - timedelta(days=WINDOW_DAYS)
    last_days = [a.occurred_at.date() for a in snapshot.activities if a.kind != "task"]
    if room.last_message_at is not None:
        last_days.append(room.last_message_at.date())
    quiet = (today - max(last_days)).days if last_days else None
    roles = {m.user_id: m.role for m in members}
    by_role: dict[str, int] = {}
    for m in members:
        by_role[m.role] = by_role.get(m.role, 0) + m.messages
    for a in snapshot.activities:
        if a.occurred_at.date() >= since and a.author_id in roles:
            by_role[roles[a.author_id]] = by_role.get(roles[a.author_id], 0) + 1
    cutoff = today - timedelta(days=90)
    touched = sum(1 for c in snapshot.contacts if c.last_touch is not None and c.last_touch >= cutoff)
    coverage = round(100 * touched / len(snapshot.contacts)) if snapshot.contacts else 0
    overdue = sum(1 for t in tasks if t.status == "open" and t.due_date is not None and t.due_date < today)
    return RoomHealth(room, snapshot.deal_name(room.language), quiet, by_role, coverage, snapshot.missing_roles(), overdue)


def render_health(rows: list[RoomHealth], *, language: str) -> Reply:
    icon = {"red": "🔴", "yellow": "🟡", "green": "🟢"}
    if not rows:
        text = pick(language, "你能看到的商机还没有作战室。", "There are no war rooms on deals you can see.")
        return Reply(text=text, blocks=[Section(text=text)], language=language, skill="warroom")  # type: ignore[arg-type]
    table_rows = []
    for h in sorted(rows, key=lambda r: ({"red": 0, "yellow": 1, "green": 2}[r.status], -(r.quiet_days or 999))):
        balance = ", ".join(f"{label(TEAM_ROLE_NAMES, role, language)} {n}" for role, n in sorted(h.by_role.items()))
        gaps = "、".join(label(ROLE_NAMES, r, language) for r in h.missing_roles) if language == "zh" else \
            ", ".join(label(ROLE_NAMES, r, language) for r in h.missing_roles)
        table_rows.append([
            f"{icon[h.status]} {h.deal_name}",
            pick(language, f"{h.quiet_days} 天", f"{h.quiet_days}d") if h.quiet_days is not None else "–",
            balance or "–",
            f"{h.coverage_pct}%" + (pick(language, f"（缺{gaps}）", f" (missing {gaps})") if gaps else ""),
            str(h.overdue_tasks),
        ])
    columns = [pick(language, x, y) for x, y in (("作战室", "Room"), ("沉默", "Quiet for"), ("参与度（近30天）", "Participation (30d)"),
                                                 ("干系人覆盖", "Stakeholder coverage"), ("逾期任务", "Overdue tasks"))]
    quiet = [h for h in rows if h.status == "red"]
    head = pick(language, "作战室健康度", "War-room health")
    summary = pick(language, f"{len(rows)} 个作战室，{len(quiet)} 个需要关注。", f"{len(rows)} rooms, {len(quiet)} need attention.")
    return Reply(text=f"{head}: {summary}", language=language, skill="warroom", blocks=[  # type: ignore[arg-type]
        Header(text=head), Section(text=summary), Table(columns=columns, rows=table_rows),
        Context(text=pick(language, f"沉默 ≥ {QUIET_DAYS} 天或逾期任务 ≥ 2 为红色。",
                          f"Red: quiet for {QUIET_DAYS}+ days or 2+ overdue tasks.")),
    ])
