"""Who sees what in the embedded CRM, on the demo company.

The expected sets are computed here straight from the tables (owner, account team, managed team),
independently of ``integrations.crm.visibility``, and compared with what ``LocalCRM`` returns.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.errors import NotFoundOrHidden
from bot.store import Store
from integrations.crm.bulk import crm_counts
from integrations.crm.demo import STORY_ACCOUNT_IDS, STORY_DEAL_IDS
from integrations.crm.local.crm import LocalCRM
from integrations.crm.local.models import Account, AccountMember, Team, User
from integrations.crm.viewer import Viewer

ACME, GLOBEX, JSEG = STORY_ACCOUNT_IDS["acme"], STORY_ACCOUNT_IDS["globex"], STORY_ACCOUNT_IDS["jseg"]
DEAL_5G, DEAL_GLOBEX = STORY_DEAL_IDS["jseg"], STORY_DEAL_IDS["globex"]


def viewer(crm: LocalCRM, user_id: str) -> Viewer:
    v = crm.viewer_for(user_id)
    assert v is not None
    return v


def expected_visible(db: Session, user_id: str) -> set[int]:
    user = db.get(User, user_id)
    assert user is not None
    accounts = list(db.exec(select(Account)))
    if user.role == "admin":
        return {a.id for a in accounts}  # type: ignore[misc]
    members = {m.account_id for m in db.exec(select(AccountMember).where(AccountMember.user_id == user_id))}
    managed = {t.id for t in db.exec(select(Team).where(Team.manager_id == user_id))}
    team_of = {u.id: u.team_id for u in db.exec(select(User))}
    return {a.id for a in accounts  # type: ignore[misc]
            if a.owner_id == user_id or a.id in members or a.team_id in managed or team_of[a.owner_id] in managed}


def test_every_users_visible_accounts_match_the_rules(demo_crm: LocalCRM, db: Session) -> None:
    for user in demo_crm.list_users():
        got = {a.id for a in demo_crm.list_accounts(viewer(demo_crm, user.id))}
        assert got == expected_visible(db, user.id), user.id


def test_rep_sees_own_account_but_not_another_teams(demo_crm: LocalCRM) -> None:
    li_na = viewer(demo_crm, "li.na")
    assert demo_crm.get_account(li_na, ACME) is not None
    assert demo_crm.get_account(li_na, GLOBEX) is None
    assert [a.id for a in demo_crm.find_accounts(li_na, "ACME")] == [ACME]
    assert demo_crm.find_accounts(li_na, "Globex") == []
    assert demo_crm.get_account(li_na, JSEG) is None  # a teammate's account is not hers


def test_manager_sees_the_team_not_other_teams(demo_crm: LocalCRM, db: Session) -> None:
    zhao = viewer(demo_crm, "zhao.lei")
    seen = {a.id for a in demo_crm.list_accounts(zhao)}
    east = set(db.exec(select(Account.id).where(Account.team_id == "team-east")))
    intl = set(db.exec(select(Account.id).where(Account.team_id == "team-intl")))
    assert east and east <= seen
    assert not (seen & intl)
    assert demo_crm.get_account(zhao, GLOBEX) is None and demo_crm.get_account(zhao, JSEG) is not None
    maria = viewer(demo_crm, "maria.garcia")
    assert demo_crm.get_account(maria, GLOBEX) is not None and demo_crm.get_account(maria, ACME) is None


def test_admin_sees_everything(demo_crm: LocalCRM, db: Session) -> None:
    admin = viewer(demo_crm, "admin")
    assert len(demo_crm.list_accounts(admin)) == crm_counts(db)["crm_account"] == 200
    assert len(demo_crm.list_opportunities(admin)) == crm_counts(db)["crm_opportunity"]


def test_deal_team_member_sees_the_5g_deal(demo_crm: LocalCRM) -> None:
    tang = viewer(demo_crm, "tang.yu")
    deal = demo_crm.get_opportunity(tang, DEAL_5G)
    assert deal is not None and deal.is_key
    assert len(demo_crm.opportunity_contacts(tang, DEAL_5G)) == 7
    assert {m.user.id: m.role for m in demo_crm.opportunity_team(tang, DEAL_5G)}["tang.yu"] == "legal"
    assert demo_crm.get_contract(tang, DEAL_5G) is not None
    assert len(demo_crm.list_milestones(tang, DEAL_5G)) == 14
    assert demo_crm.get_opportunity(tang, DEAL_GLOBEX) is None


def test_child_records_of_hidden_accounts_never_come_back(demo_crm: LocalCRM) -> None:
    li_na = viewer(demo_crm, "li.na")
    admin = viewer(demo_crm, "admin")
    # The admin sees rows for these, so an empty answer for li.na is the filter, not missing data.
    assert demo_crm.list_contacts(admin, GLOBEX) and demo_crm.list_orders(admin, GLOBEX)
    assert demo_crm.list_competitor_signals(admin, GLOBEX) and demo_crm.get_contract(admin, DEAL_GLOBEX)
    assert demo_crm.list_milestones(admin, DEAL_5G)
    assert demo_crm.list_contacts(li_na, GLOBEX) == []
    assert demo_crm.list_activities(li_na, account_id=GLOBEX) == []
    assert demo_crm.list_activities(li_na, opportunity_id=DEAL_GLOBEX) == []
    assert demo_crm.list_orders(li_na, GLOBEX) == []
    assert demo_crm.list_competitor_signals(li_na, GLOBEX) == []
    assert demo_crm.list_opportunities(li_na, account_id=GLOBEX) == []
    assert demo_crm.get_contract(li_na, DEAL_GLOBEX) is None
    assert demo_crm.get_contract(li_na, DEAL_5G) is None
    assert demo_crm.list_milestones(li_na, DEAL_5G) == []
    assert demo_crm.opportunity_contacts(li_na, DEAL_5G) == []
    assert demo_crm.opportunity_team(li_na, DEAL_5G) == []
    visible = {a.id for a in demo_crm.list_accounts(li_na)}
    assert {a.account_id for a in demo_crm.list_activities(li_na)} <= visible
    assert {o.account_id for o in demo_crm.list_opportunities(li_na)} <= visible


@pytest.mark.parametrize("write", ["log_activity", "create_task"])
def test_writes_on_a_hidden_account_raise_and_write_nothing(demo_copy: Store, write: str) -> None:
    crm = LocalCRM(demo_copy)
    li_na = viewer(crm, "li.na")
    with Session(demo_copy.engine) as s:
        before = crm_counts(s)
    with pytest.raises(NotFoundOrHidden) as err:
        if write == "log_activity":
            crm.log_activity(li_na, account_id=GLOBEX, kind="note", summary="should not land")
        else:
            crm.create_task(li_na, account_id=GLOBEX, subject="should not land", due_date=None)
    assert "Globex" not in err.value.en and "环球" not in err.value.zh
    with pytest.raises(NotFoundOrHidden):  # a missing account looks exactly the same
        crm.log_activity(li_na, account_id=99999, kind="note", summary="nowhere")
    with Session(demo_copy.engine) as s:
        assert crm_counts(s) == before
