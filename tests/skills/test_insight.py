"""The insight skill end to end through the console path, on the demo company."""

from __future__ import annotations

from bot.messages import Table

from tests.conftest import press


def test_chinese_question_gets_chinese_brief_of_acme(ask) -> None:
    reply = ask("ACME 最近怎么样?", user="li.na")
    assert reply.skill == "insight" and reply.language == "zh"
    assert "艾克米制造" in reply.text and "李娜" in reply.text
    assert "采购频次" in reply.text and "竞品提及" in reply.text


def test_english_question_gets_english_brief(ask) -> None:
    reply = ask("brief me on ACME", user="li.na")
    assert reply.skill == "insight" and reply.language == "en"
    assert "ACME Manufacturing" in reply.text and "purchase frequency" in reply.text


def test_slash_command_gets_brief(ask) -> None:
    reply = ask("/insight ACME", user="li.na")
    assert reply.skill == "insight" and "ACME Manufacturing" in reply.text


def test_brief_reports_purchase_drop_and_competitor_rise_with_numbers(ask, runtime) -> None:
    from integrations.crm.demo import STORY_ACCOUNTS  # noqa: F401  (the demo's planted stories)
    from skills.insight.brief import build_brief

    viewer = runtime.crm.viewer_for("li.na")
    [acme] = runtime.crm.find_accounts(viewer, "ACME Manufacturing")
    brief = build_brief(runtime.crm, viewer, acme.id)
    codes = {r.code for r in brief.risks}
    assert {"purchase_drop", "competitor_rise"} <= codes
    assert brief.order_count.pct is not None and brief.order_count.pct <= -50
    assert brief.competitor_30d.pct is not None and brief.competitor_30d.pct >= 40
    reply = ask("brief me on ACME", user="li.na")
    assert f"{brief.order_count.pct:+.0f}%" in reply.text


def test_brief_lists_open_deals_and_last_five_touches(ask) -> None:
    reply = ask("brief me on ACME", user="li.na")
    tables = {b.title: b for b in reply.blocks if isinstance(b, Table)}
    assert any("ACME Plant Network Expansion" in row[0] for row in tables["Open opportunities"].rows)
    assert len(tables["Last 5 touches"].rows) == 5


def test_brief_cites_crm_records(ask) -> None:
    reply = ask("brief me on ACME", user="li.na")
    sources = [c.source for c in reply.citations]
    assert any(s.startswith("crm://account/") for s in sources)
    assert any(s.startswith("crm://opportunity/") for s in sources)


def test_healthy_account_has_no_purchase_or_competitor_risk(ask) -> None:
    reply = ask("华康医药最近怎么样", user="zhou.xin")
    assert reply.skill == "insight"
    assert "采购频次" not in reply.text and "竞品提及 +" not in reply.text


def test_rep_cannot_see_another_teams_account(ask) -> None:
    reply = ask("how is Globex doing", user="li.na")
    assert "can't find an account you have access to" in reply.text
    assert "Globex" not in reply.text.replace("how is Globex doing", "")
    assert "bob" not in reply.text.lower() and "2,500,000" not in reply.text


def test_hidden_account_refusal_in_chinese_leaks_nothing(ask) -> None:
    reply = ask("环球科技最近怎么样", user="li.na")
    assert "找不到你有权限查看的这个客户" in reply.text
    assert "Bob" not in reply.text and "全球部署" not in reply.text


def test_manager_sees_team_account(ask) -> None:
    assert ask("ACME 最近怎么样", user="zhao.lei").skill == "insight"


def test_admin_sees_any_account(ask) -> None:
    reply = ask("how is Globex doing", user="admin")
    assert reply.skill == "insight" and "Globex" in reply.text


def test_unknown_account_says_not_found(ask) -> None:
    reply = ask("brief me on Wayne Enterprises", user="admin")
    assert "can't find an account" in reply.text


def test_stale_negotiation_deal_is_flagged(ask) -> None:
    reply = ask("brief me on Globex", user="bob.smith")
    assert "no activity for 75 days" in reply.text


def test_refresh_button_rebuilds_the_brief(runtime, ask) -> None:
    first = ask("brief me on ACME", user="li.na")
    refresh = next(a for a in first.actions if a.action_id == "insight:brief")
    again = press(runtime, user="li.na", action_id="insight:brief", value=refresh.value)
    assert again.skill == "insight" and again.language == "en"
    assert "ACME Manufacturing" in again.text


def test_refresh_button_for_hidden_account_is_refused(runtime, ask) -> None:
    admin = ask("brief me on Globex", user="admin")
    globex_id = next(a for a in admin.actions if a.action_id == "insight:brief").value
    reply = press(runtime, user="li.na", action_id="insight:brief", value=globex_id)
    assert "can't find an account" in reply.text.lower() or "找不到" in reply.text


class _ActivitiesDown:
    """A CRM whose activity service is down (what a flaky vendor API looks like to the skill)."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self._inner = inner

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self._inner, name)

    def list_activities(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from bot.errors import ServiceUnavailable

        raise ServiceUnavailable(zh="CRM 暂时连不上。", en="The CRM is not reachable right now.")


def test_partial_crm_outage_still_gives_the_rest_of_the_brief(runtime, ask) -> None:
    runtime.crm = _ActivitiesDown(runtime.crm)
    reply = ask("brief me on ACME", user="li.na")
    assert reply.skill == "insight" and "purchase frequency" in reply.text
    assert any("not reachable" in getattr(b, "text", "") and "touches" in getattr(b, "text", "") for b in reply.blocks)
