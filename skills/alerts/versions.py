"""Saved rules: every change is a new version with its author and time; the newest version is live.

Rule files (the starter rules, a team's folder) are synced in as versions authored by ``system``;
a file edit becomes a new version, but a rule last changed in chat or the CLI is not overwritten
by the file it came from (the manager's change wins). Enabling or disabling is a version too.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.errors import InvalidInput, NotFoundOrHidden, PermissionDenied
from bot.models import AuditEntry
from integrations.crm.viewer import Viewer
from skills.alerts.models import RuleVersion
from skills.alerts.ruleset import LoadResult, RuleSpec, load_paths, spec_from_dict


def latest_versions(store: object, *, names: list[str] | None = None) -> list[RuleVersion]:
    """The newest version of every rule (or of ``names``), by name."""
    newest = select(RuleVersion.name, func.max(RuleVersion.version).label("v")).group_by(RuleVersion.name)
    if names is not None:
        newest = newest.where(col(RuleVersion.name).in_(names))
    sub = newest.subquery()
    with store.session() as s:  # type: ignore[attr-defined]
        rows = s.exec(
            select(RuleVersion).join(sub, (RuleVersion.name == sub.c.name) & (RuleVersion.version == sub.c.v))
            .order_by(RuleVersion.name)
        ).all()
        return list(rows)


def latest(store: object, name: str) -> RuleVersion | None:
    found = latest_versions(store, names=[name])
    return found[0] if found else None


def active_rules(store: object) -> list[tuple[RuleSpec, int, int]]:
    """(spec, version id, version number) of every enabled rule, newest versions only."""
    return [(spec_from_dict(v.spec), v.id, v.version) for v in latest_versions(store) if v.enabled and v.id is not None]


def history(store: object, name: str) -> list[RuleVersion]:
    with store.session() as s:  # type: ignore[attr-defined]
        return list(s.exec(select(RuleVersion).where(RuleVersion.name == name).order_by(col(RuleVersion.version).desc())).all())


def _insert(store: object, spec: RuleSpec, *, author: str, origin: str, change: str, source: str,
            current: RuleVersion | None) -> RuleVersion:
    """Append version ``current + 1``; a concurrent writer of that number makes this raise ``IntegrityError``."""
    row = RuleVersion(
        name=spec.name, version=(current.version + 1) if current else 1, spec=spec.to_dict(),
        source=source or spec.to_yaml(), checksum=spec.checksum(), enabled=spec.enabled,
        origin=origin, author=author, change=change,
    )
    with store.session() as s:  # type: ignore[attr-defined]
        s.add(row)
        s.add(AuditEntry(actor=author, action=f"rules.{change}", target=f"rule:{spec.name}",
                         before=current.spec if current else None, after=row.spec))
    return row


def _insert_user_change(store: object, spec: RuleSpec, **kwargs: object) -> RuleVersion:
    try:
        return _insert(store, spec, **kwargs)  # type: ignore[arg-type]
    except IntegrityError:
        raise InvalidInput(zh=f"规则 {spec.name} 刚被别人修改过，请查看后重试。",
                           en=f"Rule {spec.name} was just changed by someone else; check it and try again.") from None


def sync_files(store: object, paths: list[Path], *, author: str = "system") -> LoadResult:
    """Load rule files into versions; broken files are reported in the result and change nothing."""
    result = load_paths([p for p in paths if p.exists()])
    for spec in result.rules:
        current = latest(store, spec.name)
        try:
            if current is None:
                _insert(store, spec, author=author, origin="file", change="create",
                        source=result.sources.get(spec.name, ""), current=None)
            elif current.origin == "file" and current.checksum != spec.checksum():
                _insert(store, replace(spec, enabled=current.enabled), author=author, origin="file", change="update",
                        source=result.sources.get(spec.name, ""), current=current)
        except IntegrityError:
            continue  # another process synced the same file at the same moment
    return result


def require_editor(viewer: Viewer) -> None:
    """Only managers and admins change rules."""
    if not viewer.is_manager:
        raise PermissionDenied(zh="只有经理和管理员可以修改提醒规则。", en="Only managers and admins can change alert rules.")


def save_rule(store: object, spec: RuleSpec, *, viewer: Viewer, origin: str = "chat", source: str = "") -> RuleVersion:
    """Save a new or changed rule as ``viewer`` (lint has already passed: ``spec`` is a ``RuleSpec``)."""
    require_editor(viewer)
    current = latest(store, spec.name)
    if current is not None and current.checksum == spec.checksum() and current.enabled == spec.enabled:
        raise InvalidInput(zh=f"规则 {spec.name} 没有变化。", en=f"Rule {spec.name} is unchanged.")
    return _insert_user_change(store, spec, author=viewer.user_id, origin=origin,
                               change="update" if current else "create", source=source, current=current)


def set_enabled(store: object, name: str, enabled: bool, *, viewer: Viewer, origin: str = "chat") -> RuleVersion:
    require_editor(viewer)
    current = latest(store, name)
    if current is None:
        raise NotFoundOrHidden(zh=f"没有名为 {name} 的规则。", en=f"There is no rule named {name}.")
    if current.enabled == enabled:
        state_zh, state_en = ("已经是启用状态", "already enabled") if enabled else ("已经是停用状态", "already disabled")
        raise InvalidInput(zh=f"规则 {name} {state_zh}。", en=f"Rule {name} is {state_en}.")
    spec = replace(spec_from_dict(current.spec), enabled=enabled)
    return _insert_user_change(store, spec, author=viewer.user_id, origin=origin,
                               change="enable" if enabled else "disable", source=current.source, current=current)
