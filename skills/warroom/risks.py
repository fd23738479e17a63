"""Risks the CRM already shows, each with an accountable owner.

Why derive them: nobody should have to type "Wuxi is overdue" into a room when the milestone
record says so. Derived risks carry a stable ``code``; a refresh opens new ones and closes those
whose cause went away. Risks the team types ("风险：… @owner") have no code and stay until closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from skills.warroom.deal import ROLE_NAMES, DealSnapshot

UNSIGNED_WARNING_DAYS = 60


@dataclass(frozen=True)
class DerivedRisk:
    code: str
    title_zh: str
    title_en: str
    owner_id: str


def _member(snapshot: DealSnapshot, role: str) -> str:
    """The first team member in ``role``, else the deal owner (someone is always accountable)."""
    return next((m.user.id for m in snapshot.team if m.role == role), snapshot.opportunity.owner_id)


def derive_risks(snapshot: DealSnapshot) -> list[DerivedRisk]:
    """Overdue milestones, committee gaps, opponents with influence, an unsigned contract near close."""
    risks: list[DerivedRisk] = []
    owner = snapshot.opportunity.owner_id
    for view in snapshot.milestones:
        m = view.milestone
        if view.overdue:
            risks.append(DerivedRisk(
                f"milestone_overdue:{m.id}",
                f"里程碑「{m.name}」已逾期 {view.late_days} 天",
                f"Milestone '{m.name_en or m.name}' is {view.late_days} days overdue",
                m.owner_id or _member(snapshot, "delivery"),
            ))
    for role in snapshot.missing_roles():
        zh, en = ROLE_NAMES[role]
        risks.append(DerivedRisk(f"coverage:{role}", f"客户侧没有{zh}联系人（覆盖缺口）",
                                 f"No {en} contact on the customer side (coverage gap)", owner))
    for view in snapshot.contacts:
        c = view.contact
        if c.attitude == "opponent" and c.influence in ("high", "medium"):
            risks.append(DerivedRisk(
                f"opponent:{c.id}",
                f"{c.name}（{c.title}）持反对态度",
                f"{c.name_en or c.name} ({c.title}) opposes the deal",
                owner,
            ))
    contract = snapshot.contract
    close = snapshot.opportunity.expected_close
    if contract is not None and not contract.signed and close is not None \
            and close - snapshot.today <= timedelta(days=UNSIGNED_WARNING_DAYS):
        days = (close - snapshot.today).days
        risks.append(DerivedRisk(
            "contract_unsigned",
            f"合同未签署，距预计签约还有 {days} 天",
            f"Contract not signed, {days} days to the expected close",
            _member(snapshot, "legal"),
        ))
    return risks
