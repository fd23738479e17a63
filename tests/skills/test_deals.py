"""Deal questions outside a war-room, in both languages, permission-checked."""

from __future__ import annotations


def test_chinese_deal_amount_question(ask) -> None:
    reply = ask("5G专网项目的金额是多少", user="wang.wei")
    assert reply.skill == "deal" and reply.language == "zh"
    assert "48,000,000" in reply.text and "商务谈判" in reply.text
    assert any(c.source.startswith("crm://opportunity/") for c in reply.citations)


def test_english_discount_question(ask) -> None:
    reply = ask("what discount did we quote on Umbrella Store Network Refresh", user="sun.hao")
    assert reply.skill == "deal" and "30% discount" in reply.text


def test_deal_of_another_team_is_not_found(ask) -> None:
    reply = ask("Globex Global Rollout 的金额是多少", user="li.na")
    assert "2,500,000" not in reply.text and "Bob" not in reply.text
    assert "找不到" in reply.text or "不" in reply.text


def test_hidden_and_unknown_accounts_get_the_same_answer(ask) -> None:
    hidden = ask("杭州市数据资源局情况如何", user="zhou.xin")
    unknown = ask("北极熊冷链物流公司情况如何", user="zhou.xin")
    assert hidden.text == unknown.text
    assert "找不到你有权限查看的这个客户" in hidden.text
